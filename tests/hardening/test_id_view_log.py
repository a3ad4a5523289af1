"""Issue 11, privacy and audit: every view of a full ID number by an official is recorded (who, when, what,
how many), once per page or API answer; a masked view records nothing."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from core.models import AccessLog
from tests.factories import CadreFactory, NaturalVillageFactory, PairingFactory, UserFactory, make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    place = NaturalVillageFactory()
    household = make_household(natural_village=place)
    cadre = CadreFactory()
    PairingFactory(cadre=cadre, household=household)
    return {
        "household": household,
        "members": household.members.exclude(id_number="").count(),
        "official": UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=place.village.township),
        "cadre": UserFactory(role=Role.CADRE, cadre=cadre),
    }


def _id_views():
    return AccessLog.objects.filter(kind=AccessLog.Kind.ID_NUMBER)


def test_an_official_opening_a_household_is_recorded_with_the_number_of_ids_shown(world):
    client = Client()
    client.force_login(world["official"])
    response = client.get(reverse("households:detail", args=[world["household"].pk]))
    assert response.status_code == 200
    entry = _id_views().get()
    assert entry.user == world["official"]
    assert entry.rows == world["members"] > 0
    assert world["household"].household_number in entry.what


def test_a_cadre_sees_masked_ids_and_nothing_is_recorded(world):
    client = Client()
    client.force_login(world["cadre"])
    assert client.get(reverse("households:detail", args=[world["household"].pk])).status_code == 200
    assert not _id_views().exists()


def test_the_member_api_records_one_entry_per_answer(world):
    client = APIClient()
    client.force_authenticate(world["official"])
    response = client.get("/api/v1/members/", {"household": world["household"].pk})
    assert response.status_code == 200
    entry = _id_views().get()
    assert entry.rows == world["members"]
    assert "/api/v1/members/" in entry.what

    cadre = APIClient()
    cadre.force_authenticate(world["cadre"])
    assert cadre.get("/api/v1/members/").status_code == 200
    assert _id_views().count() == 1


def test_the_history_page_records_the_id_numbers_its_changes_show_whole(world):
    from households.services import member_update
    from tests.factories import make_id_number

    member = world["household"].members.exclude(id_number="").first()
    old, new = member.id_number, make_id_number(born=datetime.date(1970, 5, 6))
    member_update(member=member, user=world["official"], id_number=new)
    url = reverse("households:history", args=[world["household"].pk])

    cadre = Client()
    cadre.force_login(world["cadre"])
    html = cadre.get(url).content.decode()
    assert old not in html and new not in html  # masked: nothing to record
    assert not _id_views().exists()

    official = Client()
    official.force_login(world["official"])
    html = official.get(url).content.decode()
    assert old in html and new in html
    entry = _id_views().get()
    assert entry.rows == 2 and "变更记录" in entry.what
