"""The admin site makes, changes and deletes logins through accounts.services."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import Role, User
from tests.factories import CadreFactory, TownshipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Yuanmou-2016-pass"


@pytest.fixture
def me():
    return UserFactory(role=Role.COUNTY_ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, me):
    client.force_login(me)
    return client


def messages_of(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def add_form(**values) -> dict:
    return {
        "username": "newuser",
        "usable_password": "true",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "role": "",
        **values,
    }


def change_form(user: User, **values) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else None,
        "role": user.role,
        "township": user.township_id or "",
        "village": user.village_id or "",
        "cadre": user.cadre_id or "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        **values,
    }
    return {k: v for k, v in data.items() if v is not None}


def test_a_login_is_made_through_the_service_which_decides_who_opens_the_admin_site(admin_client):
    township = TownshipFactory()
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        add_form(username="official", role=Role.TOWNSHIP_OFFICIAL, township=township.pk),
    )
    assert response.status_code == 302, messages_of(response)
    official = User.objects.get(username="official")
    assert (official.township, official.is_staff) == (township, False)
    assert official.check_password(PASSWORD)
    admin_client.post(reverse("admin:accounts_user_add"), add_form(username="boss", role=Role.COUNTY_ADMIN))
    boss = User.objects.get(username="boss")
    assert (boss.is_staff, boss.is_superuser) == (
        True,
        False,
    )  # issue 11: staff with reference-data permissions


def test_a_cadre_with_a_login_gets_no_second_one(admin_client):
    cadre = CadreFactory(name="王干部")
    UserFactory(username="wang", role=Role.CADRE, cadre=cadre)
    response = admin_client.post(
        reverse("admin:accounts_user_add"), add_form(username="wang2", role=Role.CADRE, cadre=cadre.pk)
    )
    assert response.status_code == 200  # refused (by the form's own unique check, before the service)
    assert not User.objects.filter(username="wang2").exists()


def test_a_role_change_brings_the_scope_and_the_admin_site_with_it(admin_client):
    township = TownshipFactory()
    user = UserFactory(username="li", role=Role.TOWNSHIP_OFFICIAL, township=township)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    response = admin_client.post(url, change_form(user, role=Role.COUNTY_ADMIN, township=""))
    assert response.status_code == 302, messages_of(response)
    user.refresh_from_db()
    assert (user.role, user.township, user.is_staff) == (Role.COUNTY_ADMIN, None, True)


def test_nobody_locks_themselves_out(admin_client, me):
    response = admin_client.post(
        reverse("admin:accounts_user_change", args=[me.pk]), change_form(me, is_active=None)
    )
    assert response.status_code == 200
    assert "不能停用自己的账户或改变自己的角色" in messages_of(response)
    response = admin_client.post(reverse("admin:accounts_user_delete", args=[me.pk]), {"post": "yes"})
    assert "不能删除自己的账户。" in messages_of(response)
    me.refresh_from_db()
    assert me.is_active
