"""API (DESIGN.md §7): work-units/, cadres/, pairings/, revisit-rounds/ — scope, filters, writes through the
services, Chinese refusals, constant query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from assignments.models import Cadre, Pairing, RevisitRound, WorkUnit
from tests.clients import ids
from tests.factories import CadreFactory, PairingFactory, make_household

pytestmark = pytest.mark.django_db
D = datetime.date


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def pairings_state() -> list:
    return list(
        Pairing.objects.order_by("pk").values_list("pk", "cadre_id", "household_id", "started_on", "ended_on")
    )


# -- pairings -----------------------------------------------------------------------------------------


def test_pairings_carry_the_fixed_names(data, users):
    body = api(users["county_admin"]).get("/api/v1/pairings/").json()
    assert set(body) >= {"count", "next", "results"}
    row = next(r for r in body["results"] if r["household"] == data["h"][1].pk)
    assert row["cadre"] == data["zhang"].pk
    assert (row["started_on"], row["ended_on"], row["active"]) == ("2016-01-01", None, True)
    assert row["cadre_name"] == "张一" and row["household_number"] == "H001"


def test_pairings_filter_by_cadre_household_active_and_id(data, users):
    client = api(users["county_admin"])
    h, li = data["h"], data["li"]
    li_all = {p.pk for p in Pairing.objects.filter(cadre=li)}
    li_active = {p.pk for p in Pairing.objects.filter(cadre=li, ended_on__isnull=True)}
    assert ids(client.get(f"/api/v1/pairings/?cadre={li.pk}")) == li_all
    assert ids(client.get(f"/api/v1/pairings/?cadre={li.pk}&active=true")) == li_active
    assert ids(client.get(f"/api/v1/pairings/?cadre={li.pk}&active=false")) == li_all - li_active
    assert ids(client.get(f"/api/v1/pairings/?household={h[7].pk}")) == {
        p.pk for p in Pairing.objects.filter(household=h[7])
    }
    one = Pairing.objects.filter(household=h[1]).get()
    assert ids(client.get(f"/api/v1/pairings/?id={one.pk}")) == {one.pk}
    assert ids(client.get(f"/api/v1/pairings/?village={data['bing_cun'].pk}&active=true")) == {
        p.pk for p in Pairing.objects.filter(household__village=data["bing_cun"], ended_on__isnull=True)
    }


def test_a_bad_filter_answers_400_not_500(users):
    response = api(users["county_admin"]).get("/api/v1/pairings/?cadre=abc")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "role, villages",
    [
        ("county_admin", {"甲村", "乙村", "丙村"}),
        ("inspector", {"甲村", "乙村", "丙村"}),
        ("township_official", {"甲村", "乙村"}),
        ("village_official", {"丙村"}),
    ],
)
def test_pairings_are_scoped(data, users, role, villages):
    rows = api(users[role]).get("/api/v1/pairings/?page_size=500").json()["results"]
    names = {Pairing.objects.get(pk=r["id"]).household.village.name for r in rows}
    assert names == villages


def test_a_cadre_sees_their_own_pairings(data, users):
    rows = api(users["cadre"]).get("/api/v1/pairings/").json()["results"]
    assert {r["cadre"] for r in rows} == {data["zhang"].pk}


def test_the_pairings_list_takes_the_same_queries_whatever_its_length(data, users):
    client = api(users["county_admin"])
    with CaptureQueriesContext(connection) as before:
        client.get("/api/v1/pairings/")
    for _ in range(6):
        PairingFactory(cadre=data["wang"], household=make_household(natural_village=data["nv"]["bing"]))
    with CaptureQueriesContext(connection) as after:
        client.get("/api/v1/pairings/")
    assert len(after) == len(before)


def test_pairing_and_re_pairing_through_the_api(data, users):
    client = api(users["township_official"])
    h = data["h"]
    created = client.post(
        "/api/v1/pairings/", {"cadre": data["spare"].pk, "household": h[8].pk, "started_on": "2016-06-01"}
    )
    assert created.status_code == 201, created.content
    assert created.json()["active"] is True and created.json()["cadre_name"] == "赵四"
    repaired = client.post(
        "/api/v1/pairings/", {"cadre": data["zhang"].pk, "household": h[8].pk, "started_on": "2016-07-01"}
    )
    assert repaired.status_code == 201
    first = Pairing.objects.get(pk=created.json()["id"])
    assert first.ended_on == D(2016, 7, 1)  # re-pairing ended the earlier pairing; history kept


def test_ending_a_pairing_through_the_api(data, users):
    pairing = Pairing.objects.get(household=data["h"][1])
    client = api(users["township_official"])
    response = client.post(f"/api/v1/pairings/{pairing.pk}/end/", {"ended_on": "2016-08-01"})
    assert response.status_code == 200
    assert response.json()["ended_on"] == "2016-08-01" and response.json()["active"] is False
    again = client.post(f"/api/v1/pairings/{pairing.pk}/end/", {"ended_on": "2016-08-02"})
    assert again.status_code == 400
    assert "该结对已结束" in str(again.json())


@pytest.mark.parametrize(
    "payload, field, message",
    [
        ({"started_on": "2016-06-01"}, "cadre", ""),
        ({"cadre": "SPARE", "started_on": "六月"}, "started_on", ""),
        ({"cadre": "OUTSIDER", "started_on": "2016-06-01"}, "cadre", "未挂联该村"),
        ({"cadre": "ZHANG", "started_on": "2016-06-01", "household": "H1"}, "cadre", "已在帮扶该户"),
        ({"cadre": "LI", "started_on": "2015-06-01", "household": "H1"}, "started_on", "不能早于原结对"),
        ({"cadre": "SPARE", "started_on": "2016-06-01", "household": "H4"}, "household", ""),  # 乙乡's
    ],
)
def test_bad_pairings_are_refused_in_chinese_and_nothing_changes(data, users, payload, field, message):
    outsider = CadreFactory(name="外单位")
    names = {
        "SPARE": data["spare"].pk,
        "OUTSIDER": outsider.pk,
        "ZHANG": data["zhang"].pk,
        "LI": data["li"].pk,
        "H1": data["h"][1].pk,
        "H4": data["h"][4].pk,
    }
    body = {"household": data["h"][8].pk, **{k: names.get(v, v) for k, v in payload.items()}}
    before = pairings_state()
    response = api(users["township_official"]).post("/api/v1/pairings/", body)
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors
    assert message in str(errors[field])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(errors))  # in Chinese
    assert pairings_state() == before


@pytest.mark.parametrize("role", ["village_official", "inspector", "cadre"])
def test_roles_that_may_not_pair_get_403(data, users, role):
    before = pairings_state()
    response = api(users[role]).post(
        "/api/v1/pairings/",
        {"cadre": data["wang"].pk, "household": data["h"][4].pk, "started_on": "2016-06-01"},
    )
    assert response.status_code == 403
    pairing = Pairing.objects.get(household=data["h"][4])
    assert api(users[role]).post(
        f"/api/v1/pairings/{pairing.pk}/end/", {"ended_on": "2016-08-01"}
    ).status_code in (
        403,
        404,
    )
    assert pairings_state() == before


def test_ending_a_pairing_out_of_scope_is_404(data, users):
    pairing = Pairing.objects.get(household=data["h"][4])  # 乙乡
    response = api(users["township_official"]).post(
        f"/api/v1/pairings/{pairing.pk}/end/", {"ended_on": "2016-08-01"}
    )
    assert response.status_code == 404
    assert Pairing.objects.get(pk=pairing.pk).ended_on is None


def test_pairings_are_never_deleted_or_edited(data, users):
    pairing = Pairing.objects.get(household=data["h"][1])
    client = api(users["county_admin"])
    assert client.delete(f"/api/v1/pairings/{pairing.pk}/").status_code == 405
    assert client.patch(f"/api/v1/pairings/{pairing.pk}/", {"started_on": "2016-02-01"}).status_code == 405


# -- cadres and work units ----------------------------------------------------------------------------


def test_cadres_carry_name_unit_and_phone(data, users):
    rows = api(users["county_admin"]).get(f"/api/v1/cadres/?unit={data['water'].pk}").json()["results"]
    assert [(r["name"], r["unit"], r["phone"], r["unit_name"]) for r in rows] == [
        ("王三", data["water"].pk, "13900000003", "县水务局")
    ]


def test_cadres_are_scoped(data, users):
    assert {r["name"] for r in api(users["village_official"]).get("/api/v1/cadres/").json()["results"]} == {
        "王三"
    }
    assert {r["name"] for r in api(users["cadre"]).get("/api/v1/cadres/").json()["results"]} == {"张一"}
    assert api(users["village_official"]).get(f"/api/v1/cadres/{data['zhang'].pk}/").status_code == 404


def test_the_county_admin_adds_and_changes_cadres(data, users):
    client = api(users["county_admin"])
    created = client.post(
        "/api/v1/cadres/", {"name": "钱五", "unit": data["water"].pk, "post": "科员", "phone": "13912345678"}
    )
    assert created.status_code == 201, created.content
    changed = client.patch(f"/api/v1/cadres/{created.json()['id']}/", {"phone": "0878-8212345"})
    assert changed.status_code == 200 and changed.json()["phone"] == "0878-8212345"


@pytest.mark.parametrize(
    "payload, field, message",
    [
        ({"name": "钱五", "phone": "12345"}, "phone", "格式不对"),
        ({"name": ""}, "name", ""),
    ],
)
def test_bad_cadres_are_refused_in_chinese(data, users, payload, field, message):
    count = Cadre.objects.count()
    response = api(users["county_admin"]).post("/api/v1/cadres/", {"unit": data["water"].pk, **payload})
    assert response.status_code == 400
    assert field in response.json() and message in str(response.json()[field])
    assert Cadre.objects.count() == count


def test_a_cadre_still_helping_households_cannot_be_stood_down(data, users):
    response = api(users["county_admin"]).patch(f"/api/v1/cadres/{data['wang'].pk}/", {"active": False})
    assert response.status_code == 400
    assert "仍在帮扶" in str(response.json())
    assert Cadre.objects.get(pk=data["wang"].pk).active


@pytest.mark.parametrize("role", ["township_official", "village_official", "inspector", "cadre"])
def test_only_the_county_admin_writes_cadres_and_units(data, users, role):
    client = api(users[role])
    assert client.post("/api/v1/cadres/", {"name": "钱五", "unit": data["water"].pk}).status_code == 403
    assert client.post("/api/v1/work-units/", {"name": "县新单位"}).status_code == 403
    assert (
        not Cadre.objects.filter(name="钱五").exists()
        and not WorkUnit.objects.filter(name="县新单位").exists()
    )


def test_work_units_with_their_villages_and_filters(data, users):
    client = api(users["county_admin"])
    rows = {r["name"]: r for r in client.get("/api/v1/work-units/").json()["results"]}
    assert sorted(rows["县水务局"]["villages"]) == sorted([data["yi_cun"].pk, data["bing_cun"].pk])
    assert rows["县财政局"]["cadre_count"] == 3
    assert rows["县财政局"]["level_display"] == "县级"
    assert ids(client.get(f"/api/v1/work-units/?village={data['bing_cun'].pk}")) == {data["water"].pk}
    scoped = api(users["village_official"]).get("/api/v1/work-units/").json()["results"]
    assert [(r["name"], r["villages"]) for r in scoped] == [("县水务局", [data["bing_cun"].pk])]


def test_the_county_admin_creates_a_unit_with_its_villages(data, users):
    client = api(users["county_admin"])
    response = client.post(
        "/api/v1/work-units/",
        {"name": "县林业局", "level": "county", "village_ids": [data["jia_cun"].pk]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["villages"] == [data["jia_cun"].pk]
    duplicate = client.post("/api/v1/work-units/", {"name": "县林业局"}, format="json")
    assert duplicate.status_code == 400
    missing = client.post("/api/v1/work-units/", {"name": "县审计局", "village_ids": [999999]}, format="json")
    assert missing.status_code == 400 and "未找到行政村" in str(missing.json())
    assert not WorkUnit.objects.filter(name="县审计局").exists()


# -- revisit rounds -----------------------------------------------------------------------------------


def test_rounds_list_and_detail_with_completion(data, users):
    client = api(users["township_official"])
    rows = client.get("/api/v1/revisit-rounds/").json()["results"]
    assert {r["name"] for r in rows} == {"2016年第1轮", "2016年第2轮"}
    detail = client.get(f"/api/v1/revisit-rounds/{data['round'].pk}/?group_by=cadre").json()
    completion = detail["completion"]
    assert completion["group_by"] == "cadre"
    assert {r["name"]: (r["due"], r["visited"], r["overdue"]) for r in completion["rows"]} == {
        "张一": (2, 1, 1),
        "李二": (1, 1, 0),
        "王三": (1, 1, 0),
    }
    assert (completion["total"]["due"], completion["total"]["visited"]) == (4, 3)
    default = client.get(f"/api/v1/revisit-rounds/{data['round'].pk}/").json()
    assert default["completion"]["group_by"] == "village"


def test_a_bad_group_by_is_a_chinese_400(data, users):
    response = api(users["county_admin"]).get(f"/api/v1/revisit-rounds/{data['round'].pk}/?group_by=planet")
    assert response.status_code == 400
    assert "分组方式" in str(response.json())


def test_round_detail_takes_the_same_queries_whatever_the_size(data, users):
    client = api(users["county_admin"])
    url = f"/api/v1/revisit-rounds/{data['round'].pk}/?group_by=unit"
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for _ in range(5):
        PairingFactory(
            cadre=CadreFactory(unit=data["water"]),
            household=make_household(natural_village=data["nv"]["bing"]),
            started_on=D(2016, 1, 1),
        )
    with CaptureQueriesContext(connection) as after:
        body = client.get(url).json()
    assert len(after) == len(before)
    assert {r["name"]: r["due"] for r in body["completion"]["rows"]}["县水务局"] == 8


def test_the_county_admin_creates_rounds_and_overlaps_are_refused(data, users):
    client = api(users["county_admin"])
    created = client.post(
        "/api/v1/revisit-rounds/",
        {"year": 2016, "number": 3, "starts_on": "2016-04-01", "ends_on": "2016-04-30"},
    )
    assert created.status_code == 201, created.content
    assert created.json()["name"] == "2016年第3轮"
    overlap = client.post(
        "/api/v1/revisit-rounds/",
        {"year": 2016, "number": 4, "starts_on": "2016-04-15", "ends_on": "2016-05-30"},
    )
    assert overlap.status_code == 400
    assert "日期重叠" in str(overlap.json())
    assert not RevisitRound.objects.filter(number=4).exists()


def test_only_the_county_admin_creates_rounds(data, users):
    response = api(users["township_official"]).post(
        "/api/v1/revisit-rounds/",
        {"year": 2016, "number": 3, "starts_on": "2016-04-01", "ends_on": "2016-04-30"},
    )
    assert response.status_code == 403
    assert not RevisitRound.objects.filter(number=3).exists()
