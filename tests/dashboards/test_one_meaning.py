"""One meaning per figure: for each unit of a small county, the dashboard, stats/, the household list's
count and the roster export's rows agree (registered households, current members)."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from households import choices
from households.models import AssistanceMeasure
from households.roster_io import household_export_queryset, households_export
from tests.factories import NaturalVillageFactory
from tests.test_pages import county_data, household, signed_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _units(data):
    yield "county", None, {}, reverse("dashboards:county")
    for township in (data["jia"], data["yi"]):
        yield (
            "township",
            township.pk,
            {"township": township.pk},
            reverse("dashboards:township", args=[township.pk]),
        )
        for village in township.villages.all():
            yield (
                "village",
                village.pk,
                {"village": village.pk},
                reverse("dashboards:village", args=[village.pk]),
            )


def test_each_unit_dashboard_stats_list_and_export_agree(client, county_data):  # noqa: F811
    user = signed_in(client, role=Role.COUNTY_ADMIN)
    api = APIClient()
    api.force_authenticate(user)
    walked = 0
    for level, unit_id, params, url in _units(county_data):
        board = client.get(url).context["board"]
        stats = api.get("/api/v1/stats/", params).json()
        listed = client.get(reverse("households:list"), params).context["page_obj"].paginator.count
        written = households_export(
            user=user, queryset=household_export_queryset(user=user, filters=params), stream=io.BytesIO()
        )
        figures = board.figures
        assert figures.households == stats["households"] == listed == written["households"], (level, unit_id)
        assert figures.persons == stats["persons"] == written["members"], (level, unit_id)
        walked += 1
    assert walked == 1 + 2 + 3
    # The fixture's removed household (5 persons) and the departed member count nowhere by default...
    assert client.get(reverse("households:list")).context["page_obj"].paginator.count == 5
    # ...and are there when asked for explicitly.
    assert (
        client.get(reverse("households:list"), {"removed": "include"}).context["page_obj"].paginator.count
        == 6
    )
    assert (
        client.get(reverse("households:list"), {"removed": "only"}).context["page_obj"].paginator.count == 1
    )
    assert (
        client.get(reverse("households:list"), {"status": "removed"}).context["page_obj"].paginator.count == 1
    )


def test_every_dashboard_number_links_to_a_list_showing_that_number(client, county_data):  # noqa: F811
    signed_in(client, role=Role.TOWNSHIP_OFFICIAL, township=county_data["jia"])
    AssistanceMeasure.objects.create(
        household=county_data["households"]["poor2"],
        year=2016,
        category=choices.FIVE_BATCHES[0],
        description="养牛",
    )
    response = client.get(reverse("home"))
    board = response.context["board"]
    html = response.content.decode()
    jia = county_data["jia"].pk
    checks = [
        ({"township": jia}, board.figures.households),
        ({"township": jia, "poor": 1}, board.figures.poor_households),
        ({"township": jia, "status": "exited"}, board.figures.exited_households),
        ({"township": jia, "batch": choices.FIVE_BATCHES[0]}, board.batches[0].households),
    ]
    for cause in board.causes:
        checks.append(({"township": jia, "cause": cause["cause"]}, cause["households"]))
    for year in board.by_year:
        checks.append(({"township": jia, "year": year["year"], "status": "removed"}, year["removed"]))
    for params, number in checks:
        listed = client.get(reverse("households:list"), params).context["page_obj"].paginator.count
        assert listed == number, params
    assert board.batches[0].households == 1
    assert f'href="{reverse("dashboards:village", args=[county_data["jia_cun"].pk])}"' in html
    assert reverse("dashboards:township-xlsx", args=[jia]) in html


def test_look_filters_match_the_dashboard(client, county_data):  # noqa: F811
    hh = county_data["households"]
    hh["poor2"].eligible = True
    hh["poor2"].save(update_fields=["eligible"])
    hh["exited4"].eligible = False
    hh["exited4"].save(update_fields=["eligible"])
    signed_in(client, role=Role.COUNTY_ADMIN)
    board = client.get(reverse("dashboards:county")).context["board"]
    assert board.look == {"unproposed": 1, "exited_below": 1}
    for key in ("unproposed", "exited_below"):
        assert client.get(reverse("households:list"), {"look": key}).context["page_obj"].paginator.count == 1


def test_a_dashboard_out_of_scope_is_a_404(client, county_data):  # noqa: F811
    signed_in(client, role=Role.TOWNSHIP_OFFICIAL, township=county_data["jia"])
    assert client.get(reverse("dashboards:township", args=[county_data["yi"].pk])).status_code == 404
    assert client.get(reverse("dashboards:township", args=[county_data["jia"].pk])).status_code == 200


def test_dashboard_downloads_a_workbook_with_a_sheet_per_table(client, county_data):  # noqa: F811
    from openpyxl import load_workbook

    signed_in(client, role=Role.COUNTY_ADMIN)
    response = client.get(reverse("dashboards:county-xlsx"))
    assert response.status_code == 200
    book = load_workbook(
        io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))
    )
    assert {"总体情况", "各乡镇排名", "分年度", "致贫原因", "五个一批", "待核查"} <= set(book.sheetnames)
    overall = list(book["总体情况"].iter_rows(values_only=True))
    assert overall[1][1] == 5 and overall[1][2] == 12  # registered households and current persons


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("level", ["county", "township", "village"])
def test_dashboard_query_count_is_fixed_whatever_the_data(client, county_data, level):  # noqa: F811
    signed_in(client, role=Role.COUNTY_ADMIN)
    url = {
        "county": reverse("dashboards:county"),
        "township": reverse("dashboards:township", args=[county_data["jia"].pk]),
        "village": reverse("dashboards:village", args=[county_data["jia_cun"].pk]),
    }[level]
    small = _queries(client, url)
    for i in range(4):
        nv = NaturalVillageFactory(village=county_data["jia_cun"])
        household(nv, persons=2, household_number=f"Z{i:03d}")
    assert _queries(client, url) == small


def test_no_request_to_another_host_in_the_dashboard(client, county_data):  # noqa: F811
    signed_in(client, role=Role.COUNTY_ADMIN)
    html = client.get(reverse("dashboards:county")).content.decode()
    assert "/static/vendor/echarts/echarts.min.js" in html
    assert "http://" not in html and "https://" not in html and "//cdn" not in html


def test_above_the_size_setting_the_dashboard_reads_the_summary_table(client, county_data, settings):  # noqa: F811
    from households.services import village_figures_refresh

    signed_in(client, role=Role.COUNTY_ADMIN)
    live = client.get(reverse("dashboards:county")).context["board"]
    assert not live.from_summary
    village_figures_refresh()
    settings.DASHBOARD_SUMMARY_ABOVE = -1
    for url in (reverse("dashboards:county"), reverse("dashboards:township", args=[county_data["jia"].pk])):
        response = client.get(url)
        board = response.context["board"]
        assert board.from_summary
        assert "汇总表" in response.content.decode()
    county = client.get(reverse("dashboards:county")).context["board"]
    assert county.figures.households == live.figures.households == 5
    assert county.figures.persons == live.figures.persons
    assert {(r.name, r.households, r.persons) for r in county.rows} == {
        (r.name, r.households, r.persons) for r in live.rows
    }
    # Query counts stay fixed with the summary too.
    small = _queries(client, reverse("dashboards:county"))
    for i in range(3):
        household(
            NaturalVillageFactory(village=county_data["jia_cun"]), persons=2, household_number=f"S{i:03d}"
        )
    village_figures_refresh()
    client.get(reverse("dashboards:county"))  # warm: the sections are cached per summary refresh
    assert _queries(client, reverse("dashboards:county")) == small


def test_a_county_approval_queues_one_summary_refresh(county_data, django_capture_on_commit_callbacks):  # noqa: F811
    from core.models import Job
    from households.services import figures_refresh_enqueue

    with django_capture_on_commit_callbacks(execute=False):
        assert figures_refresh_enqueue() is not None
        assert figures_refresh_enqueue() is None  # one queued refresh is enough
    assert Job.objects.filter(kind="figures_refresh").count() == 1


def test_the_battle_map_draws_units_with_coordinates_and_lists_the_others(client, county_data):  # noqa: F811
    from decimal import Decimal

    nv = county_data["households"]["poor2"].natural_village
    nv.latitude, nv.longitude = Decimal("25.7"), Decimal("101.87")
    nv.save()
    signed_in(client, role=Role.COUNTY_ADMIN)
    response = client.get(reverse("dashboards:map"))
    assert response.status_code == 200
    data = response.context["map"]
    assert [p["id"] for p in data.points] == [nv.pk]
    assert data.points[0]["households"] == 2  # 甲组: two poor households
    assert len(data.missing) >= 4
    html = response.content.decode()
    assert (
        "/static/vendor/leaflet/leaflet.js" in html and "http" not in html.split("battle-map-data")[1][:2000]
    )
    assert "size: A3" in open("static/css/dashboard.css").read()


def test_stats_and_village_dashboard_read_the_summary_above_the_size_setting(client, county_data, settings):  # noqa: F811
    from households.services import village_figures_refresh

    user = signed_in(client, role=Role.COUNTY_ADMIN)
    api = APIClient()
    api.force_authenticate(user)
    village_figures_refresh()
    settings.DASHBOARD_SUMMARY_ABOVE = -1
    jia_cun = county_data["jia_cun"]
    board = client.get(reverse("dashboards:village", args=[jia_cun.pk])).context["board"]
    assert board.from_summary and (board.figures.households, board.figures.persons) == (3, 6)
    assert len(board.rows) == 2  # its natural villages, counted live
    # A new household is not in the summary until the refresh: stats/ and the dashboard agree meanwhile.
    household(NaturalVillageFactory(village=jia_cun), persons=2, household_number="N001")
    assert api.get("/api/v1/stats/", {"village": jia_cun.pk}).json()["households"] == 3
    village_figures_refresh()
    assert api.get("/api/v1/stats/", {"village": jia_cun.pk}).json()["households"] == 4


def test_the_registry_list_is_a_sortable_table_on_a_desk_and_cards_on_a_phone(client, county_data):  # noqa: F811
    signed_in(client, role=Role.COUNTY_ADMIN)
    html = client.get(reverse("households:list")).content.decode()
    # One list: the table's rows are the phone's cards (laid out by _styles.html below lg), each household
    # drawn once, with the cells only a card shows hidden on a desk.
    assert html.count('data-household-row="A001"') == 1 and "data-household=" not in html
    assert "data-sortable" in html and "@media (max-width: 991.98px)" in html
    row = html[html.index('data-household-row="A001"') :].split("</tr>")[0]
    assert 'class="app-c-name"' in row and 'class="app-c-decision"' in row and 'class="d-lg-none"' in row
    assert "/static/js/sortable_table.js" in html
