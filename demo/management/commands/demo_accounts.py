"""python manage.py demo_accounts: one login per role on the demo county (idempotent; resets passwords)."""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.management.commands.create_account import command_error
from demo.accounts import DemoCountyMissing, demo_accounts_ensure


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "为演示县创建每个角色的演示账户（已存在则重置密码和范围）。"

    @staticmethod
    def scope(user) -> str:
        if user.cadre_id:
            return f"干部{user.cadre.name}（ID {user.cadre_id}）的挂包户"
        return user.scope_label

    def handle(self, *args, **options):
        try:
            accounts = demo_accounts_ensure()
        except DemoCountyMissing as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise command_error(exc) from None
        rows = [("用户名", "密码", "角色", "范围")] + [
            (a.user.username, a.password, a.user.get_role_display(), self.scope(a.user)) for a in accounts
        ]
        widths = [max(_width(row[i]) for row in rows) + 2 for i in range(4)]
        self.stdout.write("演示账户（每个角色一个）：")
        for row in rows:
            self.stdout.write("".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
