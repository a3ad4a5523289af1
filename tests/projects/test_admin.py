"""The admin site saves and deletes projects (and sites, trainings, targets) through projects.services."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from projects import services
from projects.models import ProgressEntry, Project
from tests.factories import ProjectFactory, TownshipFactory, UserFactory, VillageFactory, make_household

pytestmark = pytest.mark.django_db


def county_admin():
    return UserFactory(role=Role.COUNTY_ADMIN, is_staff=True, is_superuser=True)


def messages_of(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def project_form(**values) -> dict:
    data = {
        "name": "江边村道路硬化",
        "category": "road",
        "year": 2016,
        "planned_investment": "120000",
        "state": "planned",
        "planned_households": 0,
        "planned_persons": 0,
        "description": "",
        "funding-TOTAL_FORMS": 0,
        "funding-INITIAL_FORMS": 0,
        "progress-TOTAL_FORMS": 0,
        "progress-INITIAL_FORMS": 0,
        **values,
    }
    return {k: v for k, v in data.items() if v is not None}


def test_a_project_is_added_through_the_service_and_beneficiaries_are_left_to_its_page(client):
    client.force_login(county_admin())
    household = make_household()
    village = household.village
    response = client.post(
        reverse("admin:projects_project_add"),
        project_form(village=village.pk, beneficiaries=str(household.pk)),
    )
    assert response.status_code == 302, messages_of(response)
    project = Project.objects.get(name="江边村道路硬化")
    assert project.township_id == village.township_id  # the service takes the village's township
    # Beneficiaries are not an admin field: the project's page adds them with their rules.
    assert not project.beneficiaries.exists()


def test_a_village_of_another_township_is_refused_with_a_message(client):
    client.force_login(county_admin())
    village, other = VillageFactory(name="江边村"), TownshipFactory(name="老城乡")
    response = client.post(
        reverse("admin:projects_project_add"), project_form(township=other.pk, village=village.pk)
    )
    assert response.status_code == 200
    assert "行政村“江边村”不属于所选乡镇。" in messages_of(response)
    assert not Project.objects.exists()


def test_a_project_with_progress_is_not_deleted(client):
    client.force_login(county_admin())
    project = ProjectFactory(name="水利项目")
    ProgressEntry.objects.create(
        project=project, recorded_on=datetime.date(2016, 5, 1), invested_to_date=1000
    )
    response = client.post(reverse("admin:projects_project_delete", args=[project.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert "项目“水利项目”已有进度填报，不能删除；可以将其关闭（状态改为已关闭）。" in messages_of(response)
    assert Project.objects.filter(pk=project.pk).exists()
    mistaken = ProjectFactory()
    client.post(reverse("admin:projects_project_delete", args=[mistaken.pk]), {"post": "yes"})
    assert not Project.objects.filter(pk=mistaken.pk).exists()


def test_a_township_official_keeps_projects_of_their_own_township_only():
    mine, theirs = TownshipFactory(), TownshipFactory()
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=mine)
    project = services.project_create(
        user=official, name="产业项目", category="industry", year=2016, township=mine
    )
    with pytest.raises(ValidationError, match="只能在您管辖的乡镇登记项目"):
        services.project_update(user=official, project=project, township=theirs)
    with pytest.raises(ValidationError, match="只能在您管辖的乡镇登记项目"):
        services.project_create(user=official, name="别处", category="road", year=2016, township=theirs)
