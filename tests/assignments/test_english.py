"""English is complete (issue 10) for pairings and revisits: the officials' pages, the cadre's phone pages,
labels and service messages come out in English when the user chooses English, and stay Chinese otherwise."""

import datetime
import uuid

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.models import Role
from assignments.models import Revisit
from assignments.services import revisit_record
from tests.factories import RevisitRoundFactory, UserFactory

pytestmark = pytest.mark.django_db


def _in_english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_phone_pages_speak_english_when_chosen(client, paired):
    english = _in_english(client, paired["user"])

    households = english.get(reverse("assignments:my-households")).content.decode()
    household = english.get(reverse("assignments:phone-household", args=[paired["household"].pk])).content
    form = english.get(reverse("assignments:phone-revisit-form")).content.decode()

    assert "My households" in households and "Record visit" in households
    for chinese in ("我的挂包户", "记走访", "电脑版", "我的走访记录"):
        assert chinese not in households
    household = household.decode()
    assert "Income and guarantees" in household and "Household plan" in household
    assert "收入与保障" not in household and "一户一策" not in household
    assert "Kind of visit" in form and "Save revisit" in form
    assert "走访方式" not in form and "保存走访记录" not in form
    assert ">Home visit<" in form  # the kind's choice label


def test_the_officials_pages_speak_english_when_chosen(client):
    RevisitRoundFactory(year=2016, number=1, name="2016年第1轮")
    english = _in_english(client, UserFactory(role=Role.COUNTY_ADMIN))

    rounds = english.get(reverse("assignments:rounds")).content.decode()
    pairings = english.get(reverse("assignments:pairings")).content.decode()

    assert "Revisit rounds" in rounds and "Deadline" in rounds and "Cadres" in rounds
    assert "回访轮次" not in rounds and "截止日期" not in rounds
    assert "Pairing of cadres with households" in pairings and "结对帮扶（挂包帮）" not in pairings


def test_the_pages_stay_chinese_without_a_choice(client, paired):
    client.force_login(paired["user"])

    households = client.get(reverse("assignments:my-households")).content.decode()

    assert "我的挂包户" in households and "My households" not in households


def test_service_messages_and_labels_in_english(paired):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)

    def record():
        return revisit_record(
            user=paired["user"],
            household_id=paired["household"].pk,
            client_uuid=uuid.uuid4(),
            visited_on=tomorrow,
        )

    with translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            record()
        assert exc.value.message_dict["visited_on"] == ["The visit date cannot be after today."]
        assert str(Revisit.Kind.PHONE.label) == "Phone call"
        assert str(Revisit._meta.get_field("situation").verbose_name) == "Situation"
    with pytest.raises(ValidationError) as exc:
        record()
    assert exc.value.message_dict["visited_on"] == ["走访日期不能晚于今天。"]


def test_the_service_workers_logout_warning_speaks_the_chosen_language(client):
    chinese = client.get(reverse("service-worker")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("service-worker")).content.decode()

    assert "仍然退出" in chinese and "还有 {count} 条走访记录未上传" in chinese
    assert "Log out anyway" in english and "仍然退出" not in english
    assert "{count} revisits not uploaded yet" in english  # the count goes in on the phone


def test_the_scripts_catalogue_speaks_the_chosen_language_and_the_service_worker_keeps_it(client):
    catalogue = reverse("javascript-catalog")
    chinese = client.get(catalogue).content.decode()
    assert "Saved on this phone" not in chinese
    assert (
        f'"catalogueUrl": "{catalogue}?l=zh-hans"' in client.get(reverse("service-worker")).content.decode()
    )

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(f"{catalogue}?l=en").content.decode()
    assert "Saved on this phone (%s to upload)" in english
    assert "Fill in the visit date." in english
    assert f'"catalogueUrl": "{catalogue}?l=en"' in client.get(reverse("service-worker")).content.decode()


def test_the_script_catalogue_is_answered_304_when_the_browser_has_it(client):
    first = client.get("/jsi18n/?l=en")
    assert first.status_code == 200 and first["Last-Modified"]
    again = client.get("/jsi18n/?l=en", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304
