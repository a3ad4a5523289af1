"""Run by tests/test_sqlite_smoke.py in a process of its own, on a fresh SQLite file (as `make run` serves):
migrate, build a small county with the test factories, and read the main pages as each office role.
Prints one line per page that did not answer 200 and exits 1 if any did."""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poverty_tracker.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

assert connection.vendor == "sqlite", connection.vendor
setup_test_environment()
call_command("migrate", verbosity=0)

from accounts.models import Role  # noqa: E402
from tests.factories import (  # noqa: E402
    AssessmentFactory,
    CadreFactory,
    NaturalVillageFactory,
    PairingFactory,
    ProjectFactory,
    RevisitFactory,
    UserFactory,
    make_household,
)

place = NaturalVillageFactory()
village, township = place.village, place.village.township
cadre = CadreFactory()
for _ in range(3):
    household = make_household(natural_village=place)
    AssessmentFactory(household=household, year=2016)
    PairingFactory(cadre=cadre, household=household)
    RevisitFactory(household=household, cadre=cadre)
ProjectFactory()

PAGES = {
    Role.COUNTY_ADMIN: [
        "/",
        "/villages/county/",
        f"/villages/township/{township.pk}/",
        f"/villages/village/{village.pk}/",
        "/villages/map/",
        "/villages/exit/",
        "/households/",
        f"/households/{household.pk}/",
        "/households/eligibility/",
        "/households/exit/",
        "/projects/",
        "/monitoring/",
        "/monitoring/quality/",
        "/monitoring/what-if/",
        "/rosters/",
        "/audit/",
        "/accounts/users/",
    ],
    Role.TOWNSHIP_OFFICIAL: ["/", f"/villages/township/{township.pk}/", "/households/", "/monitoring/"],
    Role.INSPECTOR: ["/", "/households/", "/audit/"],
}

failed = 0
for role, paths in PAGES.items():
    user = UserFactory(role=role, township=township if role == Role.TOWNSHIP_OFFICIAL else None)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    for path in paths:
        status = client.get(path, follow=True).status_code
        if status != 200:
            failed += 1
            print(f"{role} {path} → {status}")
sys.exit(1 if failed else 0)
