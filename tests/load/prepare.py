"""What the load run needs in its database before the users arrive: their accounts, the households each
may open, and the 5,000-member rosters the data staff import. Written to a plan (JSON) the locustfile reads.

Runs inside run.py after migrate, load_demo and demo_accounts, with Django set up on the run's database.
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Min
from django.test.utils import override_settings

from accounts.models import Role, User
from accounts.services import account_ensure
from assignments.models import Pairing
from demo.generation import HOUSEHOLD_CAPACITY, assessment_values, household_values, member_values
from households import choices
from households.models import Household
from households.roster_io import HOUSEHOLD_ROSTER
from households.rosters import ASSESSMENTS, MEMBERS
from villages.models import AdministrativeVillage, NaturalVillage, Township

PASSWORD = "Load-run-pass-2016"
PREFIX = "load-"
SAMPLE = 40  # households per scope an official picks from
# Generated households (G numbers) of each staff member's roster start here, apart from each other and from
# what generate_households makes from 1 up; below HOUSEHOLD_CAPACITY, so the ID numbers stay unique.
ROSTER_FIRST_INDEX = 2_000_000
ROSTER_STRIDE = 100_000
assert ROSTER_FIRST_INDEX + 10 * ROSTER_STRIDE < HOUSEHOLD_CAPACITY


def _accounts(specs: list[tuple[str, str, dict]]) -> None:
    """The run's accounts through the real service, then one real password hash for all of them.

    Hashing once (PBKDF2 takes a good fraction of a second) instead of once per account keeps setting up
    quick; the users still sign in against the production hasher.
    """
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        for username, role, scope in specs:
            account_ensure(username=username, password=PASSWORD, role=role, **scope)
    User.objects.filter(username__startswith=PREFIX).update(password=make_password(PASSWORD))


def _sample(ids: list[int], rng: random.Random) -> list[int]:
    return rng.sample(ids, min(SAMPLE, len(ids)))


def _officials(rng: random.Random) -> list[dict[str, Any]]:
    """County admins and inspectors, an official per township, an official per village that has households."""
    registry = Household.objects.exclude(status=choices.Status.REMOVED)
    county_ids = list(registry.values_list("id", flat=True))
    officials: list[dict[str, Any]] = []
    for n in range(6):
        officials.append({"username": f"{PREFIX}county-{n}", "role": Role.COUNTY_ADMIN, "scope": {}})
        officials.append({"username": f"{PREFIX}inspector-{n}", "role": Role.INSPECTOR, "scope": {}})
    for o in officials:
        o.update(households=_sample(county_ids, rng), township=None, village=None)
    townships = list(Township.objects.order_by("id"))
    for t in townships:
        ids = list(registry.filter(township=t).values_list("id", flat=True))
        if ids:
            officials.append(
                {
                    "username": f"{PREFIX}township-{t.pk}",
                    "role": Role.TOWNSHIP_OFFICIAL,
                    "scope": {"township": t},
                    "township": t.pk,
                    "village": None,
                    "households": _sample(ids, rng),
                }
            )
    for v in AdministrativeVillage.objects.order_by("id"):
        ids = list(registry.filter(village=v).values_list("id", flat=True))
        if ids:
            officials.append(
                {
                    "username": f"{PREFIX}village-{v.pk}",
                    "role": Role.VILLAGE_OFFICIAL,
                    "scope": {"village": v},
                    "township": v.township_id,
                    "village": v.pk,
                    "households": _sample(ids, rng),
                }
            )
    return officials


def _cadres(count: int) -> list[dict[str, Any]]:
    """The cadres with the most active pairings, each with its households and the earliest visit date."""
    busiest = (
        Pairing.objects.filter(ended_on__isnull=True)
        .values("cadre_id")
        .annotate(started=Min("started_on"))
        .order_by("cadre_id")
    )
    taken = set(User.objects.filter(cadre__isnull=False).values_list("cadre_id", flat=True))
    cadres = []
    for row in busiest:
        if row["cadre_id"] in taken:
            continue
        households = list(
            Pairing.objects.filter(cadre_id=row["cadre_id"], ended_on__isnull=True).values_list(
                "household_id", flat=True
            )
        )
        cadres.append(
            {
                "username": f"{PREFIX}cadre-{row['cadre_id']}",
                "cadre": row["cadre_id"],
                "households": households,
                "started_on": max(row["started"], datetime.date.today() - datetime.timedelta(days=60)),
            }
        )
        if len(cadres) == count:
            break
    return cadres


def _roster_rows(first: int, members: int, places: list[tuple[str, str, str]]):
    """Member and assessment rows, in cell form, of generated households (demo.generation's rules) placed in
    the demo county's natural villages, until ``members`` members."""
    label = {f: getattr(MEMBERS.column(f).parser, "labels", {}) for f in (
        "relation", "sex", "education", "school_status", "labour", "migrant_work", "attribute",
        "main_cause", "status",
    )}  # fmt: skip
    health = MEMBERS.column("health").parser
    member_rows, assessment_rows = [], []
    i = first
    while len(member_rows) < members:
        hh = household_values(i)
        t, v, nv = places[i % len(places)]
        size = min(hh["size"], members - len(member_rows))
        # generation draws the exit year without regard to the year identified; a roster must be consistent
        exit_year = max(hh["exit_year"], hh["identified_year"]) if hh["exit_year"] else None
        for p in range(size):
            m = member_values(hh, p)
            member_rows.append([
                hh["household_number"], t, v, nv, m["name"], m["id_number"], label["relation"][m["relation"]],
                label["sex"][m["sex"]], m["ethnicity"], label["education"][m["education"]],
                label["school_status"][m["school_status"]], health.to_cell(m["health"]),
                label["labour"][m["labour"]], label["migrant_work"][m["migrant_work"]],
                label["attribute"][hh["attribute"]], label["main_cause"][hh["main_cause"]],
                hh["identified_year"], hh["phone"] or None, label["status"][hh["status"]], exit_year,
            ])  # fmt: skip
        a = assessment_values(i, size, hh["attribute"])
        assessment_rows.append([
            hh["household_number"], 2016, *(int(a[k]) for k in (
                "wage_income", "operating_income", "property_income", "transfer_income", "operating_expense",
            )), *("是" if a[k] else "否" for k in (
                "food_secure", "clothing_secure", "education_secure", "medical_secure", "housing_secure",
                "water_secure",
            )),
        ])  # fmt: skip
        i += 1
    return member_rows, assessment_rows


def write_staff_roster(path: Path, *, first: int, members: int) -> dict[str, int]:
    """A roster of new households through the one roster writer (write_roster), as an export would be."""
    from core.excel.writers import write_roster

    places = list(
        NaturalVillage.objects.order_by("id").values_list("village__township__name", "village__name", "name")
    )
    member_rows, assessment_rows = _roster_rows(first, members, places)
    with path.open("wb") as stream:
        write_roster(HOUSEHOLD_ROSTER, [(MEMBERS, member_rows), (ASSESSMENTS, assessment_rows)], stream)
    return {"members": len(member_rows), "households": len(assessment_rows)}


@transaction.atomic
def _create_accounts(officials, cadres, staff_names) -> None:
    specs = [(o["username"], o["role"], o["scope"]) for o in officials]
    specs += [(c["username"], Role.CADRE, {"cadre": c["cadre"]}) for c in cadres]
    specs += [(name, Role.COUNTY_ADMIN, {}) for name in staff_names]
    _accounts(specs)


def prepare(*, directory: Path, cadres: int, staff: int, roster_members: int) -> dict[str, Any]:
    """Accounts, samples and rosters for the run; answers the plan (JSON-ready)."""
    rng = random.Random(2016)
    officials = _officials(rng)
    cadre_plans = _cadres(cadres)
    staff_names = [f"{PREFIX}staff-{n}" for n in range(staff)]
    _create_accounts(officials, cadre_plans, staff_names)
    staff_plans = []
    for n, name in enumerate(staff_names):
        path = directory / f"roster-{n}.xlsx"
        written = write_staff_roster(
            path, first=ROSTER_FIRST_INDEX + n * ROSTER_STRIDE, members=roster_members
        )
        staff_plans.append({"username": name, "roster": str(path), **written})
    return {
        "password": PASSWORD,
        "officials": [{k: v for k, v in o.items() if k != "scope"} for o in officials],
        "cadres": [{**c, "started_on": c["started_on"].isoformat()} for c in cadre_plans],
        "staff": staff_plans,
    }
