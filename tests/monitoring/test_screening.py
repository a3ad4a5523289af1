"""Screening raises monitoring candidates with reasons, set-based, skipping open objects."""

import datetime

import pytest
from django.utils import timezone

from households import choices as hh
from households.models import Household
from monitoring.choices import FoundBy, Kind, State
from monitoring.models import MonitoringLine, MonitoringObject
from monitoring.tasks import screening_task
from tests.factories import PairingFactory, RevisitFactory, make_household
from tests.monitoring.helpers import assess

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(db):
    return MonitoringLine.objects.update_or_create(
        province_code="530000", year=2024, defaults={"income_line": 7000, "stable_months": 6}
    )[0]


def exited(place):
    household = make_household(natural_village=place)
    Household.objects.filter(pk=household.pk).update(status=hh.Status.EXITED, exit_year=2019)
    household.refresh_from_db()
    return household


def test_an_exited_household_under_the_monitoring_line_becomes_a_candidate(place, line):
    under, above = exited(place), exited(place)
    assess(under, 2024, 6500)
    assess(above, 2024, 8000)
    screening_task()
    obj = MonitoringObject.objects.get(household__natural_village=place)
    assert (obj.household_id, obj.kind, obj.state, obj.found_by) == (
        under.pk,
        Kind.UNSTABLE,
        State.FOUND,
        FoundBy.ALERT,
    )
    assert obj.reason == "2024 年人均纯收入 6500 元，低于监测标准 7000 元"
    screening_task()  # open objects are not raised twice
    assert MonitoringObject.objects.filter(household__natural_village=place).count() == 1


def test_a_sudden_drop_in_income_of_a_general_household(place, line):
    general = make_household(natural_village=place, household_number="YB9", status=hh.Status.GENERAL)
    assess(general, 2023, 12000)
    assess(general, 2024, 5000)
    screening_task()
    obj = MonitoringObject.objects.get(household__natural_village=place)
    assert (obj.household_id, obj.kind, obj.risk_types) == (general.pk, Kind.MARGINAL, ["收入骤减"])
    assert "下降超过 50%" in obj.reason


def test_a_revisit_reporting_illness_raises_a_candidate(place, line):
    household = exited(place)
    pairing = PairingFactory(household=household)
    RevisitFactory(
        household=household,
        cadre=pairing.cadre,
        visited_on=timezone.localdate() - datetime.timedelta(days=3),
        problems="户主突发脑梗住院，医疗费用较高",
    )
    quiet = exited(place)
    RevisitFactory(household=quiet, cadre=pairing.cadre, visited_on=timezone.localdate(), problems="无")
    screening_task()
    obj = MonitoringObject.objects.get(household__natural_village=place)
    assert (obj.household_id, obj.found_by, obj.risk_types) == (household.pk, FoundBy.VISIT, ["因病"])


def test_screening_takes_household_ids(place, line):
    first, second = exited(place), exited(place)
    assess(first, 2024, 100)
    assess(second, 2024, 100)
    screening_task(household_ids=[second.pk])
    assert list(
        MonitoringObject.objects.filter(household__natural_village=place).values_list(
            "household_id", flat=True
        )
    ) == [second.pk]
