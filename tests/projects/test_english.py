"""English is complete (issue 10) for projects, relocation and training: the pages, labels and service
messages come out in English when the user chooses English, and stay Chinese otherwise."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.models import Role
from projects import services
from projects.models import Project, Relocation
from tests.factories import NaturalVillageFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def official():
    return UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=NaturalVillageFactory().village.township)


def _road(user, **kw):
    values = {
        "name": "测试道路项目",
        "category": Project.Category.ROAD,
        "year": 2016,
        "township": user.township,
        "planned_investment": Decimal("1000000"),
        "started_on": datetime.date(2016, 4, 1),
    }
    values.update(kw)
    return services.project_create(user=user, **values)


def _in_english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_project_pages_speak_english_when_chosen(client, official):
    project = _road(official)
    english = _in_english(client, official)

    listing = english.get(reverse("projects:list")).content.decode()
    detail = english.get(reverse("projects:detail", args=[project.pk])).content.decode()

    assert "Poverty alleviation projects" in listing
    assert "Planned investment" in listing
    assert ">Roads<" in listing  # the category's choice label
    for chinese in ("扶贫项目", "计划投资", "累计完成投资", "实际受益贫困户"):
        assert chinese not in listing
    assert "Funding sources" in detail and "Benefiting poor households" in detail
    assert "资金来源" not in detail and "受益贫困户" not in detail


def test_the_relocation_and_training_pages_speak_english_when_chosen(client, official):
    english = _in_english(client, official)

    sites = english.get(reverse("projects:sites")).content.decode()
    trainings = english.get(reverse("projects:trainings")).content.decode()

    assert "Poverty relocation sites" in sites and "易地扶贫搬迁安置点" not in sites
    assert "Training" in trainings and "登记培训" not in trainings


def test_the_pages_stay_chinese_without_a_choice(client, official):
    client.force_login(official)

    listing = client.get(reverse("projects:list")).content.decode()

    assert "扶贫项目" in listing and "Poverty alleviation projects" not in listing


def test_service_messages_and_labels_in_english(official):
    with translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            _road(official, planned_investment=Decimal("-1"))
        assert exc.value.message_dict["planned_investment"] == ["The planned investment cannot be negative."]
        with pytest.raises(ValidationError) as exc:
            _road(official, ended_on=datetime.date(2016, 3, 1))
        assert exc.value.message_dict["ended_on"] == [
            "The completion date 2016-03-01 is before the start date 2016-04-01."
        ]
        assert str(Relocation.Kind.REGISTERED.label) == "Registered relocated household"
        assert str(Project._meta.get_field("planned_investment").verbose_name) == "Planned investment (yuan)"
    with pytest.raises(ValidationError) as exc:
        _road(official, planned_investment=Decimal("-1"))
    assert exc.value.message_dict["planned_investment"] == ["计划投资不能为负数。"]
