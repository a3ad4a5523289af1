"""unit-exit-applications/: scoped like its village or township, writes through the procedure's services,
POST …/{id}/advance/ with the step being decided (a stale one answers 409)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from households.units.models import UnitExitApplication
from households.units.services import unit_exit_propose
from tests.clients import client_for
from tests.factories import UserFactory
from tests.households.unit_exit_data import build_people, build_place, indicator
from villages.models import VillageIndicatorStatus

pytestmark = pytest.mark.django_db
URL = "/api/v1/unit-exit-applications/"


@pytest.fixture
def place():
    return build_place()


@pytest.fixture
def people(place):
    return build_people(place)


def proposed(unit, people, *, days_ago=10):
    on = timezone.localdate() - datetime.timedelta(days=days_ago)
    return unit_exit_propose(unit=unit, year=2016, user=people["township"], on=on)


def test_the_township_proposes_a_village_through_the_api(place, people):
    response = client_for(people["township"]).post(
        URL,
        {"level": "village", "village": place["jia_cun"].pk, "year": 2016, "comment": "达标"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["level"], body["village"], body["unit_name"], body["state"]) == (
        "village",
        place["jia_cun"].pk,
        "甲乡甲村",
        "proposed",
    )
    assert body["next_step"] == "县审批认定" and body["next_step_role"] == "county_admin"
    assert [s["state"] for s in body["steps"]] == ["proposed"]


def test_a_refusal_names_what_is_missing_with_a_400(place, people):
    VillageIndicatorStatus.objects.filter(village=place["jia_cun"], indicator=indicator("power")).delete()
    client = client_for(people["township"])

    response = client.post(
        URL, {"level": "village", "village": place["jia_cun"].pk, "year": 2016}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": ["通动力电（三相电）：未填报"]}

    response = client.post(URL, {"level": "village", "year": 2016}, format="json")
    assert response.status_code == 400 and "village" in response.json()
    response = client.post(
        URL, {"level": "township", "township": place["ding"].pk, "year": 2016}, format="json"
    )
    assert response.status_code == 400 and "township" in response.json()  # out of scope: no such township


def test_reading_is_scoped_and_out_of_scope_is_404(place, people):
    application = proposed(place["jia_cun"], people)
    township_application = proposed(place["jia"], people)

    assert client_for(people["other_township"]).get(URL).json()["count"] == 0
    assert client_for(people["other_township"]).get(f"{URL}{application.pk}/").status_code == 404
    village_sees = client_for(people["village"]).get(URL).json()
    assert [a["id"] for a in village_sees["results"]] == [application.pk]  # not the township's own
    county = client_for(people["county"]).get(URL, {"level": "township"}).json()
    assert [a["id"] for a in county["results"]] == [township_application.pk]


def test_the_county_approves_and_a_stale_step_answers_409(place, people):
    application = proposed(place["jia_cun"], people)
    client = client_for(people["county"])
    url = f"{URL}{application.pk}/advance/"
    decision = {"step": "proposed", "decision": "approve", "comment": "同意"}

    response = client.post(url, decision, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "county_approved"
    place["jia_cun"].refresh_from_db()
    assert place["jia_cun"].exit_year == 2016

    stale = client.post(url, decision, format="json")
    assert stale.status_code == 409
    assert stale.json()["detail"] == "该申请已不在“乡镇申请”这一步，现为“县审批认定”，请刷新后查看。"
    assert stale.json()["application"]["state"] == "county_approved"


def test_bad_advance_input_answers_400_and_other_roles_are_refused(place, people):
    application = proposed(place["jia_cun"], people)
    url = f"{URL}{application.pk}/advance/"
    county = client_for(people["county"])
    assert county.post(url, {"decision": "approve"}, format="json").status_code == 400  # no step
    assert county.post(url, {"step": "x", "decision": "approve"}, format="json").status_code == 400
    assert county.post(url, {"step": "proposed", "decision": "maybe"}, format="json").status_code == 400
    reject = county.post(url, {"step": "proposed", "decision": "reject"}, format="json")
    assert reject.status_code == 400 and reject.json() == {"comment": ["退回时必须填写理由。"]}

    township = client_for(people["township"]).post(
        url, {"step": "proposed", "decision": "approve"}, format="json"
    )
    assert township.status_code == 400
    assert township.json()["detail"][0].startswith("“县审批认定”由县扶贫办管理员办理")
    assert client_for(people["inspector"]).post(url, {}, format="json").status_code == 403
    assert client_for(people["village"]).post(URL, {}, format="json").status_code == 403


def test_exit_year_is_not_typed_through_the_villages_api(place, people):
    village = place["jia_cun"]
    response = client_for(people["county"]).patch(
        f"/api/v1/villages/{village.pk}/", {"exit_year": 2015}, format="json"
    )
    assert response.status_code == 200
    village.refresh_from_db()
    assert village.exit_year is None


def test_exit_year_is_not_typed_in_the_admin_site(client, place):
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN, is_staff=True, is_superuser=True))
    for url in (
        reverse("admin:villages_administrativevillage_change", args=[place["jia_cun"].pk]),
        reverse("admin:villages_township_change", args=[place["jia"].pk]),
    ):
        page = client.get(url).content.decode()
        assert 'name="planned_exit_year"' in page
        assert 'name="exit_year"' not in page  # shown read-only


def test_the_endpoint_is_in_the_schema(people):
    client = APIClient()
    client.force_login(people["county"])
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert "/api/v1/unit-exit-applications/" in paths
    assert "/api/v1/unit-exit-applications/{id}/advance/" in paths
    assert "409" in paths["/api/v1/unit-exit-applications/{id}/advance/"]["post"]["responses"]


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_few_and_many(place, people):
    client = client_for(people["county"])
    proposed(place["jia_cun"], people)
    few = _list_queries(client)
    for _ in range(10):
        application = UnitExitApplication.objects.create(level="township", township=place["jia"], year=2016)
        application.state = "rejected"
        application.save()
    assert _list_queries(client) == few
