"""A member's fields are declared once (Member.DETAIL_FIELDS): the page's form, the API, the roster and the
services take theirs from it, so a member registered on any path carries the same details."""

import dataclasses

import pytest

from households import api, forms, roster_io, services
from households.models import Member
from tests.clients import client_for
from tests.factories import make_household, make_id_number


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
def household(place):
    return make_household(natural_village=place)


def add_daughter(clerk, household, id_number: str, certificate: str):
    """POST members/: a daughter with this ID number and 残疾证号."""
    member = {"name": "王小红", "id_number": id_number, "relation": "daughter", "sex": "female"}
    return client_for(clerk).post(
        "/api/v1/members/",
        {"household": household.pk, **member, "disability_certificate": certificate},
        format="json",
    )


def test_a_member_added_through_the_api_may_carry_a_disability_certificate(clerk, household):
    id_number = make_id_number(sex="female")
    response = add_daughter(clerk, household, id_number, f"{id_number}42")
    assert response.status_code == 201, response.content
    assert Member.objects.get(id_number=id_number).disability_certificate == f"{id_number}42"


def test_a_bad_disability_certificate_is_refused_beside_its_field(clerk, household):
    id_number = make_id_number(sex="female")
    response = add_daughter(clerk, household, id_number, f"{id_number}4")
    assert response.status_code == 400
    assert response.json()["disability_certificate"] == ["残疾证号应为 20 或 22 位，实为 19 位"]
    assert not Member.objects.filter(id_number=id_number).exists()


def test_a_member_correction_changes_only_the_fields_given(clerk, household):
    member = household.members.get(relation="spouse")
    response = client_for(clerk).patch(f"/api/v1/members/{member.pk}/", {"ethnicity": "彝族"}, format="json")
    assert response.status_code == 200, response.content
    member.refresh_from_db()
    assert (member.ethnicity, member.name, member.health) == ("彝族", "李四妹", ["healthy"])
