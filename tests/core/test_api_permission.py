"""The one DRF permission class: reading is the queryset's to decide, writing is asked of the access rule."""

from types import SimpleNamespace

import pytest

from accounts.models import Role
from core.api import AccessPermission
from households.models import Household
from tests.factories import (
    CadreFactory,
    NaturalVillageFactory,
    PairingFactory,
    RevisitFactory,
    UserFactory,
    make_household,
)
from villages.models import AdministrativeVillage

pytestmark = pytest.mark.django_db


def request(user, method="POST"):
    return SimpleNamespace(user=user, method=method)


def view(change_model, action="create", message=None):
    declared = {"change_model": change_model, "action": action}
    if message is not None:
        declared["change_denied_message"] = message
    return SimpleNamespace(**declared)


def test_reading_is_left_to_the_queryset():
    cadre = UserFactory(role=Role.CADRE, cadre=CadreFactory())
    permission = AccessPermission()
    assert permission.has_permission(request(cadre, "GET"), view(Household, action="list"))
    assert permission.has_object_permission(request(cadre, "GET"), view(Household), object())


def test_creating_asks_who_creates_and_changing_asks_who_changes():
    place = NaturalVillageFactory()
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=place.village.township)
    villages = view(AdministrativeVillage, message="您无权修改行政区划。")
    permission = AccessPermission()
    assert not permission.has_permission(request(official), villages)
    assert permission.message == "您无权修改行政区划。"
    villages.action = "partial_update"
    assert AccessPermission().has_permission(request(official, "PATCH"), villages)
    assert AccessPermission().has_object_permission(request(official, "PATCH"), villages, place.village)


def test_a_role_that_changes_nothing_of_the_kind_is_refused_with_the_default_message():
    permission = AccessPermission()
    assert not permission.has_permission(request(UserFactory(role=Role.INSPECTOR)), view(Household))
    assert permission.message == "您无权修改该记录。"


def test_with_no_model_the_record_decides():
    household = make_household(natural_village=NaturalVillageFactory())
    mine, other = CadreFactory(), CadreFactory()
    PairingFactory(cadre=mine, household=household)
    user = UserFactory(role=Role.CADRE, cadre=mine)
    revisits = view(None, action="partial_update", message="只能修改本人在帮户的记录")
    assert AccessPermission().has_permission(request(user, "PATCH"), revisits)
    own = RevisitFactory(cadre=mine, household=household)
    assert AccessPermission().has_object_permission(request(user, "PATCH"), revisits, own)
    permission = AccessPermission()
    not_mine = RevisitFactory(cadre=other, household=household)
    assert not permission.has_object_permission(request(user, "PATCH"), revisits, not_mine)
    assert permission.message == "只能修改本人在帮户的记录"


@pytest.mark.django_db
def test_a_lost_database_connection_answers_503_in_chinese_not_500(client, admin, monkeypatch):
    from django.db import OperationalError

    from households import selectors

    def lost(**kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(selectors, "household_list_with_members", lost)
    client.force_login(admin)
    response = client.get("/api/v1/households/")
    assert response.status_code == 503
    assert response.json() == {"detail": "数据库连接中断，本次请求未完成，请稍后重试。"}
