"""The admin site saves and deletes work units, cadres and revisit rounds through assignments.services:
the rules hold there too, and a refusal is an error message with nothing written, never a 500."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from assignments import services
from assignments.models import Cadre, Pairing, RevisitRound, WorkUnit
from tests.factories import (
    CadreFactory,
    PairingFactory,
    RevisitFactory,
    RevisitRoundFactory,
    TownshipFactory,
    UserFactory,
    WorkUnitFactory,
    make_household,
)

pytestmark = pytest.mark.django_db


def county_admin():
    return UserFactory(role="county_admin", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client):
    client.force_login(county_admin())
    return client


def errors(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def cadre_form(cadre: Cadre, **changes) -> dict:
    data = {"name": cadre.name, "unit": cadre.unit_id, "post": cadre.post, "phone": cadre.phone}
    if cadre.active:
        data["active"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_cadre_still_pairing_households_cannot_be_set_inactive_in_the_admin(admin_client):
    cadre = CadreFactory(name="王干部")
    PairingFactory(cadre=cadre, household=make_household())
    url = reverse("admin:assignments_cadre_change", args=[cadre.pk])
    response = admin_client.post(url, cadre_form(cadre, active=None))  # the box unticked
    assert response.status_code == 200  # the form again, not a redirect and not a 500
    assert "王干部 仍在帮扶 1 户" in errors(response)
    cadre.refresh_from_db()
    assert cadre.active


def test_a_cadre_without_pairings_is_changed_through_the_service(admin_client):
    cadre = CadreFactory(name="王干部")
    url = reverse("admin:assignments_cadre_change", args=[cadre.pk])
    response = admin_client.post(url, cadre_form(cadre, active=None, phone="138 0000 0001"))
    # cadre_update checks the phone's shape: the admin form alone would take it.
    assert response.status_code == 200
    assert "联系电话“138 0000 0001”格式不对" in errors(response)
    response = admin_client.post(url, cadre_form(cadre, active=None, phone="13800000001"))
    assert response.status_code == 302
    cadre.refresh_from_db()
    assert (cadre.active, cadre.phone) == (False, "13800000001")


def test_a_cadre_is_added_through_the_service(admin_client):
    unit = WorkUnitFactory()
    response = admin_client.post(
        reverse("admin:assignments_cadre_add"),
        {"name": " 新干部 ", "unit": unit.pk, "post": "", "phone": "", "active": "on"},
    )
    assert response.status_code == 302
    assert Cadre.objects.get(unit=unit).name == "新干部"  # cadre_create strips the name


def test_a_cadre_with_history_is_not_deleted(admin_client):
    cadre = CadreFactory(name="王干部")
    PairingFactory(cadre=cadre, household=make_household())
    # The admin already names the protected pairings; the service says why, for every other caller.
    admin_client.post(reverse("admin:assignments_cadre_delete", args=[cadre.pk]), {"post": "yes"})
    assert Cadre.objects.filter(pk=cadre.pk).exists()
    with pytest.raises(ValidationError, match="王干部 仍在帮扶 1 户，不能删除"):
        services.cadre_delete(user=county_admin(), cadre=cadre)
    Pairing.objects.filter(cadre=cadre).update(ended_on=datetime.date(2016, 6, 30))
    with pytest.raises(ValidationError, match="有 1 条结对记录、0 条走访记录，须保留历史"):
        services.cadre_delete(user=county_admin(), cadre=cadre)


def test_a_mistaken_cadre_without_history_is_deleted_through_the_service(admin_client, monkeypatch):
    cadre = CadreFactory()
    calls = []
    real = services.cadre_delete
    monkeypatch.setattr(services, "cadre_delete", lambda **kw: calls.append(kw) or real(**kw))
    response = admin_client.post(reverse("admin:assignments_cadre_delete", args=[cadre.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert [c["cadre"].pk for c in calls] == [cadre.pk]
    assert not Cadre.objects.filter(pk=cadre.pk).exists()


def test_bulk_delete_is_all_or_nothing_and_a_refusal_is_a_message(admin_client, monkeypatch):
    first, second = CadreFactory(), CadreFactory(name="第二名")
    real = services.cadre_delete

    def refuse_the_second(*, user, cadre):
        if cadre.pk == second.pk:
            raise ValidationError(f"{cadre.name} 不能删除（测试）。")
        real(user=user, cadre=cadre)

    monkeypatch.setattr(services, "cadre_delete", refuse_the_second)
    response = admin_client.post(
        reverse("admin:assignments_cadre_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert "第二名 不能删除（测试）。" in errors(response)
    assert Cadre.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
    assert not LogEntry.objects.exists()  # the deletions logged before the refusal are gone too


def test_a_work_unit_with_cadres_is_not_deleted(admin_client):
    unit = WorkUnitFactory(name="县财政局")
    CadreFactory(unit=unit)
    admin_client.post(reverse("admin:assignments_workunit_delete", args=[unit.pk]), {"post": "yes"})
    assert WorkUnit.objects.filter(pk=unit.pk).exists()
    with pytest.raises(ValidationError, match="挂联单位“县财政局”还有 1 名干部，不能删除"):
        services.work_unit_delete(user=county_admin(), unit=unit)
    empty = WorkUnitFactory()
    response = admin_client.post(
        reverse("admin:assignments_workunit_delete", args=[empty.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not WorkUnit.objects.filter(pk=empty.pk).exists()


def test_only_the_county_admin_deletes_responsibility_records():
    unit = WorkUnitFactory()
    official = UserFactory(role="township_official", township=TownshipFactory())
    with pytest.raises(ValidationError, match="只有县扶贫办管理员可以删除挂联单位"):
        services.work_unit_delete(user=official, unit=unit)


def round_form(**values) -> dict:
    return {"year": 2016, "number": 1, **values}


def test_a_round_may_not_overlap_another_in_the_admin(admin_client):
    RevisitRoundFactory(
        year=2016, number=1, starts_on=datetime.date(2016, 1, 1), ends_on=datetime.date(2016, 6, 30)
    )
    response = admin_client.post(
        reverse("admin:assignments_revisitround_add"),
        round_form(number=2, name="2016年第2轮", starts_on="2016-06-01", ends_on="2016-12-31"),
    )
    assert response.status_code == 200
    assert "日期重叠" in errors(response)
    assert RevisitRound.objects.count() == 1


def test_a_rounds_dates_must_still_hold_its_revisits(admin_client):
    rnd = RevisitRoundFactory(
        year=2016, number=1, starts_on=datetime.date(2016, 1, 1), ends_on=datetime.date(2016, 6, 30)
    )
    cadre = CadreFactory()
    household = make_household()
    PairingFactory(cadre=cadre, household=household)
    RevisitFactory(round=rnd, cadre=cadre, household=household, visited_on=datetime.date(2016, 3, 1))
    url = reverse("admin:assignments_revisitround_change", args=[rnd.pk])
    response = admin_client.post(url, round_form(name=rnd.name, starts_on="2016-04-01", ends_on="2016-06-30"))
    assert response.status_code == 200
    assert "已有 1 条走访记录的日期不在新的起止日期之内" in errors(response)
    response = admin_client.post(
        url, round_form(name=" 上半年 ", starts_on="2016-01-01", ends_on="2016-07-31")
    )
    assert response.status_code == 302
    rnd.refresh_from_db()
    assert (rnd.ends_on, rnd.name) == (datetime.date(2016, 7, 31), "上半年")
    admin_client.post(reverse("admin:assignments_revisitround_delete", args=[rnd.pk]), {"post": "yes"})
    assert RevisitRound.objects.filter(pk=rnd.pk).exists()
    with pytest.raises(ValidationError, match="已有 1 条走访记录，不能删除"):
        services.revisit_round_delete(user=county_admin(), round=rnd)


def test_a_work_unit_name_is_unique_in_the_services_words():
    from rest_framework.test import APIClient

    WorkUnitFactory(name="县林业局")
    client = APIClient()
    client.force_authenticate(county_admin())
    response = client.post("/api/v1/work-units/", {"name": " 县林业局 "}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["挂联单位“县林业局”已存在。"]}
