"""Validation is the services' work, not Model.save()'s; and a uniqueness refusal says the same words
whoever holds the number, so it never reveals a household out of the user's scope (DESIGN.md §4)."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role
from households import services
from households.models import Household, Member
from tests.clients import client_for
from tests.factories import NaturalVillageFactory, UserFactory, make_household, make_id_number

pytestmark = pytest.mark.django_db


def payload(natural_village, number: str, id_number: str | None = None) -> dict:
    return {
        "household_number": number,
        "natural_village": natural_village.pk,
        "attribute": "general",
        "main_cause": "illness",
        "identified_year": 2014,
        "members": [
            {"name": "王小明", "id_number": id_number or make_id_number(), "relation": "head", "sex": "male"}
        ],
    }


def test_a_number_taken_in_another_township_is_refused_without_naming_it():
    elsewhere = NaturalVillageFactory()
    taken = make_household(natural_village=elsewhere, household_number="532328900001")
    mine = NaturalVillageFactory()
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=mine.village.township)
    response = client_for(official).post("/api/v1/households/", payload(mine, "532328900001"), format="json")
    assert response.status_code == 400
    body = str(response.json())
    assert response.json()["household_number"] == ["户编号 532328900001 已存在。"]
    for revealing in (
        elsewhere.name,
        elsewhere.village.name,
        elsewhere.village.township.name,
        taken.head_name,
        str(taken.pk),
    ):
        assert revealing not in body
    assert Household.objects.filter(household_number="532328900001").count() == 1


def test_an_id_number_registered_in_another_township_is_refused_without_naming_it():
    elsewhere = NaturalVillageFactory()
    taken = make_household(natural_village=elsewhere)
    id_number = taken.members.first().id_number
    mine = NaturalVillageFactory()
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=mine.village.township)
    response = client_for(official).post(
        "/api/v1/households/", payload(mine, "532328900002", id_number), format="json"
    )
    assert response.status_code == 400
    assert response.json()["members"]["0"]["id_number"] == ["身份证号已在登记中（一人不能属于两户）。"]
    body = str(response.json())
    for revealing in (taken.household_number, taken.head_name, elsewhere.village.township.name):
        assert revealing not in body


def test_the_service_refuses_a_taken_number_in_the_same_words_for_every_caller():
    taken = make_household(household_number="532328900003")
    with pytest.raises(ValidationError) as refused:
        services.household_create(
            household_number=" 532328900003 ",
            natural_village=NaturalVillageFactory(),
            attribute="general",
            main_cause="illness",
            identified_year=2014,
            members=[services.MemberData(name="甲", id_number=make_id_number(), relation="head", sex="male")],
        )
    assert refused.value.message_dict == {"household_number": ["户编号 532328900003 已存在。"]}
    assert Household.objects.filter(household_number="532328900003").get() == taken


def test_the_update_service_checks_the_records_invariants():
    household = make_household()
    clerk = UserFactory(role=Role.COUNTY_ADMIN)
    with pytest.raises(ValidationError, match="识别年度应在 2013 年之后"):
        services.household_update(household=household, user=clerk, identified_year=2010)
    son = services.MemberData(name="张小", id_number=make_id_number(sex="female"), relation="son", sex="male")
    with pytest.raises(ValidationError, match="性别与身份证号不符"):
        services.member_add(household=household, user=clerk, data=son)
    assert Household.objects.get(pk=household.pk).identified_year == 2014
    assert not Member.objects.filter(name="张小").exists()
