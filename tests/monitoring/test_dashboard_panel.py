"""The monitoring panel on the county, township and village dashboards: objects by kind and state, new this
month, cleared this year. Every number links to the monitoring list filtered to it, and that list shows the
same number; the panel costs the dashboard one query, whatever the data."""

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from households import choices as hh
from households.models import Household
from monitoring.choices import FoundBy, Kind, State
from monitoring.models import MonitoringObject
from monitoring.selectors import monitoring_panel
from tests.factories import (
    NaturalVillageFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
    make_household,
)

pytestmark = pytest.mark.django_db


def watch(village, kind=Kind.UNSTABLE, state=State.MONITORED, identified_on=None, cleared_on=None):
    household = make_household(natural_village=NaturalVillageFactory(village=village))
    status = {Kind.MARGINAL: hh.Status.GENERAL, Kind.UNSTABLE: hh.Status.EXITED}.get(kind, hh.Status.POOR)
    Household.objects.filter(pk=household.pk).update(
        status=status, exit_year=2016 if status == hh.Status.EXITED else None
    )
    return MonitoringObject.objects.create(
        household=household,
        kind=kind,
        risk_types=["因病"],
        found_by=FoundBy.VISIT,
        identified_on=identified_on or timezone.localdate() - datetime.timedelta(days=400),
        state=state,
        cleared_on=cleared_on,
    )


@pytest.fixture
def county(db):
    today = timezone.localdate()
    north, south = TownshipFactory(name="姜驿乡"), TownshipFactory(name="老城乡")
    boheng, other = (
        VillageFactory(township=south, name="波亨村"),
        VillageFactory(township=south, name="小河村"),
    )
    far = VillageFactory(township=north, name="姜驿村")
    watch(boheng)
    watch(boheng, state=State.FOUND, identified_on=today)  # new this month
    watch(boheng, kind=Kind.SUDDEN, state=State.CLEARED, cleared_on=today)  # cleared this year
    watch(boheng, state=State.CLEARED, cleared_on=datetime.date(today.year - 1, 6, 1))  # cleared last year
    watch(other, kind=Kind.MARGINAL, state=State.VILLAGE_CHECKED, identified_on=today)
    watch(other, kind=Kind.MARGINAL, state=State.REJECTED)
    watch(far, state=State.TOWNSHIP_REVIEWED, identified_on=today.replace(day=1) - datetime.timedelta(days=1))
    return {"north": north, "south": south, "boheng": boheng, "other": other, "far": far}


def panel_links(html: str) -> list[tuple[str, int]]:
    """(href, number) of every link in the panel."""
    section = html.split('id="monitoring-panel"')[1].split("</section>")[0]
    found = []
    for href, text in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>(.*?)</a>', section, re.S):
        number = re.findall(r"\d+", text)
        found.append((unescape(href), int(number[-1])))
    return found


def listed(client, href: str) -> int:
    html = client.get(href).content.decode()
    return int(re.search(r'data-count="(\d+)"', html).group(1))


@pytest.mark.parametrize("level", ["county", "township", "village"])
def test_every_number_of_the_panel_is_what_its_link_lists(client, county, level):
    client.force_login(UserFactory(role="county_admin"))
    url = {
        "county": reverse("dashboards:county"),
        "township": reverse("dashboards:township", args=[county["south"].pk]),
        "village": reverse("dashboards:village", args=[county["boheng"].pk]),
    }[level]
    links = panel_links(client.get(url).content.decode())

    assert len(links) == 3 + 3 * (len(State) + 1) + len(State) + 1  # header, kinds × states, totals
    for href, number in links:
        assert listed(client, href) == number, href


def test_the_figures_per_unit(county):
    from core.access import Access

    access = Access.for_user(UserFactory(role="county_admin"))
    whole = monitoring_panel(access=access)
    south = monitoring_panel(access=access, township=county["south"].pk)
    boheng = monitoring_panel(access=access, village=county["boheng"].pk)

    assert (whole.total, whole.new_this_month, whole.cleared_this_year) == (7, 2, 1)
    assert (south.total, south.new_this_month, south.cleared_this_year) == (6, 2, 1)
    assert (boheng.total, boheng.new_this_month, boheng.cleared_this_year) == (4, 1, 1)
    by = {row.kind: dict(row.by_state) for row in boheng.rows}
    assert by[Kind.UNSTABLE] == {
        **dict.fromkeys(State, 0),
        State.MONITORED: 1,
        State.FOUND: 1,
        State.CLEARED: 1,
    }
    assert by[Kind.SUDDEN][State.CLEARED] == 1 and sum(by[Kind.MARGINAL].values()) == 0
    assert dict(whole.totals)[State.REJECTED] == 1


def test_a_township_official_sees_their_township_only(client, county):
    client.force_login(UserFactory(role="township_official", township=county["north"]))
    (total_href, total), *_ = panel_links(client.get(reverse("home")).content.decode())
    assert total_href == reverse("monitoring:list") + f"?township={county['north'].pk}&"
    assert total == listed(client, total_href) == 1
    # A link to another unit's figures lists nothing the official may not see.
    assert listed(client, reverse("monitoring:list") + f"?township={county['south'].pk}") == 0


def test_the_panel_is_one_query(county, django_assert_num_queries):
    from core.access import Access

    access = Access.for_user(UserFactory(role="county_admin"))
    with django_assert_num_queries(1):
        monitoring_panel(access=access, township=county["south"].pk)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("level", ["county", "township", "village"])
def test_the_panel_adds_exactly_one_query_to_the_dashboard_whatever_the_data(
    client, county, level, monkeypatch
):
    import dashboards.views

    client.force_login(UserFactory(role="county_admin"))
    url = {
        "county": reverse("dashboards:county"),
        "township": reverse("dashboards:township", args=[county["south"].pk]),
        "village": reverse("dashboards:village", args=[county["boheng"].pk]),
    }[level]
    with_panel = _queries(client, url)
    for _ in range(5):
        watch(county["boheng"], state=State.FOUND, identified_on=timezone.localdate())
        watch(county["far"], kind=Kind.SUDDEN, state=State.CLEARED, cleared_on=timezone.localdate())
    assert _queries(client, url) == with_panel

    empty = monitoring_panel(access=_nobody())
    monkeypatch.setattr(dashboards.views, "monitoring_panel", lambda **kw: empty)
    assert _queries(client, url) == with_panel - 1


def _nobody():
    """An Access that sees nothing: the empty panel the query-count test puts in place of the real one."""
    from core.access import Access

    return Access.for_user(UserFactory(role="village_official", village=VillageFactory()))
