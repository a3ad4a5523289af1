"""The village and township exit pages: links from the exit report, the township's indicator forms,
申请出列 / 摘帽, and an application's page with its steps, notice, objections and the county's decision."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from households.units.models import UnitExitApplication, UnitExitState
from households.units.services import unit_exit_propose
from tests.factories import VillageFactory
from tests.households.unit_exit_data import build_people, build_place, indicator
from villages.models import VillageIndicatorStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    return build_place()


@pytest.fixture
def people(place):
    return build_people(place)


def proposed(unit, people, *, days_ago=0):
    """An application proposed ``days_ago`` days ago (its 7-day notice is over after 7)."""
    on = timezone.localdate() - datetime.timedelta(days=days_ago)
    return unit_exit_propose(unit=unit, year=2016, user=people["township"], on=on)


def html(response) -> str:
    return response.content.decode()


# -- the exit report links ------------------------------------------------------------------------------


def test_the_exit_report_links_each_ready_unit_to_its_application(client, place, people):
    client.force_login(people["township"])
    page = html(client.get(reverse("dashboards:exit")))

    assert reverse("unit_exit:apply-village", args=[place["jia_cun"].pk]) in page  # 1 %, all met
    assert reverse("unit_exit:apply-village", args=[place["yi_cun"].pk]) not in page  # 6 %
    assert reverse("unit_exit:apply-township", args=[place["jia"].pk]) in page  # 1.6 %
    assert reverse("unit_exit:indicators") in page and "填报出列指标" in page

    application = proposed(place["jia_cun"], people)
    page = html(client.get(reverse("dashboards:exit")))
    assert reverse("unit_exit:apply-village", args=[place["jia_cun"].pk]) not in page
    assert reverse("unit_exit:detail", args=[application.pk]) in page and "出列申请办理中" in page


def test_the_county_sees_the_report_without_apply_links(client, place, people):
    client.force_login(people["county"])
    page = html(client.get(reverse("dashboards:exit")))
    assert "data-apply" not in page
    assert reverse("unit_exit:list") in page


# -- indicators -----------------------------------------------------------------------------------------


def test_the_township_records_indicators_on_a_form_per_village(client, place, people):
    client.force_login(people["township"])
    response = client.get(reverse("unit_exit:indicators"))
    assert response.status_code == 200
    forms = response.context["forms"]
    assert [f.sheet.village.name for f in forms] == ["甲村", "乙村"]  # its own poor villages only
    assert [i.code for i, *_ in forms[0].rows] == [
        "road",
        "power",
        "broadcast",
        "broadband",
        "school_clinic",
        "standard_clinic",
        "activity_venue",
    ]  # active and recorded: not the measured incidence, not the inactive 集体经济收入

    village, power = place["yi_cun"], indicator("power")
    response = client.post(
        reverse("unit_exit:indicators-record", args=[village.pk]),
        {f"v{village.pk}-met_{power.pk}": "0", f"v{village.pk}-note_{power.pk}": "正在架设"},
    )
    assert response.status_code == 302
    status = VillageIndicatorStatus.objects.get(village=village, indicator=power)
    assert (status.met, status.note) == (False, "正在架设")
    road = VillageIndicatorStatus.objects.get(village=village, indicator=indicator("road"))
    assert road.met is True  # left 未填报 on the form: unchanged

    other = place["ding_cun"]
    assert client.post(reverse("unit_exit:indicators-record", args=[other.pk]), {}).status_code == 404


def test_a_village_official_reads_the_indicators_but_cannot_record_them(client, place, people):
    client.force_login(people["village"])
    response = client.get(reverse("unit_exit:indicators"))
    assert [f.sheet.village.name for f in response.context["forms"]] == ["甲村"]
    assert "保存甲村的指标" not in html(response)

    village, power = place["jia_cun"], indicator("power")
    response = client.post(
        reverse("unit_exit:indicators-record", args=[village.pk]), {f"v{village.pk}-met_{power.pk}": "0"}
    )
    assert response.status_code == 400
    assert "出列指标由乡镇干部填报，您不能修改甲乡甲村的指标。" in html(response)
    assert VillageIndicatorStatus.objects.get(village=village, indicator=power).met is True


# -- 申请 -------------------------------------------------------------------------------------------------


def test_the_township_applies_for_a_ready_village(client, place, people):
    client.force_login(people["township"])
    url = reverse("unit_exit:apply-village", args=[place["jia_cun"].pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"year": 2016, "comment": "经乡镇审核"})

    application = UnitExitApplication.objects.get()
    assert response.status_code == 302 and response.url == reverse("unit_exit:detail", args=[application.pk])
    assert (application.village, application.state) == (place["jia_cun"], UnitExitState.PROPOSED)
    detail = html(client.get(response.url))
    assert "公示中" in detail and "经乡镇审核" in detail

    again = client.get(url)  # the unit's page now points to its application instead of a second form
    assert reverse("unit_exit:detail", args=[application.pk]) in html(again)
    assert "提交出列申请" not in html(again)


def test_an_application_for_a_village_over_the_threshold_says_why_not(client, place, people):
    client.force_login(people["township"])
    VillageIndicatorStatus.objects.filter(village=place["yi_cun"], indicator=indicator("power")).update(
        met=False
    )

    response = client.post(reverse("unit_exit:apply-village", args=[place["yi_cun"].pk]), {"year": 2016})

    assert response.status_code == 400
    assert response.context["refusals"] == [
        "贫困发生率 6.00%，未低于 3%（还需减少贫困人口 16 人）",
        "通动力电（三相电）：未达标",
    ]
    assert "不能申请出列" in html(response)
    assert not UnitExitApplication.objects.exists()


def test_another_townships_unit_is_not_found(client, place, people):
    client.force_login(people["other_township"])
    assert client.get(reverse("unit_exit:apply-village", args=[place["jia_cun"].pk])).status_code == 404
    assert client.get(reverse("unit_exit:apply-township", args=[place["jia"].pk])).status_code == 404
    application = proposed(place["jia_cun"], people)
    assert client.get(reverse("unit_exit:detail", args=[application.pk])).status_code == 404


# -- the application's page -----------------------------------------------------------------------------


def test_objections_are_recorded_on_the_page_during_the_notice(client, place, people):
    application = proposed(place["jia_cun"], people)
    client.force_login(people["village"])
    detail = html(client.get(reverse("unit_exit:detail", args=[application.pk])))
    assert "记录异议" in detail

    response = client.post(
        reverse("unit_exit:objection", args=[application.pk]),
        {"raised_by": "王五", "content": "还有两户未通电"},
    )
    assert response.status_code == 302
    assert application.objections.get().content == "还有两户未通电"


def test_the_county_approves_on_the_page_and_a_double_submit_is_refused(client, place, people):
    application = proposed(place["jia_cun"], people, days_ago=10)
    client.force_login(people["county"])
    detail = client.get(reverse("unit_exit:detail", args=[application.pk]))
    assert detail.context["progress"].may_act
    assert 'name="step" value="proposed"' in html(detail)

    url = reverse("unit_exit:advance", args=[application.pk])
    form = {"step": "proposed", "decision": "approve", "comment": "同意出列"}
    assert client.post(url, form).status_code == 302
    place["jia_cun"].refresh_from_db()
    assert place["jia_cun"].exit_year == 2016

    again = client.post(url, form, follow=True)  # the same form sent twice
    assert "该申请已不在“乡镇申请”这一步，现为“县审批认定”" in html(again)
    assert application.steps.count() == 2


def test_the_township_cannot_approve_and_the_county_cannot_approve_during_the_notice(client, place, people):
    application = proposed(place["jia_cun"], people)
    client.force_login(people["township"])
    assert not client.get(reverse("unit_exit:detail", args=[application.pk])).context["progress"].may_act

    client.force_login(people["county"])
    response = client.post(
        reverse("unit_exit:advance", args=[application.pk]), {"step": "proposed", "decision": "approve"}
    )
    assert response.status_code == 400
    assert "期满后才能办理“县审批认定”" in html(response)


# -- scale ----------------------------------------------------------------------------------------------


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("unit_exit:list"))
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_few_and_many_applications(client, place, people):
    client.force_login(people["county"])
    jia = place["jia"]
    for _ in range(2):
        UnitExitApplication.objects.create(level="township", township=jia, year=2016, state="rejected")
    few = _list_queries(client)
    for _ in range(15):
        UnitExitApplication.objects.create(level="township", township=jia, year=2016, state="rejected")
    assert _list_queries(client) == few


def _indicator_page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("unit_exit:indicators"))
    assert response.status_code == 200
    return len(queries)


def test_the_indicator_page_costs_the_same_queries_for_few_and_many_villages(client, place, people):
    client.force_login(people["township"])
    few = _indicator_page_queries(client)
    for n in range(6):
        VillageFactory(township=place["jia"], name=f"新村{n}", is_poor=True)
    assert _indicator_page_queries(client) == few
