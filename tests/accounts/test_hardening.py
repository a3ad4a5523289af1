"""Issue 11 part B: login throttling, passwords, expiring tokens, the accounts page, production settings."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import services
from accounts.models import User
from core.access import Role
from tests.factories import TownshipFactory, UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _page_login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


# -- throttling ------------------------------------------------------------------------------------------


def test_fifteen_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused(client):
    UserFactory(username="boheng", role=Role.INSPECTOR)
    for _ in range(14):
        assert _page_login(client, "boheng", "wrong-one").status_code == 200  # the form again, with its error
    locked = _page_login(client, "boheng", "wrong-one")
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()
    refused = _page_login(client, "boheng", "pass-word-1")
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lock_out_by_address_also_refuses_other_accounts(client):
    UserFactory(username="other", role=Role.INSPECTOR)
    for n in range(15):
        _page_login(client, f"nobody{n}", "wrong-one")  # fifteen different names from one address
    assert _page_login(client, "other", "pass-word-1").status_code == 429


def test_the_token_endpoint_is_throttled_with_a_chinese_message():
    UserFactory(username="boheng", role=Role.INSPECTOR)
    api = APIClient()
    for _ in range(15):
        api.post("/api/v1/auth/token/", {"username": "boheng", "password": "wrong-one"})
    response = api.post("/api/v1/auth/token/", {"username": "boheng", "password": "pass-word-1"})
    assert response.status_code == 429
    assert "锁定" in response.json()["detail"]
    assert not Token.objects.filter(user__username="boheng").exists()


def test_the_admin_login_is_throttled(client):
    UserFactory(username="chief", role=Role.COUNTY_ADMIN, is_staff=True)
    for _ in range(15):
        client.post("/admin/login/", {"username": "chief", "password": "wrong-one"})
    response = client.post("/admin/login/", {"username": "chief", "password": "pass-word-1"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_county_admin_unlocks_a_locked_account(client):
    admin = UserFactory(username="chief", role=Role.COUNTY_ADMIN)
    user = UserFactory(username="boheng", role=Role.INSPECTOR)
    for _ in range(15):
        _page_login(client, "boheng", "wrong-one")
    assert services.account_is_locked(user)
    page = APIClient()
    page.force_login(admin)
    assert "解除锁定" in page.get(f"/accounts/users/{user.pk}/").content.decode()
    page.post(f"/accounts/users/{user.pk}/unlock/")
    assert not services.account_is_locked(user)
    other = APIClient()  # a new address would do; the same one was locked too, so forget it as well
    from axes.utils import reset

    reset(ip="127.0.0.1")
    assert _page_login(other, "boheng", "pass-word-1").status_code == 302


def test_only_the_county_admin_unlocks():
    user = UserFactory(role=Role.INSPECTOR)
    with pytest.raises(ValidationError):
        services.account_unlock(account=user, by=UserFactory(role=Role.INSPECTOR))


def test_the_api_has_anon_and_user_rates(settings):
    from django.conf import settings as conf

    rates = conf.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert set(rates) >= {"anon", "user"}


# -- passwords and tokens --------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["12345678901", "password123", "boheng2024x"])
def test_weak_passwords_are_refused_in_chinese(password):
    with pytest.raises(ValidationError) as caught:
        services.account_create(username="boheng2024x", password=password, role=Role.INSPECTOR)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in caught.value.message_dict["password"])


def test_an_account_the_admin_creates_must_change_its_password_first(client):
    admin = UserFactory(role=Role.COUNTY_ADMIN)
    user = services.account_create(
        username="newbie", password="Lan-cang-river-9", role=Role.INSPECTOR, by=admin
    )
    assert user.must_change_password
    assert _page_login(client, "newbie", "Lan-cang-river-9").status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home.url.startswith("/accounts/password/")
    done = client.post(
        "/accounts/password/",
        {
            "old_password": "Lan-cang-river-9",
            "new_password": "Jin-sha-river-42",
            "new_password2": "Jin-sha-river-42",
        },
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("Jin-sha-river-42")
    assert client.get("/").status_code == 200


def test_demo_and_command_line_accounts_are_not_forced():
    user = services.account_create(username="plain", password="Lan-cang-river-9", role=Role.INSPECTOR)
    assert not user.must_change_password


def test_a_reset_forces_a_change_and_deletes_tokens():
    admin = UserFactory(role=Role.COUNTY_ADMIN)
    user = UserFactory(role=Role.INSPECTOR)
    Token.objects.create(user=user)
    services.account_password_reset(account=user, by=admin, password="Lan-cang-river-9")
    user.refresh_from_db()
    assert user.must_change_password and not Token.objects.filter(user=user).exists()


def test_a_password_change_deletes_the_tokens():
    user = UserFactory(role=Role.INSPECTOR)
    Token.objects.create(user=user)
    services.account_password_change(
        account=user, old_password="pass-word-1", new_password="Jin-sha-river-42"
    )
    assert not Token.objects.filter(user=user).exists()


def test_a_token_expires_after_the_ttl(settings):
    settings.TOKEN_TTL_HOURS = 2
    user = UserFactory(role=Role.INSPECTOR)
    token = Token.objects.create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/townships/").status_code == 200
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(hours=3))
    response = api.get("/api/v1/townships/")
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]
    assert not Token.objects.filter(user=user).exists()


# -- role and scope changes end sessions and tokens ------------------------------------------------------


def test_changing_a_role_ends_sessions_and_tokens(client):
    admin = UserFactory(role=Role.COUNTY_ADMIN)
    township = TownshipFactory()
    user = UserFactory(role=Role.INSPECTOR)
    Token.objects.create(user=user)
    client.force_login(user)
    assert client.get("/").status_code == 200
    services.account_update(account=user, by=admin, role=Role.TOWNSHIP_OFFICIAL, township=township)
    assert not Token.objects.filter(user=user).exists()
    assert client.get("/").status_code == 302  # back to the login page


def test_deactivating_ends_the_session(client):
    admin = UserFactory(role=Role.COUNTY_ADMIN)
    user = UserFactory(role=Role.INSPECTOR)
    client.force_login(user)
    services.account_update(account=user, by=admin, is_active=False)
    assert client.get("/").status_code == 302


# -- the accounts page -----------------------------------------------------------------------------------


def test_the_county_admin_manages_accounts_on_a_page(client):
    admin = UserFactory(role=Role.COUNTY_ADMIN)
    township = TownshipFactory(name="姜驿乡")
    client.force_login(admin)
    assert client.get("/accounts/users/").status_code == 200
    created = client.post(
        "/accounts/users/new/",
        {
            "username": "jiangyi2",
            "password": "Lan-cang-river-9",
            "role": Role.TOWNSHIP_OFFICIAL,
            "township": "姜驿乡",
        },
    )
    assert created.status_code == 302
    user = User.objects.get(username="jiangyi2")
    assert user.township == township and user.must_change_password
    assert "jiangyi2" in client.get("/accounts/users/?q=jiang").content.decode()
    client.post(f"/accounts/users/{user.pk}/", {"role": Role.INSPECTOR, "is_active": ""})
    user.refresh_from_db()
    assert user.role == Role.INSPECTOR and user.township is None and not user.is_active


def test_a_bad_account_form_names_the_field(client):
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    response = client.post(
        "/accounts/users/new/",
        {"username": "x1", "password": "Lan-cang-river-9", "role": Role.TOWNSHIP_OFFICIAL},
    )
    assert response.status_code == 200
    assert "必须指定乡镇" in response.content.decode()


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.TOWNSHIP_OFFICIAL])
def test_other_roles_do_not_see_the_accounts_page(client, role):
    township = TownshipFactory()
    user = UserFactory(role=role, township=township if role == Role.TOWNSHIP_OFFICIAL else None)
    client.force_login(user)
    assert client.get("/accounts/users/").status_code == 403
    assert client.post("/accounts/users/new/", {"username": "x"}).status_code == 403


# -- production settings ---------------------------------------------------------------------------------


def test_check_deploy_is_clean_with_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT"}}
    env.update(
        DEBUG="0",
        SECRET_KEY="a-production-like-secret-key-" + "x9Qz" * 12,
        ALLOWED_HOSTS="fupin.example.gov.cn",
        CSRF_TRUSTED_ORIGINS="https://fupin.example.gov.cn",
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stderr and "System check identified no issues" in done.stdout


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(rf, settings):
    from accounts.views import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3", REMOTE_ADDR="172.18.0.5")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "172.18.0.5"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "10.1.2.3"  # the spoofed left entry is ignored


def test_a_county_admin_is_staff_for_the_reference_data_only(client):
    boss = services.account_create(username="boss", password="Lan-cang-river-9", role=Role.COUNTY_ADMIN)
    assert (boss.is_staff, boss.is_superuser) == (True, False)
    client.force_login(boss)
    assert client.get("/admin/households/povertyline/").status_code == 200
    assert client.get("/admin/villages/township/").status_code == 200
    assert client.get("/admin/assignments/revisitround/").status_code == 200
    assert client.get("/admin/households/household/").status_code == 403
    assert client.get("/admin/accounts/user/").status_code == 403


def test_a_county_admin_made_an_inspector_leaves_the_admin_site():
    admin = UserFactory(role=Role.COUNTY_ADMIN)
    boss = services.account_create(username="boss", password="Lan-cang-river-9", role=Role.COUNTY_ADMIN)
    services.account_update(account=boss, by=admin, role=Role.INSPECTOR)
    boss.refresh_from_db()
    assert not boss.is_staff and not boss.groups.exists()
