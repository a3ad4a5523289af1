"""The cadre's phone shows which paired households are monitoring objects (kind and state), in a fixed
number of queries whatever the number of households or objects."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from households import choices as hh
from households.models import Household
from monitoring.choices import FoundBy
from monitoring.models import MonitoringObject
from monitoring.services import candidate_raise, monitoring_object_advance
from tests.factories import NaturalVillageFactory, PairingFactory, UserFactory, make_household

pytestmark = pytest.mark.django_db

M = "/assignments/m/"


def exited(**kw) -> Household:
    household = make_household(natural_village=NaturalVillageFactory(), **kw)
    Household.objects.filter(pk=household.pk).update(status=hh.Status.EXITED, exit_year=2016)
    household.refresh_from_db()
    return household


def monitored(household, reason="户主住院"):
    return candidate_raise(household=household, risk_types=["因病"], found_by=FoundBy.VISIT, reason=reason)


def markers(html: str) -> list[str]:
    import re

    return [
        re.sub(r"\s+", " ", m).strip() for m in re.findall(r"<span[^>]*data-marker[^>]*>(.*?)</span>", html)
    ]


def test_the_household_list_marks_the_monitoring_objects_with_kind_and_state(client, paired):
    watched = exited()
    PairingFactory(cadre=paired["cadre"], household=watched)
    monitored(watched)
    client.force_login(paired["user"])

    html = client.get(M).content.decode()

    assert markers(html) == ["脱贫不稳定户 · 发现"]
    card = html.split(f'data-household-id="{watched.pk}"')[1].split("</li>")[0]
    assert "脱贫不稳定户 · 发现" in card


def test_the_household_page_shows_the_state_as_it_moves_and_not_once_it_ends(client, paired):
    household = exited()
    PairingFactory(cadre=paired["cadre"], household=household)
    obj = monitored(household)
    village_official = UserFactory(role="village_official", village=household.village)
    client.force_login(paired["user"])
    page = f"{M}households/{household.pk}/"

    assert markers(client.get(page).content.decode()) == ["脱贫不稳定户 · 发现"]
    monitoring_object_advance(obj=obj, user=village_official, decision="approve", comment="已核实")
    assert markers(client.get(page).content.decode()) == ["脱贫不稳定户 · 村级核实"]
    MonitoringObject.objects.filter(pk=obj.pk).update(state="cleared", cleared_on=datetime.date(2026, 1, 1))
    assert markers(client.get(page).content.decode()) == []


def test_a_household_not_monitored_has_no_marker(client, paired):
    client.force_login(paired["user"])
    assert markers(client.get(M).content.decode()) == []
    assert markers(client.get(f"{M}households/{paired['household'].pk}/").content.decode()) == []


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_markers_cost_one_query_whatever_the_households(client, paired):
    client.force_login(paired["user"])
    without = _queries(client, M)
    first = exited()
    PairingFactory(cadre=paired["cadre"], household=first)
    monitored(first)
    few = _queries(client, M)
    for _ in range(5):
        more = exited()
        PairingFactory(cadre=paired["cadre"], household=more)
        monitored(more)

    assert _queries(client, M) == few
    assert few == without  # the markers' one query runs whether or not any household is marked
    assert markers(client.get(M).content.decode()).count("脱贫不稳定户 · 发现") == 6


def test_the_household_page_query_count_is_fixed(client, paired):
    household = exited()
    PairingFactory(cadre=paired["cadre"], household=household)
    client.force_login(paired["user"])
    page = f"{M}households/{household.pk}/"
    before = _queries(client, page)
    monitored(household)
    assert _queries(client, page) == before
