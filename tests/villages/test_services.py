"""Geography writes go through villages.services, from the API and from the admin site alike: the access
rule is asked inside the service, a village stays in its township, and a refusal is a message."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from tests.factories import (
    NaturalVillageFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
    make_household,
)
from villages import services
from villages.models import AdministrativeVillage, NaturalVillage, VillageIndicatorStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def geo():
    t1, t2 = TownshipFactory(name="姜驿乡"), TownshipFactory(name="老城乡")
    v1, v2 = VillageFactory(township=t1, name="江边村"), VillageFactory(township=t2, name="波亨村")
    return {"t1": t1, "t2": t2, "v1": v1, "v2": v2, "nv1": NaturalVillageFactory(village=v1, name="上组")}


def county_admin():
    return UserFactory(role=Role.COUNTY_ADMIN, is_staff=True, is_superuser=True)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def messages_of(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


# -- the services ------------------------------------------------------------------------------------


def test_a_township_official_changes_villages_of_their_own_township_only(geo):
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=geo["t1"])
    village = services.village_update(user=official, village=geo["v1"], planned_exit_year=2018)
    assert village.planned_exit_year == 2018
    with pytest.raises(Http404):  # out of scope: as if it did not exist
        services.village_update(user=official, village=geo["v2"], planned_exit_year=2018)
    with pytest.raises(ValidationError, match="您无权在此新增自然村"):
        services.natural_village_create(user=official, village=geo["v2"], name="新组")


@pytest.mark.parametrize("role", [Role.VILLAGE_OFFICIAL, Role.INSPECTOR])
def test_roles_that_only_read_geography_change_nothing(geo, role):
    user = UserFactory(role=role, **({"village": geo["v1"]} if role == Role.VILLAGE_OFFICIAL else {}))
    with pytest.raises(ValidationError, match="您无权修改行政村“江边村”"):
        services.village_update(user=user, village=geo["v1"], is_poor=True)
    assert not AdministrativeVillage.objects.get(pk=geo["v1"].pk).is_poor


def test_a_natural_village_stays_in_its_village_and_names_are_unique_within_it(geo):
    admin = county_admin()
    with pytest.raises(ValidationError) as refused:
        services.natural_village_update(user=admin, natural_village=geo["nv1"], village=geo["v2"])
    assert refused.value.message_dict == {"village": ["自然村不能改属其他行政村。"]}
    with pytest.raises(ValidationError, match="江边村已有自然村“上组”"):
        services.natural_village_create(user=admin, village=geo["v1"], name=" 上组 ")
    assert NaturalVillage.objects.filter(village=geo["v1"]).count() == 1


def test_a_place_with_records_under_it_is_not_deleted(geo):
    admin = county_admin()
    make_household(natural_village=geo["nv1"])
    with pytest.raises(ValidationError, match="自然村“上组”已有 1 户，不能删除"):
        services.natural_village_delete(user=admin, natural_village=geo["nv1"])
    with pytest.raises(ValidationError, match="行政村“江边村”已有 1 个自然村，不能删除"):
        services.village_delete(user=admin, village=geo["v1"])
    services.village_delete(user=admin, village=geo["v2"])
    assert not AdministrativeVillage.objects.filter(pk=geo["v2"].pk).exists()


# -- the API write path --------------------------------------------------------------------------------


def test_the_api_creates_and_updates_through_the_services(geo, monkeypatch):
    calls = []
    for name in ("village_create", "village_update", "natural_village_create", "natural_village_update"):
        real = getattr(services, name)
        monkeypatch.setattr(
            services, name, lambda _real=real, _name=name, **kw: calls.append(_name) or _real(**kw)
        )
    client = api(county_admin())
    village = client.post("/api/v1/villages/", {"township": geo["t1"].pk, "name": " 新村 "}).json()
    assert village["name"] == "新村"
    assert client.patch(f"/api/v1/villages/{village['id']}/", {"exit_year": 2017}).status_code == 200
    nv = client.post("/api/v1/natural-villages/", {"village": village["id"], "name": "新组"}).json()
    assert client.patch(f"/api/v1/natural-villages/{nv['id']}/", {"is_poor": True}).json()["is_poor"]
    assert calls == ["village_create", "village_update", "natural_village_create", "natural_village_update"]


def test_the_api_answers_the_services_refusals_as_field_errors(geo):
    client = api(county_admin())
    response = client.post("/api/v1/villages/", {"township": geo["t1"].pk, "name": "江边村"})
    assert response.status_code == 400
    assert response.json() == {"name": ["姜驿乡已有行政村“江边村”：同一乡镇内行政村名称须唯一。"]}
    response = client.patch(f"/api/v1/natural-villages/{geo['nv1'].pk}/", {"village": geo["v2"].pk})
    assert response.status_code == 400
    assert response.json() == {"village": ["自然村不能改属其他行政村。"]}


# -- the admin site --------------------------------------------------------------------------------------


def village_form(village, **changes) -> dict:
    data = {
        "township": village.township_id,
        "name": village.name,
        "code": village.code,
        "registered_rural_population": village.registered_rural_population,
        "planned_exit_year": "",
        "exit_year": "",
        # the indicator inline's management form
        "indicators-TOTAL_FORMS": 0,
        "indicators-INITIAL_FORMS": 0,
        **changes,
    }
    return data


def test_the_admin_does_not_move_a_village_to_another_township(client, geo):
    client.force_login(county_admin())
    url = reverse("admin:villages_administrativevillage_change", args=[geo["v1"].pk])
    response = client.post(url, village_form(geo["v1"], township=geo["t2"].pk))
    assert response.status_code == 200
    assert "行政村不能改属其他乡镇。" in messages_of(response)
    assert AdministrativeVillage.objects.get(pk=geo["v1"].pk).township == geo["t1"]
    response = client.post(url, village_form(geo["v1"], planned_exit_year=2018, is_poor="on"))
    assert response.status_code == 302
    village = AdministrativeVillage.objects.get(pk=geo["v1"].pk)
    assert (village.planned_exit_year, village.is_poor) == (2018, True)


def test_the_admin_adds_a_natural_village_and_records_an_indicator_through_the_services(client, geo):
    from villages.models import ExitIndicator

    client.force_login(county_admin())
    response = client.post(
        reverse("admin:villages_naturalvillage_add"),
        {"village": geo["v2"].pk, "name": "下组", "code": "", "latitude": "", "longitude": ""},
    )
    assert response.status_code == 302
    assert NaturalVillage.objects.filter(village=geo["v2"], name="下组").exists()
    indicator = ExitIndicator.objects.first()
    response = client.post(
        reverse("admin:villages_villageindicatorstatus_add"),
        {"village": geo["v2"].pk, "indicator": indicator.pk, "met": "on", "note": " 已硬化 "},
    )
    assert response.status_code == 302
    status = VillageIndicatorStatus.objects.get(village=geo["v2"], indicator=indicator)
    assert (status.met, status.note) == (True, "已硬化")


def test_the_villages_indicator_rows_are_saved_through_the_service(client, geo, monkeypatch):
    from villages.models import ExitIndicator

    calls = []
    real = services.village_indicator_set
    monkeypatch.setattr(services, "village_indicator_set", lambda **kw: calls.append(kw) or real(**kw))
    client.force_login(county_admin())
    indicator = ExitIndicator.objects.filter(level="village").first()
    data = village_form(
        geo["v1"],
        **{
            "indicators-TOTAL_FORMS": 1,
            "indicators-0-indicator": indicator.pk,
            "indicators-0-met": "on",
            "indicators-0-note": "通硬化路",
        },
    )
    response = client.post(reverse("admin:villages_administrativevillage_change", args=[geo["v1"].pk]), data)
    assert response.status_code == 302, messages_of(response)
    assert [(c["village"].pk, c["indicator"].pk) for c in calls] == [(geo["v1"].pk, indicator.pk)]
    assert VillageIndicatorStatus.objects.get(village=geo["v1"], indicator=indicator).met
