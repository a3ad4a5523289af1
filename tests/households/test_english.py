"""English UI of the household pages (issue 10): the language cookie turns the headings, labels and
messages into English; the roster stays Chinese (the national layout)."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from households import choices
from households.rosters import MEMBERS
from households.services import assessment_record
from tests.factories import make_household, member_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(place):
    return make_household(natural_village=place, members=[member_data(name="张三")], household_number="E001")


def english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_household_list_is_in_english(client, admin, household):
    html = english(client, admin).get(reverse("households:list")).content.decode()
    for heading in ("Registered poor households", "Return review", "Household no.", "Main cause of poverty"):
        assert heading in html
    for chinese in ("建档立卡贫困户", "待返贫核实", "主要致贫原因", "筛选条件"):
        assert chinese not in html
    assert "张三" in html  # data stays as recorded


def test_the_household_page_is_in_english(client, admin, household):
    html = english(client, admin).get(reverse("households:detail", args=[household.pk])).content.decode()
    for heading in (
        "Household members",
        "Annual assessment",
        "Household plan and assistance measures",
        "History",
    ):
        assert heading in html
    assert "Head of household" in html  # the relation, a choice label
    for chinese in ("家庭成员 <small", ">年度收入与保障情况<", ">变更记录<", "查看变更记录", ">户主</span>"):
        assert chinese not in html
    assert "View history" in html


def test_the_same_page_stays_chinese_without_the_cookie(client, admin, household):
    client.force_login(admin)
    html = client.get(reverse("households:detail", args=[household.pk])).content.decode()
    assert "家庭成员" in html and "Household members" not in html


def test_the_roster_reads_chinese_labels_whatever_the_language():
    with translation.override("en"):
        assert MEMBERS.column("relation").parser.parse("户主") == choices.Relation.HEAD
        assert str(choices.Relation.HEAD.label) == "Head of household"


def test_a_service_error_comes_out_in_english(admin, household):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        assessment_record(household=household, year=2016, user=admin, wage_income=-5)
    assert "Wage income cannot be negative" in " ".join(caught.value.messages)
