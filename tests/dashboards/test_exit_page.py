"""乡村出列: poverty incidence per township and poor village, and what each poor village still lacks.

The criteria are data (ExitIndicator rows seeded by migration): the incidence indicator carries the 3 %
threshold; the others are read from VillageIndicatorStatus.
"""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from households import choices
from tests.factories import (
    CountyFactory,
    NaturalVillageFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
    make_household,
    member_data,
)
from villages.models import ExitIndicator, VillageIndicatorStatus

pytestmark = pytest.mark.django_db

_birthdays = (datetime.date(1950, 1, 1) + datetime.timedelta(days=n) for n in itertools.count())


def poor_persons(village, n: int, status=choices.Status.POOR):
    """One household of ``n`` current members in ``village``."""
    members = [member_data(name="户主", born=next(_birthdays))]
    members += [member_data(choices.Relation.SON, name=f"子{i}", born=next(_birthdays)) for i in range(n - 1)]
    exit_year = 2016 if status == choices.Status.EXITED else None
    return make_household(
        natural_village=NaturalVillageFactory(village=village),
        members=members,
        status=status,
        exit_year=exit_year,
    )


def indicators():
    return {i.code: i for i in ExitIndicator.objects.filter(level=ExitIndicator.Level.VILLAGE)}


@pytest.fixture
def county():
    """甲乡 (poor, pop. 1000): 甲村 (poor, pop. 100) with 4 poor persons, road met, power not met, the rest
    not recorded; 乙村 (poor, pop. 200) with 2 poor persons and every indicator met. 乙乡 (pop. 500): 30 poor."""
    county = CountyFactory(registered_rural_population=1500)
    jia = TownshipFactory(
        county=county, name="甲乡", is_poor=True, registered_rural_population=1000, planned_exit_year=2018
    )
    yi = TownshipFactory(county=county, name="乙乡", registered_rural_population=500)
    jia_cun = VillageFactory(
        township=jia, name="甲村", is_poor=True, registered_rural_population=100, planned_exit_year=2017
    )
    yi_cun = VillageFactory(
        township=jia, name="乙村", is_poor=True, registered_rural_population=200, planned_exit_year=2016
    )
    bing_cun = VillageFactory(township=yi, name="丙村", registered_rural_population=500)
    poor_persons(jia_cun, 3)
    poor_persons(jia_cun, 1, status=choices.Status.RETURNED)  # 返贫 counts as poor
    poor_persons(jia_cun, 5, status=choices.Status.EXITED)  # exited: does not count
    poor_persons(yi_cun, 2)
    for _ in range(6):
        poor_persons(bing_cun, 5)
    codes = indicators()
    VillageIndicatorStatus.objects.create(village=jia_cun, indicator=codes["road"], met=True, note="已硬化")
    VillageIndicatorStatus.objects.create(
        village=jia_cun, indicator=codes["power"], met=False, note="正在架设"
    )
    for indicator in codes.values():
        if indicator.threshold is None:
            VillageIndicatorStatus.objects.create(village=yi_cun, indicator=indicator, met=True)
    return {"county": county, "jia": jia, "yi": yi, "jia_cun": jia_cun, "yi_cun": yi_cun}


def page(client, **params):
    response = client.get(reverse("dashboards:exit"), params)
    assert response.status_code == 200
    return response


def unit(units, name):
    return next(u for u in units if u.figures.name == name)


def test_townships_show_incidence_against_the_township_criterion(client, county):
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    overview = page(client).context["overview"]

    jia, yi = unit(overview.townships, "甲乡"), unit(overview.townships, "乙乡")
    assert (jia.figures.poor_persons, float(jia.figures.incidence)) == (3 + 1 + 2, pytest.approx(0.006))
    assert jia.ready and jia.figures.is_poor  # 0.6 % < 3 %
    assert float(yi.figures.incidence) == pytest.approx(30 / 500)
    assert not yi.ready
    assert yi.missing[0].detail == "现为 6.00%，还需减少贫困人口 16 人"  # at most 14 of 500 may be poor
    assert [u.figures.name for u in overview.villages] == ["甲村", "乙村"]  # poor villages only


def test_each_poor_village_says_what_is_still_missing(client, county):
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    response = page(client)
    overview = response.context["overview"]
    active = list(ExitIndicator.objects.filter(level="village", active=True).order_by("order"))

    jia_cun = unit(overview.villages, "甲村")
    assert float(jia_cun.figures.incidence) == pytest.approx(0.04)
    assert [c.indicator for c in jia_cun.checks] == active  # inactive indicators are not asked
    met = {c.indicator.code: (c.met, c.detail) for c in jia_cun.checks}
    assert met["incidence"] == (False, "现为 4.00%，还需减少贫困人口 2 人")  # 2 of 100 is below 3 %
    assert met["road"] == (True, "已硬化")
    assert met["power"] == (False, "正在架设")
    assert met["broadband"] == (False, "未填报")
    assert "collective_income" not in met  # 村集体经济收入 is inactive in the seed

    yi_cun = unit(overview.villages, "乙村")
    assert yi_cun.ready and not yi_cun.missing  # 1 % and every indicator met

    html = response.content.decode()
    missing_line = "还差：贫困发生率低于 3%（现为 4.00%，还需减少贫困人口 2 人）、通动力电（三相电）"
    assert missing_line in html
    assert "已具备出列条件" in html
    assert "计划2017年出列" in html
    assert "县级无摘帽任务" in html  # 元谋县 has no exit of its own


def test_the_thresholds_are_data(client, county):
    ExitIndicator.objects.filter(level="village", code="incidence").update(threshold="0.05")
    ExitIndicator.objects.filter(level="village", code="power").update(active=False)
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))

    jia_cun = unit(page(client).context["overview"].villages, "甲村")

    codes = {c.indicator.code: c.met for c in jia_cun.checks}
    assert codes["incidence"] is True  # 4 % < 5 %
    assert "power" not in codes


def test_a_township_official_sees_their_township_and_a_village_official_their_village(client, county):
    client.force_login(UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=county["yi"]))
    overview = page(client).context["overview"]
    assert [u.figures.name for u in overview.townships] == ["乙乡"]
    assert overview.villages == []  # 乙乡 has no poor village
    assert overview.county is None  # part of the county's households: no county incidence

    client.force_login(UserFactory(role=Role.VILLAGE_OFFICIAL, village=county["jia_cun"]))
    overview = page(client).context["overview"]
    assert [u.figures.name for u in overview.villages] == ["甲村"]
    assert overview.townships == []  # their view of the township would be partial


def test_the_page_filters_by_township(client, county):
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    overview = page(client, township=county["yi"].pk).context["overview"]
    assert [u.figures.name for u in overview.townships] == ["乙乡"]
    assert overview.villages == []


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        page(client)
    return len(queries)


def test_the_query_count_does_not_grow_with_the_villages(client, county):
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    few = _queries(client)
    codes = indicators()
    for _ in range(4):
        township = TownshipFactory(county=county["county"], is_poor=True)
        for _ in range(3):
            village = VillageFactory(township=township, is_poor=True)
            poor_persons(village, 2)
            VillageIndicatorStatus.objects.create(village=village, indicator=codes["road"], met=True)
    assert _queries(client) == few
