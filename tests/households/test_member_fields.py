"""A member's fields are declared once (Member.DETAIL_FIELDS): the page's form, the API, the roster and the
services take theirs from it, so a member registered on any path carries the same details."""

import dataclasses

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from households import api, forms, roster_io, services
from households.models import Member
from tests.factories import NaturalVillageFactory, UserFactory, make_household, make_id_number


def test_every_path_takes_the_members_fields_from_the_one_declaration():
    detail, editable = set(Member.DETAIL_FIELDS), set(Member.EDITABLE_FIELDS)
    assert editable == detail - {"relation"}
    assert set(forms.MemberForm().fields) == detail
    assert {f.name for f in dataclasses.fields(services.MemberData)} == detail
    assert set(services.MEMBER_EDITABLE) == editable
    assert set(api.MemberInputSerializer().fields) == detail
    assert set(api.MemberUpdateSerializer().fields) == editable
    assert set(api.MemberSerializer().fields) >= detail
    assert set(roster_io.MEMBER_FIELDS) < detail


@pytest.fixture
def village_client():
    place = NaturalVillageFactory()
    household = make_household(natural_village=place)
    client = APIClient()
    client.force_authenticate(UserFactory(role=Role.VILLAGE_OFFICIAL, village=place.village))
    return client, household


def _new_member(household, **fields) -> dict:
    return {"household": household.pk, "name": "王小红", "relation": "daughter", "sex": "female", **fields}


@pytest.mark.django_db
def test_a_member_added_through_the_api_may_carry_a_disability_certificate(village_client):
    client, household = village_client
    id_number = make_id_number(sex="female")
    response = client.post(
        "/api/v1/members/",
        _new_member(household, id_number=id_number, disability_certificate=f"{id_number}42"),
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Member.objects.get(id_number=id_number).disability_certificate == f"{id_number}42"


@pytest.mark.django_db
def test_a_bad_disability_certificate_is_refused_beside_its_field(village_client):
    client, household = village_client
    id_number = make_id_number(sex="female")
    response = client.post(
        "/api/v1/members/",
        _new_member(household, id_number=id_number, disability_certificate=f"{id_number}4"),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["disability_certificate"] == ["残疾证号应为 20 或 22 位，实为 19 位"]
    assert not Member.objects.filter(id_number=id_number).exists()


@pytest.mark.django_db
def test_a_member_correction_changes_only_the_fields_given(village_client):
    client, household = village_client
    member = household.members.get(relation="spouse")
    response = client.patch(f"/api/v1/members/{member.pk}/", {"ethnicity": "彝族"}, format="json")
    assert response.status_code == 200, response.content
    member.refresh_from_db()
    assert (member.ethnicity, member.name, member.health) == ("彝族", "李四妹", ["healthy"])
