"""The demo county's logins: one per role (demo_accounts)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count

from accounts.models import Role, User
from accounts.services import account_ensure
from assignments.models import Cadre, Pairing
from villages.models import AdministrativeVillage, Township

DEMO_PASSWORD = "demo12345"
DEMO_TOWNSHIP = "姜驿乡"
# The township official of 波亨村's own township, so the demo can take a household through all five steps.
DEMO_VILLAGE_TOWNSHIP_USER = "laocheng"
DEMO_VILLAGE_TOWNSHIP, DEMO_VILLAGE = "老城乡", "波亨村"


class DemoCountyMissing(Exception):
    """The demo county (load_demo) is not in the database."""


@dataclass(frozen=True)
class DemoAccount:
    user: User
    password: str
    created: bool


def demo_cadre(village: AdministrativeVillage) -> Cadre | None:
    """The cadre with the most households in the village (ties: the first by id), so the demo phone has a
    list; the demo's revisit rounds give this cadre's households some of each state."""
    busiest = (
        Pairing.objects.filter(household__village=village, ended_on__isnull=True)
        .values("cadre_id")
        .annotate(households=Count("id"))
        .order_by("-households", "cadre_id")
        .first()
    )
    return Cadre.objects.filter(pk=busiest["cadre_id"]).first() if busiest else None


@transaction.atomic
def demo_accounts_ensure(*, password: str = DEMO_PASSWORD) -> list[DemoAccount]:
    """One login per role on the demo county; rerunning resets passwords and scopes (idempotent)."""
    township = Township.objects.filter(name=DEMO_TOWNSHIP).first()
    village = (
        AdministrativeVillage.objects.select_related("township")
        .filter(name=DEMO_VILLAGE, township__name=DEMO_VILLAGE_TOWNSHIP)
        .first()
    )
    missing = [
        name
        for name, found in ((DEMO_TOWNSHIP, township), (f"{DEMO_VILLAGE_TOWNSHIP}{DEMO_VILLAGE}", village))
        if found is None
    ]
    if missing:
        raise DemoCountyMissing(f"未找到演示县的{'、'.join(missing)}，请先运行 python manage.py load_demo。")
    cadre = demo_cadre(village)
    if cadre is None:
        raise DemoCountyMissing(
            f"{DEMO_VILLAGE_TOWNSHIP}{DEMO_VILLAGE}没有在帮的挂包干部，请先运行 load_demo。"
        )
    specs = [
        ("admin", Role.COUNTY_ADMIN, {}),
        ("jiangyi", Role.TOWNSHIP_OFFICIAL, {"township": township}),
        (DEMO_VILLAGE_TOWNSHIP_USER, Role.TOWNSHIP_OFFICIAL, {"township": village.township}),
        ("boheng", Role.VILLAGE_OFFICIAL, {"village": village}),
        ("cadre", Role.CADRE, {"cadre": cadre}),
        ("inspector", Role.INSPECTOR, {}),
    ]
    accounts = []
    for username, role, scope in specs:
        user, created = account_ensure(username=username, password=password, role=role, **scope)
        accounts.append(DemoAccount(user=user, password=password, created=created))
    return accounts
