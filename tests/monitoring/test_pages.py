"""Pages: the list, the detail with the procedure's forms, the quality page by unit."""

import pytest
from django.urls import reverse

from households import choices as hh
from households.models import Household
from monitoring.choices import FoundBy, State
from monitoring.models import QualityIssue
from monitoring.quality import quality_run
from monitoring.services import candidate_raise
from tests.factories import NaturalVillageFactory, UserFactory, make_household

pytestmark = pytest.mark.django_db


def exited(place):
    household = make_household(natural_village=place)
    Household.objects.filter(pk=household.pk).update(status=hh.Status.EXITED, exit_year=2019)
    household.refresh_from_db()
    return household


def test_a_village_official_checks_a_candidate_on_its_page(client, place, people):
    obj = candidate_raise(
        household=exited(place), risk_types=["因病"], found_by=FoundBy.VISIT, reason="户主住院"
    )
    client.force_login(people["village"])
    listed = client.get(reverse("monitoring:list"))
    assert listed.status_code == 200 and obj.household.household_number in listed.content.decode()
    detail = client.get(reverse("monitoring:detail", args=[obj.pk]))
    assert "办理：村级核实" in detail.content.decode().replace("</h2>", "")
    answer = client.post(
        reverse("monitoring:advance", args=[obj.pk]),
        {"decision": "approve", "comment": "已入户", "expected_state": State.FOUND},
    )
    assert answer.status_code == 302
    obj.refresh_from_db()
    assert obj.state == State.VILLAGE_CHECKED
    stale = client.post(
        reverse("monitoring:advance", args=[obj.pk]), {"decision": "approve", "expected_state": State.FOUND}
    )
    assert stale.status_code == 400 and "已由他人办理" in stale.content.decode()


def test_out_of_scope_detail_is_404(client, place):
    obj = candidate_raise(household=exited(place), risk_types=["因病"], found_by=FoundBy.VISIT, reason="x")
    client.force_login(UserFactory(role="village_official", village=NaturalVillageFactory().village))
    assert client.get(reverse("monitoring:detail", args=[obj.pk])).status_code == 404


def test_the_quality_page_lists_by_unit_and_marks_correct(client, place, people):
    make_household(natural_village=place, identified_year=2016)
    Household.objects.update(status=hh.Status.EXITED, exit_year=2015)
    quality_run()
    client.force_login(people["township"])
    page = client.get(reverse("monitoring:quality")).content.decode()
    assert "脱贫年度早于识别年度" in page and place.village.township.name in page
    issue = QualityIssue.objects.get()
    client.post(reverse("monitoring:quality-mark-correct", args=[issue.pk]), {"note": "档案无误"})
    issue.refresh_from_db()
    assert issue.open is False


def test_the_township_records_on_the_page_since_when_income_is_stable(client, place, people):
    import datetime

    from monitoring.models import MonitoringObject

    obj = candidate_raise(household=exited(place), risk_types=["因病"], found_by=FoundBy.VISIT, reason="x")
    MonitoringObject.objects.filter(pk=obj.pk).update(state=State.MONITORED)
    client.force_login(people["township"])
    answer = client.post(reverse("monitoring:stable-since", args=[obj.pk]), {"stable_since": "2025-01-15"})
    assert answer.status_code == 302
    obj.refresh_from_db()
    assert obj.stable_since == datetime.date(2025, 1, 15)
    future = client.post(reverse("monitoring:stable-since", args=[obj.pk]), {"stable_since": "2999-01-01"})
    assert future.status_code == 400 and "不能晚于今天" in future.content.decode()


def test_the_household_page_shows_the_monitoring_kind_state_and_plan(client, place, people):
    from households.models import HelpPlan
    from monitoring.services import monitoring_object_advance

    household = exited(place)
    HelpPlan.objects.create(household=household, year=2025, cause_analysis="因病", plan="医疗救助")
    obj = candidate_raise(household=household, risk_types=["因病"], found_by=FoundBy.VISIT, reason="户主住院")
    for user in (people["village"], people["township"]):
        monitoring_object_advance(obj=obj, user=user, decision="approve")
    monitoring_object_advance(obj=obj, user=people["county"], decision="approve", help_measures="公益岗位")
    client.force_login(people["village"])

    html = client.get(reverse("households:detail", args=[household.pk])).content.decode()

    section = html.split('id="monitoring"')[1].split("</section>")[0]
    assert "脱贫不稳定户" in section and 'data-state="monitored"' in section
    assert "公益岗位" in section and "2025年一户一策" in section


def test_a_household_never_monitored_has_no_monitoring_section(client, place, people):
    client.force_login(people["village"])
    html = client.get(reverse("households:detail", args=[exited(place).pk])).content.decode()
    assert 'id="monitoring"' not in html
