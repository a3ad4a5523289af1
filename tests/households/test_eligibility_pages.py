"""Each recompute run can show its before/after: which households became eligible or stopped, and why."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from core.models import Job
from households.eligibility import eligibility_recompute
from households.models import EligibilityRun, PovertyLine
from tests.factories import (
    AssessmentFactory,
    CadreFactory,
    NaturalVillageFactory,
    PairingFactory,
    UserFactory,
    make_household,
)

pytestmark = pytest.mark.django_db


def assessed(place, per_head):
    household = make_household(natural_village=place)
    AssessmentFactory(household=household, year=2016, wage_income=per_head * 2, operating_income=0)
    return household


@pytest.fixture
def two_villages():
    here, there = NaturalVillageFactory(), NaturalVillageFactory()
    households = {"here": assessed(here, 3200), "there": assessed(there, 3200)}
    eligibility_recompute()
    PovertyLine.objects.filter(year=2016, region_code="").update(amount=Decimal("3500"))
    run = eligibility_recompute(trigger=EligibilityRun.Trigger.POVERTY_LINE)
    return {"run": run, "here": here, **households}


def test_a_run_shows_who_stopped_being_eligible_and_why(client, two_villages):
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    html = client.get(reverse("households:eligibility-run", args=[two_villages["run"].pk])).content.decode()
    for household in (two_villages["here"], two_villages["there"]):
        assert household.household_number in html
    assert "人均纯收入 3,200 元 低于 2016 年标准 3,500 元" in html
    runs = client.get(reverse("households:eligibility-runs")).content.decode()
    assert "扶贫标准变更" in runs


def test_an_official_sees_only_the_changes_in_scope(client, two_villages):
    client.force_login(UserFactory(role=Role.VILLAGE_OFFICIAL, village=two_villages["here"].village))
    html = client.get(reverse("households:eligibility-run", args=[two_villages["run"].pk])).content.decode()
    assert two_villages["here"].household_number in html
    assert two_villages["there"].household_number not in html


def test_the_filter_separates_new_and_lost_eligibility(client, two_villages):
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    url = reverse("households:eligibility-run", args=[two_villages["run"].pk])
    assert two_villages["here"].household_number in client.get(url, {"became": "ineligible"}).content.decode()
    assert (
        two_villages["here"].household_number not in client.get(url, {"became": "eligible"}).content.decode()
    )


def test_the_run_page_query_count_does_not_grow_with_the_changes(client):
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))

    def queries(n):
        place = NaturalVillageFactory()
        for _ in range(n):
            assessed(place, 1000)
        run = eligibility_recompute()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("households:eligibility-run", args=[run.pk])).status_code == 200
        return len(captured)

    assert queries(2) == queries(12)


def test_changing_a_line_in_the_admin_site_recomputes(client, django_capture_on_commit_callbacks):
    admin = UserFactory(role=Role.COUNTY_ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    household = assessed(NaturalVillageFactory(), 3200)
    eligibility_recompute()
    line = PovertyLine.objects.get(year=2016, region_code="")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:households_povertyline_change", args=[line.pk]),
            {"amount": "3500", "note": "省定标准"},
        )
    assert response.status_code == 302
    assert Job.objects.get(kind="eligibility_recompute").state == Job.State.DONE
    household.refresh_from_db()
    assert household.eligible is False


def test_a_cadre_reads_no_run_even_of_their_own_households(client, two_villages):
    cadre = CadreFactory()
    PairingFactory(cadre=cadre, household=two_villages["here"])
    client.force_login(UserFactory(role=Role.CADRE, cadre=cadre))
    run_url = reverse("households:eligibility-run", args=[two_villages["run"].pk])
    assert client.get(run_url).status_code == 404
    runs = client.get(reverse("households:eligibility-runs")).content.decode()
    assert run_url not in runs
    assert "还没有判定记录" in runs


def test_a_township_official_sees_the_run_with_only_the_changes_in_their_township(client, two_villages):
    township = two_villages["here"].village.township
    client.force_login(UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=township))
    run_url = reverse("households:eligibility-run", args=[two_villages["run"].pk])
    assert run_url in client.get(reverse("households:eligibility-runs")).content.decode()
    html = client.get(run_url).content.decode()
    assert two_villages["here"].household_number in html
    assert two_villages["there"].household_number not in html
