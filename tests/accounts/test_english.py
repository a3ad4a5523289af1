"""English is complete (issue 10): the account pages and the account service's refusals speak English when
English is chosen, and stay Chinese otherwise."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.models import Role
from accounts.services import account_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese_again_afterwards():
    """A request in English leaves English active in this thread: put the primary language back."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_the_account_list_in_english(client):
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    client.cookies["django_language"] = "en"
    html = client.get(reverse("account-list")).content.decode()
    for text in ("User accounts", "New account", "Username", "Last login", "County admin"):
        assert text in html
    assert "用户账户" not in html and "新建账户" not in html and "县扶贫办管理员" not in html


def test_the_account_list_stays_chinese_by_default(client):
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    html = client.get(reverse("account-list")).content.decode()
    assert "用户账户" in html and "User accounts" not in html


def test_a_refusal_of_the_account_service_in_english():
    UserFactory(username="taken")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        account_create(username="taken", password="long-enough-1", role=Role.COUNTY_ADMIN)
    assert caught.value.message_dict["username"] == ['The username "taken" already exists.']
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        account_create(username="taken", password="long-enough-1", role=Role.COUNTY_ADMIN)
    assert caught.value.message_dict["username"] == ["用户名“taken”已存在。"]


def test_a_role_label_in_english():
    with translation.override("en"):
        assert str(Role.TOWNSHIP_OFFICIAL.label) == "Township official"
