"""Geography API (DESIGN.md §7), token auth, and the OpenAPI schema."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Role
from tests.clients import client_for, ids, token_client
from tests.factories import NaturalVillageFactory, TownshipFactory, UserFactory, VillageFactory
from villages.models import AdministrativeVillage, NaturalVillage

pytestmark = pytest.mark.django_db


@pytest.fixture
def geo():
    t1, t2 = TownshipFactory(name="姜驿乡"), TownshipFactory(name="老城乡")
    v1, v2 = VillageFactory(township=t1, name="江边村"), VillageFactory(township=t2, name="波亨村")
    nv1, nv2 = NaturalVillageFactory(village=v1), NaturalVillageFactory(village=v2)
    return {"t1": t1, "t2": t2, "v1": v1, "v2": v2, "nv1": nv1, "nv2": nv2}


# -- reading --------------------------------------------------------------------------------------------


def test_townships_list_is_paginated_with_english_fields(geo, admin):
    body = client_for(admin).get("/api/v1/townships/").json()
    assert set(body) >= {"count", "next", "results"}
    assert body["count"] == 2
    row = next(r for r in body["results"] if r["id"] == geo["t1"].pk)
    assert row["name"] == "姜驿乡"
    assert row["county_name"] == "元谋县"
    assert set(row) >= {"is_poor", "planned_exit_year", "exit_year", "registered_rural_population"}


def test_natural_village_carries_its_village_and_township(geo, admin):
    row = client_for(admin).get(f"/api/v1/natural-villages/{geo['nv2'].pk}/").json()
    assert row["village"] == geo["v2"].pk
    assert row["village_name"] == "波亨村"
    assert row["township"] == geo["t2"].pk
    assert row["township_name"] == "老城乡"


def test_lists_filter_by_foreign_key_and_id(geo, admin):
    client = client_for(admin)
    assert ids(client.get(f"/api/v1/villages/?township={geo['t1'].pk}")) == {geo["v1"].pk}
    assert ids(client.get(f"/api/v1/natural-villages/?village={geo['v2'].pk}")) == {geo["nv2"].pk}
    assert ids(client.get(f"/api/v1/natural-villages/?township={geo['t1'].pk}")) == {geo["nv1"].pk}
    assert ids(client.get(f"/api/v1/townships/?id={geo['t2'].pk}")) == {geo["t2"].pk}
    assert ids(client.get(f"/api/v1/villages/?id={geo['v1'].pk},{geo['v2'].pk}")) == {
        geo["v1"].pk,
        geo["v2"].pk,
    }
    assert ids(client.get("/api/v1/villages/?name=波亨")) == {geo["v2"].pk}


def test_a_malformed_filter_answers_400_in_chinese(geo, admin):
    response = client_for(admin).get("/api/v1/villages/?township=abc")
    assert response.status_code == 400
    assert "整数" in str(response.json()["township"])


def test_a_township_official_lists_only_their_township(geo):
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=geo["t1"])
    client = client_for(official)
    assert ids(client.get("/api/v1/townships/")) == {geo["t1"].pk}
    assert ids(client.get("/api/v1/villages/")) == {geo["v1"].pk}
    assert ids(client.get("/api/v1/natural-villages/")) == {geo["nv1"].pk}
    # Filtering by another township finds nothing rather than telling it exists.
    assert ids(client.get(f"/api/v1/villages/?township={geo['t2'].pk}")) == set()


def test_signing_in_is_required(geo):
    response = APIClient().get("/api/v1/villages/")
    assert response.status_code == 401
    assert "身份认证" in response.json()["detail"]


@pytest.mark.parametrize("endpoint", ["townships", "villages", "natural-villages"])
@pytest.mark.parametrize("role", [Role.COUNTY_ADMIN, Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL])
def test_list_query_count_does_not_grow_with_rows(endpoint, role):
    township = TownshipFactory()
    village = VillageFactory(township=township)
    NaturalVillageFactory(village=village)
    scope = {Role.TOWNSHIP_OFFICIAL: {"township": township}, Role.VILLAGE_OFFICIAL: {"village": village}}
    client = token_client(UserFactory(role=role, **scope.get(role, {})))

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/{endpoint}/").status_code == 200
        return len(queries)

    few = count_queries()
    for _ in range(3):
        TownshipFactory()
        NaturalVillageFactory(village=VillageFactory(township=township))
        NaturalVillageFactory(village=village)
    assert count_queries() == few
    # token + count + page, and the village official's own village to find their township.
    assert few <= 4


def test_the_county_list_of_natural_villages_takes_three_queries(django_assert_num_queries, admin):
    for _ in range(5):
        NaturalVillageFactory()
    client = token_client(admin)
    with django_assert_num_queries(3):  # token and user, count, page (villages and townships joined)
        body = client.get("/api/v1/natural-villages/").json()
    assert body["count"] == 5


# -- changing -------------------------------------------------------------------------------------------


def test_the_county_admin_creates_and_updates_a_village(geo, admin):
    client = client_for(admin)
    response = client.post("/api/v1/villages/", {"township": geo["t1"].pk, "name": "新村", "is_poor": True})
    assert response.status_code == 201, response.content
    village = AdministrativeVillage.objects.get(pk=response.json()["id"])
    assert village.township == geo["t1"] and village.is_poor
    response = client.patch(f"/api/v1/villages/{village.pk}/", {"planned_exit_year": 2018})
    assert response.status_code == 200
    village.refresh_from_db()
    assert village.planned_exit_year == 2018


def test_a_duplicate_village_name_in_a_township_answers_400(geo, admin):
    response = client_for(admin).post("/api/v1/villages/", {"township": geo["t1"].pk, "name": "江边村"})
    assert response.status_code == 400
    assert "唯一" in str(response.json())


def test_a_township_official_updates_villages_of_their_township_only(geo):
    client = client_for(UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=geo["t1"]))
    assert client.patch(f"/api/v1/villages/{geo['v1'].pk}/", {"exit_year": 2017}).status_code == 200
    assert client.patch(f"/api/v1/natural-villages/{geo['nv1'].pk}/", {"is_poor": True}).status_code == 200
    assert client.patch(f"/api/v1/villages/{geo['v2'].pk}/", {"exit_year": 2017}).status_code == 404
    response = client.post("/api/v1/villages/", {"township": geo["t1"].pk, "name": "新村"})
    assert response.status_code == 403
    assert response.json()["detail"] == "您无权修改行政区划。"


@pytest.mark.parametrize("role", [Role.VILLAGE_OFFICIAL, Role.INSPECTOR])
def test_village_officials_and_inspectors_read_but_do_not_change_villages(geo, role):
    user = UserFactory(role=role, **({"village": geo["v1"]} if role == Role.VILLAGE_OFFICIAL else {}))
    client = client_for(user)
    assert client.get(f"/api/v1/villages/{geo['v1'].pk}/").status_code == 200
    assert client.patch(f"/api/v1/villages/{geo['v1'].pk}/", {"exit_year": 2017}).status_code == 403
    assert client.patch(f"/api/v1/natural-villages/{geo['nv1'].pk}/", {"is_poor": True}).status_code == 403


def test_a_village_does_not_move_to_another_township(geo, admin):
    response = client_for(admin).patch(f"/api/v1/villages/{geo['v1'].pk}/", {"township": geo["t2"].pk})
    assert response.status_code == 400
    assert response.json()["township"] == ["行政村不能改属其他乡镇。"]


def test_a_natural_village_is_created_with_checked_coordinates(geo, admin):
    client = client_for(admin)
    bad = client.post(
        "/api/v1/natural-villages/", {"village": geo["v1"].pk, "name": "新组", "latitude": "95"}
    )
    assert bad.status_code == 400
    assert "latitude" in bad.json()
    good = client.post(
        "/api/v1/natural-villages/",
        {"village": geo["v1"].pk, "name": "新组", "latitude": "25.84", "longitude": "101.87"},
    )
    assert good.status_code == 201, good.content
    assert NaturalVillage.objects.get(pk=good.json()["id"]).village == geo["v1"]


def test_an_out_of_scope_parent_reads_as_nonexistent(geo):
    client = client_for(UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=geo["t1"]))
    response = client.patch(f"/api/v1/natural-villages/{geo['nv1'].pk}/", {"village": geo["v2"].pk})
    assert response.status_code == 400
    assert "不存在" in str(response.json()["village"])


def test_nobody_deletes_a_village_through_the_api(geo, admin):
    assert client_for(admin).delete(f"/api/v1/villages/{geo['v1'].pk}/").status_code == 405


# -- token auth ------------------------------------------------------------------------------------------


def test_a_token_is_issued_for_the_right_password_and_works():
    user = UserFactory(username="boheng", role=Role.INSPECTOR)
    response = APIClient().post("/api/v1/auth/token/", {"username": "boheng", "password": "pass-word-1"})
    assert response.status_code == 200
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/townships/").status_code == 200
    assert Token.objects.get(user=user).key == token


def test_a_wrong_password_answers_400_with_a_message():
    UserFactory(username="boheng", role=Role.INSPECTOR)
    response = APIClient().post("/api/v1/auth/token/", {"username": "boheng", "password": "wrong-one"})
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["无法使用提供的认证信息登录。"]


# -- schema and docs -------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_answer_for_a_signed_in_user(admin, url):
    client = APIClient()
    client.force_login(admin)
    assert client.get(url).status_code == 200


def test_the_schema_of_the_geography_api_generates_without_warnings():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in ("/api/v1/townships/", "/api/v1/villages/{id}/", "/api/v1/natural-villages/"):
        assert path in schema["paths"]
    ours = ("Township", "Village", "villages/api.py", "auth/token", "ObtainAuthToken")
    problems = [
        m for m in [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache] if any(o in m for o in ours)
    ]
    assert problems == []
