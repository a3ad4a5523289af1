"""python manage.py create_account USERNAME --password P --role ROLE [--township X | --village X | --cadre ID]"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role
from accounts.services import account_create

# Field errors of the service, named as the options the user typed.
OPTION_OF_FIELD = {
    "username": "USERNAME",
    "password": "--password",
    "role": "--role",
    "township": "--township",
    "village": "--village",
    "cadre": "--cadre",
}


def command_error(exc: ValidationError) -> CommandError:
    if hasattr(exc, "error_dict"):
        lines = [
            f"{OPTION_OF_FIELD.get(field, field)}: {message}"
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        lines = exc.messages
    return CommandError("\n".join(lines))


class Command(BaseCommand):
    help = "新建登录账户：一个角色及其范围（乡镇、行政村按名称或 ID；干部按干部 ID）。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名")
        # Not argparse-required nor mutually exclusive: the service says what is missing, in Chinese.
        parser.add_argument("--password", default="", help="密码（至少 8 位）")
        parser.add_argument("--role", default="", help="角色：" + "、".join(Role.values))
        parser.add_argument("--township", help="乡镇干部的所属乡镇（名称或 ID）")
        parser.add_argument("--village", help="村委会工作人员的所属行政村（名称或 ID）")
        parser.add_argument("--cadre", help="挂包帮干部账户对应的干部 ID")

    def handle(self, *args, **options):
        try:
            user = account_create(
                username=options["username"],
                password=options["password"],
                role=options["role"],
                township=options["township"],
                village=options["village"],
                cadre=options["cadre"],
            )
        except ValidationError as exc:
            raise command_error(exc) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"已创建账户 {user.username}：{user.get_role_display()}，范围：{user.scope_label}"
            )
        )
