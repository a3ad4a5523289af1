"""Issue 11: the audit page and audit/ API (county admin and inspectors), users/ API (county admin)."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from core.access import Role
from core.audit import access_log_record
from core.models import AccessLog
from tests.factories import TownshipFactory, UserFactory, make_household

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("role", [Role.COUNTY_ADMIN, Role.INSPECTOR])
def test_the_audit_page_searches_the_log_and_shows_changes(client, role):
    clerk = UserFactory(username="clerk1", role=Role.INSPECTOR)
    access_log_record(user=clerk, kind=AccessLog.Kind.EXPORT, what="农户花名册 township=3", rows=12)
    access_log_record(user=UserFactory(username="other", role=Role.INSPECTOR), kind="export", what="其他")
    make_household()
    client.force_login(UserFactory(role=role))
    page = client.get("/audit/", {"user": "clerk1", "kind": "export"}).content.decode()
    assert "农户花名册 township=3" in page and "其他" not in page
    assert "修改记录" in page


@pytest.mark.parametrize("role", [Role.TOWNSHIP_OFFICIAL])
def test_officials_do_not_see_the_audit(client, role):
    user = UserFactory(role=role, township=TownshipFactory())
    client.force_login(user)
    assert client.get("/audit/").status_code == 403
    assert _api(user).get("/api/v1/audit/").status_code == 403


def test_the_audit_api_filters_by_kind():
    clerk = UserFactory(role=Role.INSPECTOR)
    access_log_record(user=clerk, kind=AccessLog.Kind.EXPORT, what="a", rows=1)
    access_log_record(user=clerk, kind=AccessLog.Kind.ERROR_FILE, what="b")
    response = _api(UserFactory(role=Role.INSPECTOR)).get("/api/v1/audit/", {"kind": "error_file"})
    assert response.status_code == 200
    assert [r["what"] for r in response.json()["results"]] == ["b"]


def test_the_users_api_is_for_the_county_admin_only():
    assert _api(UserFactory(role=Role.INSPECTOR)).get("/api/v1/users/").status_code == 403
    admin = UserFactory(role=Role.COUNTY_ADMIN)
    township = TownshipFactory()
    api = _api(admin)
    created = api.post(
        "/api/v1/users/",
        {
            "username": "t1",
            "password": "Lan-cang-river-9",
            "role": Role.TOWNSHIP_OFFICIAL,
            "township": township.pk,
        },
    )
    assert created.status_code == 201, created.json()
    user = User.objects.get(username="t1")
    assert user.must_change_password and created.json()["township"] == township.pk
    Token.objects.create(user=user)
    changed = api.patch(
        f"/api/v1/users/{user.pk}/", {"role": Role.INSPECTOR, "township": None}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert not Token.objects.filter(user=user).exists()


def test_the_users_api_answers_field_errors():
    api = _api(UserFactory(role=Role.COUNTY_ADMIN))
    response = api.post(
        "/api/v1/users/", {"username": "t2", "password": "123", "role": Role.TOWNSHIP_OFFICIAL}
    )
    assert response.status_code == 400
    assert "password" in response.json() or "township" in response.json()
