"""Households API (DESIGN.md §7): households, members, assessments, poverty lines, exit applications, stats."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.models import Role
from core.idnumbers import mask
from core.models import Job
from households import services
from households.exit.services import exit_application_advance, exit_application_create
from households.models import Assessment, ExitApplication, ExitStep, Household, Member, PovertyLine
from tests.clients import client_for, ids, token_client
from tests.factories import (
    AssessmentFactory,
    CadreFactory,
    CountyFactory,
    NaturalVillageFactory,
    PairingFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
    make_household,
    make_id_number,
    member_data,
)

pytestmark = pytest.mark.django_db


def errors(response) -> str:
    """The whole error body as text, to look for the Chinese message in it."""
    return str(response.json())


@pytest.fixture
def elsewhere():
    """A natural village in another township."""
    return NaturalVillageFactory()


@pytest.fixture
def household(place, people):
    household = make_household(natural_village=place, household_number="532328100001")
    PairingFactory(cadre=people["cadre"].cadre, household=household)
    return household


@pytest.fixture
def other_household(elsewhere):
    return make_household(natural_village=elsewhere, household_number="532328200001")


def new_household_payload(place, **overrides) -> dict:
    payload = {
        "household_number": "532328100099",
        "natural_village": place.pk,
        "attribute": "dibao",
        "main_cause": "illness",
        "other_causes": ["skills"],
        "identified_year": 2014,
        "phone": "13900000000",
        "members": [
            {"name": "王小明", "id_number": make_id_number(sex="male"), "relation": "head", "sex": "male"},
            {
                "name": "赵小芳",
                "id_number": make_id_number(sex="female"),
                "relation": "spouse",
                "sex": "female",
                "health": ["chronic"],
            },
        ],
    }
    return {**payload, **overrides}


# == households =========================================================================================


def test_the_household_list_is_paginated_with_members_nested_and_labels(household, people):
    body = client_for(people["county"]).get("/api/v1/households/").json()
    assert set(body) >= {"count", "next", "results"}
    assert body["count"] == 1
    row = body["results"][0]
    assert row["household_number"] == "532328100001"
    assert (row["status"], row["status_display"]) == ("poor", "未脱贫")
    assert (row["attribute"], row["attribute_display"]) == ("general", "一般贫困户")
    assert (row["main_cause"], row["main_cause_display"]) == ("illness", "因病")
    assert row["eligible"] is None and row["eligibility_reasons"] == [] and row["exit_year"] is None
    assert row["head_name"] == "张三" and row["member_count"] == 2
    assert row["township"] == household.township_id and row["village_name"] == household.village.name
    head = next(m for m in row["members"] if m["relation"] == "head")
    assert (head["name"], head["relation_display"], head["sex_display"]) == ("张三", "户主", "男")
    assert head["health_display"] == ["健康"]


def test_a_village_official_registers_a_household_with_its_members(place, people):
    response = client_for(people["village"]).post(
        "/api/v1/households/", new_household_payload(place), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["household_number"] == "532328100099"
    assert body["head_name"] == "王小明" and body["status"] == "poor"
    assert body["other_causes_display"] == ["缺技术"]
    assert {m["name"] for m in body["members"]} == {"王小明", "赵小芳"}
    household = Household.objects.get(pk=body["id"])
    assert household.head_initials == "wxm"
    assert household.members.count() == 2
    assert household.village == place.village and household.township == place.village.township


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"members": []}, "members", "列表不能为空"),
        ({"attribute": "rich"}, "attribute", "不是合法选项"),
        ({"other_causes": ["luck"]}, "other_causes", "致贫原因取值无效"),
        ({"identified_year": 2000}, "identified_year", "2013"),
        ({"natural_village": 999999}, "natural_village", "不存在"),
    ],
)
def test_bad_household_input_answers_400_in_chinese_and_creates_nothing(
    place, people, change, field, message
):
    response = client_for(people["village"]).post(
        "/api/v1/households/", new_household_payload(place, **change), format="json"
    )
    assert response.status_code == 400
    assert message in str(response.json()[field])
    assert Household.objects.count() == 0 and Member.objects.count() == 0


def test_two_heads_are_refused_with_the_reason(place, people):
    payload = new_household_payload(place)
    payload["members"][1]["relation"] = "head"
    response = client_for(people["village"]).post("/api/v1/households/", payload, format="json")
    assert response.status_code == 400
    assert "一户必须有且只有一名户主，现有 2 名。" in errors(response)
    assert Household.objects.count() == 0 and Member.objects.count() == 0


def test_member_errors_name_the_member(place, people, household):
    payload = new_household_payload(place)
    taken = household.members.get(relation="head").id_number
    payload["members"][0]["id_number"] = taken  # already in another household
    payload["members"][1]["sex"] = "male"  # the ID says female
    before = Member.objects.count()
    response = client_for(people["village"]).post("/api/v1/households/", payload, format="json")
    assert response.status_code == 400
    # DRF keys a list's errors by the position of the member in it.
    first, second = response.json()["members"]["0"], response.json()["members"]["1"]
    assert first["id_number"] == ["身份证号已在登记中（一人不能属于两户）。"]
    assert "性别与身份证号不符" in str(second["sex"])
    assert Household.objects.count() == 1 and Member.objects.count() == before


def test_a_wrong_check_digit_is_named(place, people):
    payload = new_household_payload(place)
    good = payload["members"][0]["id_number"]
    payload["members"][0]["id_number"] = good[:17] + ("0" if good[17] != "0" else "1")
    response = client_for(people["village"]).post("/api/v1/households/", payload, format="json")
    assert response.status_code == 400, response.content
    assert "身份证号校验位错误" in str(response.json()["members"]["0"]["id_number"])


def test_a_duplicate_household_number_is_refused(place, people, household):
    payload = new_household_payload(place, household_number=household.household_number)
    response = client_for(people["village"]).post("/api/v1/households/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["household_number"] == ["户编号 532328100001 已存在。"]


@pytest.mark.parametrize("role", ["inspector", "cadre"])
def test_roles_that_only_read_may_not_register_households(place, people, role):
    response = client_for(people[role]).post(
        "/api/v1/households/", new_household_payload(place), format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "您无权修改贫困户信息。"
    assert Household.objects.count() == 0


def test_a_village_official_registers_only_in_their_village(people, elsewhere):
    response = client_for(people["village"]).post(
        "/api/v1/households/", new_household_payload(elsewhere), format="json"
    )
    assert response.status_code == 400
    assert "不存在" in str(response.json()["natural_village"])


@pytest.mark.parametrize(
    "role, sees_own, sees_other",
    [
        ("county", True, True),
        ("inspector", True, True),
        ("township", True, False),
        ("village", True, False),
        ("cadre", True, False),
    ],
)
def test_each_role_sees_its_scope_and_out_of_scope_is_404(
    people, household, other_household, role, sees_own, sees_other
):
    client = client_for(people[role])
    expected = {household.pk} | ({other_household.pk} if sees_other else set())
    assert ids(client.get("/api/v1/households/")) == expected
    assert client.get(f"/api/v1/households/{other_household.pk}/").status_code == (200 if sees_other else 404)
    assert client.get(f"/api/v1/households/{household.pk}/").status_code == 200


def test_a_cadre_sees_only_their_paired_households(people, household, place):
    unpaired = make_household(natural_village=place)
    client = client_for(people["cadre"])
    assert ids(client.get("/api/v1/households/")) == {household.pk}
    assert client.get(f"/api/v1/households/{unpaired.pk}/").status_code == 404


@pytest.mark.parametrize(
    "role, whole",
    [("county", True), ("township", True), ("village", True), ("inspector", False), ("cadre", False)],
)
def test_id_numbers_are_masked_for_roles_that_may_not_see_them_whole(people, household, role, whole):
    real = household.members.get(relation="head").id_number
    client = client_for(people[role])
    row = client.get(f"/api/v1/households/{household.pk}/").json()
    shown = next(m["id_number"] for m in row["members"] if m["relation"] == "head")
    assert shown == (real if whole else mask(real))
    member_id = household.members.get(relation="head").pk
    assert client.get(f"/api/v1/members/{member_id}/").json()["id_number"] == shown
    if not whole:
        assert shown.startswith("532328********") and shown[-4:] == real[-4:]


def test_serializers_made_once_still_answer_each_request_for_its_own_user_and_language(
    people, household, settings
):
    """The household serializers' fields are derived once per class and language (FieldsBuiltOnce), their
    labels translated once (translated_labels): users who see whole and masked ID numbers take turns,
    then one user reads in English and back in Chinese."""
    real = household.members.get(relation="head").id_number

    def head(client) -> dict:
        row = client.get(f"/api/v1/households/{household.pk}/").json()
        return row, next(m for m in row["members"] if m["relation"] == "head")

    shown = [
        head(client_for(people[role]))[1]["id_number"] for role in ("county", "cadre", "county", "cadre")
    ]
    assert shown == [real, mask(real), real, mask(real)]

    client = client_for(people["county"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert head(client)[0]["status_display"] == "Poor"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert head(client)[0]["status_display"] == "未脱贫"


def test_households_filter_by_place_status_attribute_cause_and_eligibility(people, place, elsewhere):
    a = make_household(natural_village=place, attribute="dibao", main_cause="illness")
    b = make_household(natural_village=place, attribute="general", main_cause="schooling")
    c = make_household(natural_village=elsewhere, status="exited", exit_year=2016)
    Household.objects.filter(pk=a.pk).update(eligible=True)
    Household.objects.filter(pk=b.pk).update(eligible=False, eligibility_reasons=["住房安全无保障"])
    client = client_for(people["county"])
    assert ids(client.get(f"/api/v1/households/?township={place.village.township_id}")) == {a.pk, b.pk}
    assert ids(client.get(f"/api/v1/households/?village={elsewhere.village_id}")) == {c.pk}
    assert ids(client.get(f"/api/v1/households/?natural_village={place.pk}")) == {a.pk, b.pk}
    assert ids(client.get("/api/v1/households/?status=exited")) == {c.pk}
    assert ids(client.get("/api/v1/households/?attribute=dibao")) == {a.pk}
    assert ids(client.get("/api/v1/households/?cause=schooling")) == {b.pk}
    assert ids(client.get("/api/v1/households/?eligible=true")) == {a.pk}
    assert ids(client.get("/api/v1/households/?eligible=false")) == {b.pk}
    assert ids(client.get("/api/v1/households/?eligible=null")) == {c.pk}
    assert ids(client.get(f"/api/v1/households/?id={a.pk},{c.pk}")) == {a.pk, c.pk}


def test_a_bad_filter_value_answers_400_in_chinese(people, household):
    client = client_for(people["county"])
    response = client.get("/api/v1/households/?status=rich")
    assert response.status_code == 400
    assert "rich" in str(response.json()["status"])
    response = client.get("/api/v1/households/?township=abc")
    assert response.status_code == 400
    assert "整数" in str(response.json()["township"])


def test_q_finds_by_household_number_name_initials_and_id_number(people, place):
    zhang = make_household(
        natural_village=place, household_number="5323281001", members=[member_data(name="张国华")]
    )
    li = make_household(
        natural_village=place, household_number="5323282002", members=[member_data(name="李国")]
    )
    client = client_for(people["county"])
    assert ids(client.get("/api/v1/households/?q=5323281")) == {zhang.pk}
    assert ids(client.get("/api/v1/households/?q=张国")) == {zhang.pk}
    assert ids(client.get("/api/v1/households/?q=ZGH")) == {zhang.pk}  # initials, any case
    assert ids(client.get("/api/v1/households/?q=lg")) == {li.pk}
    id_number = li.members.get().id_number
    assert ids(client.get(f"/api/v1/households/?q={id_number}")) == {li.pk}
    assert ids(client.get("/api/v1/households/?q=国")) == set()  # prefixes only: indexed at scale


def test_q_stays_inside_the_scope(people, household, other_household):
    id_number = other_household.members.get(relation="head").id_number
    client = client_for(people["township"])
    assert ids(client.get(f"/api/v1/households/?q={id_number}")) == set()


def test_a_household_is_edited_through_the_service(people, household, place):
    other_place = NaturalVillageFactory(village=place.village)
    response = client_for(people["village"]).patch(
        f"/api/v1/households/{household.pk}/",
        {"phone": "13700000000", "natural_village": other_place.pk, "other_causes": ["water"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    household.refresh_from_db()
    assert household.phone == "13700000000" and household.natural_village == other_place
    assert household.other_causes == ["water"]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"status": "exited"}, "贫困户状态只能通过脱贫程序、返贫核实或清退改变。"),
        ({"household_number": "X1"}, "户编号不能修改。"),
        ({"members": []}, "家庭成员通过 /api/v1/members/ 增减和修改。"),
    ],
)
def test_fields_that_change_elsewhere_are_refused_with_the_way(people, household, change, message):
    response = client_for(people["county"]).patch(
        f"/api/v1/households/{household.pk}/", change, format="json"
    )
    assert response.status_code == 400
    assert response.json()[next(iter(change))] == [message]
    household.refresh_from_db()
    assert household.status == "poor" and household.household_number == "532328100001"


def test_editing_out_of_scope_is_404_and_a_read_only_role_is_403(people, household, other_household):
    response = client_for(people["village"]).patch(
        f"/api/v1/households/{other_household.pk}/", {"phone": "1"}, format="json"
    )
    assert response.status_code == 404
    response = client_for(people["inspector"]).patch(
        f"/api/v1/households/{household.pk}/", {"phone": "1"}, format="json"
    )
    assert response.status_code == 403
    assert client_for(people["county"]).delete(f"/api/v1/households/{household.pk}/").status_code == 405


def test_a_household_is_removed_with_a_reason(people, household):
    client = client_for(people["township"])
    response = client.post(f"/api/v1/households/{household.pk}/remove/", {"reason": " "}, format="json")
    assert response.status_code == 400
    household.refresh_from_db()
    assert household.status == "poor"
    response = client.post(
        f"/api/v1/households/{household.pk}/remove/", {"reason": "错误识别"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["removed_reason"]) == ("removed", "错误识别")


def test_the_head_is_changed_to_a_current_member(people, household):
    spouse = household.members.get(relation="spouse")
    client = client_for(people["village"])
    response = client.post(
        f"/api/v1/households/{household.pk}/head/", {"new_head": spouse.pk, "old_head_relation": "spouse"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["head_name"] == "李四妹"
    response = client.post(
        f"/api/v1/households/{household.pk}/head/", {"new_head": spouse.pk, "old_head_relation": "head"}
    )
    assert response.status_code == 400
    assert "old_head_relation" in response.json()


def test_households_work_with_a_token(people, household):
    response = token_client(people["village"]).get("/api/v1/households/")
    assert response.status_code == 200 and response.json()["count"] == 1
    assert APIClient().get("/api/v1/households/").status_code == 401


@pytest.mark.parametrize("role", [Role.COUNTY_ADMIN, Role.VILLAGE_OFFICIAL, Role.CADRE])
def test_the_household_list_takes_the_same_queries_for_5_and_50_households(role):
    place = NaturalVillageFactory()
    cadre = CadreFactory()
    scope = {Role.VILLAGE_OFFICIAL: {"village": place.village}, Role.CADRE: {"cadre": cadre}}
    client = token_client(UserFactory(role=role, **scope.get(role, {})))

    def add(n: int) -> None:
        for _ in range(n):
            PairingFactory(cadre=cadre, household=make_household(natural_village=place))

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/households/?page_size=100")
            assert response.status_code == 200
        return len(queries), response.json()

    add(5)
    few, body = count_queries()
    assert body["count"] == 5 and all(len(r["members"]) == 2 for r in body["results"])
    add(45)
    many, body = count_queries()
    assert body["count"] == 50
    assert many == few
    assert few <= 5  # token and user, count, page (places joined), members, the access-log entry for full IDs


# == members ============================================================================================


def test_members_list_filters_by_household_and_current(people, household, other_household):
    head = household.members.get(relation="head")
    spouse = household.members.get(relation="spouse")
    services.member_leave(
        member=spouse, reason="married_out", on=datetime.date(2016, 5, 1), user=people["county"]
    )
    client = client_for(people["county"])
    assert ids(client.get(f"/api/v1/members/?household={household.pk}")) == {head.pk, spouse.pk}
    assert ids(client.get(f"/api/v1/members/?household={household.pk}&current=true")) == {head.pk}
    assert ids(client.get(f"/api/v1/members/?household={household.pk}&current=false")) == {spouse.pk}
    row = client.get(f"/api/v1/members/{spouse.pk}/").json()
    assert (row["left_reason"], row["left_reason_display"], row["is_current"]) == (
        "married_out",
        "婚出",
        False,
    )
    assert ids(client_for(people["township"]).get("/api/v1/members/")) == {head.pk, spouse.pk}
    other = other_household.members.first()
    assert client_for(people["township"]).get(f"/api/v1/members/{other.pk}/").status_code == 404


def test_a_member_is_added_and_counts(people, household):
    payload = {
        "household": household.pk,
        "name": "张小宝",
        "id_number": make_id_number(sex="male", born=datetime.date(2015, 6, 1)),
        "relation": "son",
        "sex": "male",
        "education": "preschool",
    }
    response = client_for(people["village"]).post("/api/v1/members/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["relation_display"] == "之子"
    assert household.members.filter(left_reason="").count() == 3


def test_a_second_head_or_a_registered_id_is_refused_and_nothing_changes(people, household, other_household):
    client = client_for(people["village"])
    before = Member.objects.count()
    second_head = {
        "household": household.pk,
        "name": "张四",
        "id_number": make_id_number(),
        "relation": "head",
        "sex": "male",
    }
    response = client.post("/api/v1/members/", second_head, format="json")
    assert response.status_code == 400
    assert "该户已有户主，一户只能有一名户主。" in errors(response)
    taken = {**second_head, "relation": "son", "id_number": other_household.members.first().id_number}
    response = client.post("/api/v1/members/", taken, format="json")
    assert response.status_code == 400
    assert response.json()["id_number"] == ["身份证号已在登记中（一人不能属于两户）。"]
    assert Member.objects.count() == before


def test_a_member_is_corrected_but_not_moved_to_head_by_patch(people, household):
    spouse = household.members.get(relation="spouse")
    client = client_for(people["village"])
    response = client.patch(f"/api/v1/members/{spouse.pk}/", {"ethnicity": "彝族", "health": ["serious"]})
    assert response.status_code == 200, response.content
    assert response.json()["health_display"] == ["患有大病"]
    response = client.patch(f"/api/v1/members/{spouse.pk}/", {"relation": "head"}, format="json")
    assert response.status_code == 400
    assert "户主变更" in response.json()["relation"][0]
    spouse.refresh_from_db()
    assert (spouse.ethnicity, spouse.relation) == ("彝族", "spouse")


def test_the_head_leaves_only_with_a_new_head_named(people, household):
    head = household.members.get(relation="head")
    spouse = household.members.get(relation="spouse")
    client = client_for(people["village"])
    response = client.post(
        f"/api/v1/members/{head.pk}/leave/", {"left_reason": "death", "left_on": "2016-04-01"}
    )
    assert response.status_code == 400
    assert response.json()["new_head"] == ["户主减少后须从在册成员中指定新户主。"]
    head.refresh_from_db()
    assert head.is_current
    response = client.post(
        f"/api/v1/members/{head.pk}/leave/",
        {"left_reason": "death", "left_on": "2016-04-01", "new_head": spouse.pk},
    )
    assert response.status_code == 200, response.content
    household.refresh_from_db()
    assert household.head_name == "李四妹"


@pytest.mark.parametrize("role", ["inspector", "cadre"])
def test_read_only_roles_do_not_change_members(people, household, role):
    head = household.members.get(relation="head")
    response = client_for(people[role]).patch(f"/api/v1/members/{head.pk}/", {"name": "改名"})
    assert response.status_code == 403
    assert response.json()["detail"] == "您无权修改家庭成员。"


# == assessments ========================================================================================

INCOME = {
    "year": 2016,
    "wage_income": "8000",
    "operating_income": "4000",
    "property_income": "0",
    "transfer_income": "500",
    "operating_expense": "1500",
    "food_secure": True,
    "clothing_secure": True,
    "education_secure": True,
    "medical_secure": True,
    "housing_secure": True,
    "water_secure": True,
}


def test_an_assessment_is_recorded_and_decides_the_household(people, household):
    client = client_for(people["village"])
    response = client.post(f"/api/v1/households/{household.pk}/assessments/", INCOME, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["per_capita_net_income"] == "5500.00"  # (8000 + 4000 + 500 − 1500) ÷ 2
    assert body["eligible"] is True and body["eligibility_reasons"] == []
    row = client.get(f"/api/v1/households/{household.pk}/").json()
    assert (row["eligible"], row["eligibility_year"]) == (True, 2016)
    listed = client.get(f"/api/v1/households/{household.pk}/assessments/").json()
    assert listed["count"] == 1 and listed["results"][0]["year"] == 2016
    assert client.get(f"/api/v1/households/{household.pk}/assessments/2016/").json()["id"] == body["id"]


def test_a_correction_of_one_field_keeps_the_others(people, household):
    client = client_for(people["village"])
    client.post(f"/api/v1/households/{household.pk}/assessments/", INCOME, format="json")
    response = client.patch(
        f"/api/v1/households/{household.pk}/assessments/2016/", {"housing_secure": False}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["wage_income"] == "8000.00" and body["housing_secure"] is False
    assert body["eligible"] is False and body["eligibility_reasons"] == ["住房安全无保障"]
    # Posting the same year again corrects it (200, not a second record).
    again = client.post(f"/api/v1/households/{household.pk}/assessments/", INCOME, format="json")
    assert again.status_code == 200
    assert Assessment.objects.filter(household=household).count() == 1


def test_per_capita_net_income_is_computed_not_taken(people, household):
    payload = {**INCOME, "per_capita_net_income": "99999"}
    response = client_for(people["village"]).post(
        f"/api/v1/households/{household.pk}/assessments/", payload, format="json"
    )
    assert response.json()["per_capita_net_income"] == "5500.00"


def test_negative_incomes_answer_400_per_field_and_record_nothing(people, household):
    payload = {**INCOME, "wage_income": "-100", "operating_expense": "-1"}
    response = client_for(people["village"]).post(
        f"/api/v1/households/{household.pk}/assessments/", payload, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["wage_income"] == ["工资性收入不能为负数（-100.00 元）。"]
    assert body["operating_expense"] == ["生产经营性支出不能为负数（-1.00 元）。"]
    assert Assessment.objects.count() == 0
    household.refresh_from_db()
    assert household.eligible is None


def test_a_household_with_no_current_members_gets_no_assessment(people, place):
    household = make_household(natural_village=place, members=[member_data(name="孤老")])
    head = household.members.get()
    services.member_leave(member=head, reason="death", on=datetime.date(2016, 2, 1), user=people["county"])
    response = client_for(people["village"]).post(
        f"/api/v1/households/{household.pk}/assessments/", INCOME, format="json"
    )
    assert response.status_code == 400
    assert response.json()["household"] == ["该户没有在册家庭成员，无法计算人均纯收入，不能填报收入。"]
    assert Assessment.objects.count() == 0


def test_a_year_with_no_poverty_line_is_refused(people, household):
    assert not PovertyLine.objects.filter(year=2013).exists()
    response = client_for(people["village"]).post(
        f"/api/v1/households/{household.pk}/assessments/", {**INCOME, "year": 2013}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["year"] == ["2013 年尚未设定扶贫标准，请先由县扶贫办设定后再填报。"]
    assert Assessment.objects.count() == 0


def test_assessments_of_an_out_of_scope_household_are_404(people, other_household):
    client = client_for(people["village"])
    assert client.get(f"/api/v1/households/{other_household.pk}/assessments/").status_code == 404
    response = client.post(f"/api/v1/households/{other_household.pk}/assessments/", INCOME, format="json")
    assert response.status_code == 404
    assert client.get("/api/v1/households/999999/assessments/").status_code == 404
    assert Assessment.objects.count() == 0


@pytest.mark.parametrize("role", ["inspector", "cadre"])
def test_read_only_roles_read_but_do_not_record_assessments(people, household, role):
    AssessmentFactory(household=household)
    client = client_for(people[role])
    assert client.get(f"/api/v1/households/{household.pk}/assessments/").json()["count"] == 1
    response = client.post(f"/api/v1/households/{household.pk}/assessments/", INCOME, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "您无权填报年度收入与保障情况。"


def test_assessments_filter_by_year(people, household):
    AssessmentFactory(household=household, year=2015)
    a16 = AssessmentFactory(household=household, year=2016)
    response = client_for(people["county"]).get(f"/api/v1/households/{household.pk}/assessments/?year=2016")
    assert ids(response) == {a16.pk}


# == poverty lines ======================================================================================


@pytest.mark.parametrize("role", ["county", "township", "village", "inspector", "cadre"])
def test_everyone_reads_the_poverty_lines(people, role):
    body = client_for(people[role]).get("/api/v1/poverty-lines/?year=2016").json()
    assert body["count"] == 1
    assert (body["results"][0]["year"], body["results"][0]["amount"]) == (2016, "2952.00")


def test_the_county_sets_a_line_and_a_recompute_follows(
    people, household, django_capture_on_commit_callbacks
):
    AssessmentFactory(household=household, year=2021, wage_income=4000, operating_income=0)
    client = client_for(people["county"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/poverty-lines/", {"year": 2021, "amount": "4100"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["year"], body["amount"], body["region_code"]) == (2021, "4100.00", "")
    job = client.get(f"/api/v1/jobs/{body['job']}/").json()
    assert (job["state"], job["progress"], job["kind"]) == ("done", 100, "eligibility_recompute")
    household.refresh_from_db()
    assert household.eligible is False
    assert household.eligibility_reasons == ["人均纯收入 2,000 元 低于 2021 年标准 4,100 元"]

    line = PovertyLine.objects.get(year=2021, region_code="")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(f"/api/v1/poverty-lines/{line.pk}/", {"amount": "1900"}, format="json")
    assert response.status_code == 200 and response.json()["job"] is not None
    household.refresh_from_db()
    assert household.eligible is True


def test_setting_the_same_amount_starts_no_job(people):
    line = PovertyLine.objects.get(year=2016, region_code="")
    response = client_for(people["county"]).patch(
        f"/api/v1/poverty-lines/{line.pk}/", {"amount": "2952"}, format="json"
    )
    assert response.status_code == 200 and response.json()["job"] is None
    assert Job.objects.count() == 0


@pytest.mark.parametrize(
    "payload, field, message",
    [
        ({"year": 2021, "amount": "-5"}, "amount", "扶贫标准必须大于 0 元。"),
        ({"year": 2021, "amount": "0"}, "amount", "扶贫标准必须大于 0 元。"),
        ({"year": 1990, "amount": "3000"}, "year", "年度无效: 1990"),
        ({"year": 2021, "amount": "abc"}, "amount", "请填写合法的数字。"),
        (
            {"year": 2021, "amount": "3000", "region_code": "53"},
            "region_code",
            "地区代码应为 6 位数字，国家标准留空。",
        ),
    ],
)
def test_bad_poverty_lines_are_refused_and_nothing_changes(people, payload, field, message):
    before = PovertyLine.objects.count()
    response = client_for(people["county"]).post("/api/v1/poverty-lines/", payload, format="json")
    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert PovertyLine.objects.count() == before and Job.objects.count() == 0


@pytest.mark.parametrize("role", ["township", "village", "inspector", "cadre"])
def test_only_the_county_sets_poverty_lines(people, role):
    client = client_for(people[role])
    response = client.post("/api/v1/poverty-lines/", {"year": 2021, "amount": "4100"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "只有县扶贫办管理员可以设定扶贫标准。"
    line = PovertyLine.objects.get(year=2016, region_code="")
    assert client.patch(f"/api/v1/poverty-lines/{line.pk}/", {"amount": "1"}).status_code == 403
    line.refresh_from_db()
    assert line.amount == Decimal("2952")


# == exit applications ==================================================================================

LONG_AGO = datetime.date(2016, 1, 4)


def eligible_household(place, **kw):
    household = make_household(natural_village=place, **kw)
    AssessmentFactory(household=household, year=2016, wage_income=8000, operating_income=0)
    return household


def end_notice(application) -> None:
    """The 公示 that the last step started has run its course."""
    ExitApplication.objects.filter(pk=application.pk).update(notice_ends_on=datetime.date(2016, 1, 1))


def test_the_whole_procedure_through_the_api(people, place):
    household = eligible_household(place)
    village, township, county = (client_for(people[r]) for r in ("village", "township", "county"))
    response = village.post("/api/v1/exit-applications/", {"household": household.pk, "year": 2016})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["state_display"]) == ("applied", "申请")
    assert (body["next_step"], body["next_step_role"]) == ("村委会确定脱贫名单", "village_official")
    assert [s["state"] for s in body["steps"]] == ["applied"]
    url = f"/api/v1/exit-applications/{body['id']}/advance/"

    assert (
        village.post(url, {"decision": "approve", "comment": "名单确定"}).json()["state"]
        == "village_confirmed"
    )
    body = village.post(url, {"decision": "approve"}).json()
    assert body["state"] == "assembly_reviewed" and body["notice_ends_on"] is not None
    # 公示 is running: the township waits, and nothing changes.
    response = township.post(url, {"decision": "approve"})
    assert response.status_code == 400
    assert "公示期至" in errors(response)
    end_notice(ExitApplication.objects.get(pk=body["id"]))
    assert township.post(url, {"decision": "approve"}).json()["state"] == "township_verified"
    end_notice(ExitApplication.objects.get(pk=body["id"]))
    body = county.post(url, {"decision": "approve", "comment": "批准"}).json()
    assert body["state"] == "county_approved" and body["next_step"] is None
    steps = body["steps"]
    assert [s["state"] for s in steps] == [
        "applied",
        "village_confirmed",
        "assembly_reviewed",
        "township_verified",
        "county_approved",
    ]
    assert steps[-1]["actor_role"] == "county_admin" and steps[-1]["decision_display"] == "同意"
    row = county.get(f"/api/v1/households/{household.pk}/").json()
    assert (row["status"], row["exit_year"]) == ("exited", 2016)


def test_only_the_village_committee_records_an_application(people, place):
    household = eligible_household(place)
    response = client_for(people["township"]).post(
        "/api/v1/exit-applications/", {"household": household.pk, "year": 2016}
    )
    assert response.status_code == 400
    assert "脱贫申请由村委会工作人员登记。" in errors(response)
    response = client_for(people["inspector"]).post(
        "/api/v1/exit-applications/", {"household": household.pk, "year": 2016}
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "您无权办理脱贫申请。"
    assert ExitApplication.objects.count() == 0


def test_a_step_by_the_wrong_role_is_refused_with_the_message(people, place):
    application = exit_application_create(
        household=eligible_household(place), year=2016, user=people["village"]
    )
    url = f"/api/v1/exit-applications/{application.pk}/advance/"
    response = client_for(people["township"]).post(url, {"decision": "approve"})
    assert response.status_code == 400
    assert "“村委会确定脱贫名单”由村委会工作人员办理，您的角色是乡镇干部。" in errors(response)
    response = client_for(people["county"]).post(url, {"decision": "approve"})
    assert response.status_code == 400
    assert "您的角色是县扶贫办管理员" in errors(response)
    application.refresh_from_db()
    assert application.state == "applied" and application.steps.count() == 1


def test_a_step_out_of_order_is_refused(people, place):
    application = exit_application_create(
        household=eligible_household(place), year=2016, user=people["village"]
    )
    exit_application_advance(
        application=application, user=people["village"], decision="reject", comment="收入不实"
    )
    response = client_for(people["village"]).post(
        f"/api/v1/exit-applications/{application.pk}/advance/", {"decision": "approve"}
    )
    assert response.status_code == 400
    assert "不能再办理" in errors(response)
    assert application.steps.count() == 2


def test_county_approval_of_an_ineligible_household_is_refused_with_the_reasons(people, place):
    household = make_household(natural_village=place)
    AssessmentFactory(
        household=household, year=2016, wage_income=4000, operating_income=0, housing_secure=False
    )
    application = exit_application_create(household=household, year=2016, user=people["village"])
    for user, on in (
        ("village", LONG_AGO),
        ("village", LONG_AGO),
        ("township", LONG_AGO + datetime.timedelta(10)),
    ):
        exit_application_advance(application=application, user=people[user], decision="approve", on=on)
    application.refresh_from_db()
    assert application.state == "township_verified"
    end_notice(application)
    response = client_for(people["county"]).post(
        f"/api/v1/exit-applications/{application.pk}/advance/", {"decision": "approve"}
    )
    assert response.status_code == 400
    message = errors(response)
    assert "该户不符合脱贫条件，不能审批" in message
    assert "人均纯收入 2,000 元 低于 2016 年标准 2,952 元" in message and "住房安全无保障" in message
    application.refresh_from_db()
    household.refresh_from_db()
    assert application.state == "township_verified" and household.status == "poor"
    assert ExitStep.objects.filter(application=application).count() == 4


@pytest.mark.parametrize(
    "payload, field, message",
    [
        ({"decision": "maybe"}, "decision", "决定应为 approve（同意）或 reject（不同意）。"),
        ({"decision": "reject", "comment": ""}, "comment", "退回时必须填写理由。"),
    ],
)
def test_bad_advance_input_answers_400(people, place, payload, field, message):
    application = exit_application_create(
        household=eligible_household(place), year=2016, user=people["village"]
    )
    response = client_for(people["village"]).post(
        f"/api/v1/exit-applications/{application.pk}/advance/", payload, format="json"
    )
    assert response.status_code == 400
    assert response.json()[field] == [message]
    application.refresh_from_db()
    assert application.state == "applied"


def test_exit_applications_are_scoped_and_filtered(people, place, elsewhere):
    ours = exit_application_create(household=eligible_household(place), year=2016, user=people["village"])
    other_village = UserFactory(role=Role.VILLAGE_OFFICIAL, village=elsewhere.village)
    theirs = exit_application_create(household=eligible_household(elsewhere), year=2016, user=other_village)
    county = client_for(people["county"])
    assert ids(county.get("/api/v1/exit-applications/")) == {ours.pk, theirs.pk}
    assert ids(county.get(f"/api/v1/exit-applications/?township={elsewhere.village.township_id}")) == {
        theirs.pk
    }
    assert ids(county.get(f"/api/v1/exit-applications/?household={ours.household_id}")) == {ours.pk}
    assert ids(county.get("/api/v1/exit-applications/?state=applied&year=2016")) == {ours.pk, theirs.pk}
    township = client_for(people["township"])
    assert ids(township.get("/api/v1/exit-applications/")) == {ours.pk}
    assert township.get(f"/api/v1/exit-applications/{theirs.pk}/").status_code == 404
    response = client_for(people["village"]).post(
        f"/api/v1/exit-applications/{theirs.pk}/advance/", {"decision": "approve"}
    )
    assert response.status_code == 404
    assert ids(client_for(people["inspector"]).get("/api/v1/exit-applications/")) == {ours.pk, theirs.pk}


def test_the_exit_application_list_takes_the_same_queries_for_few_and_many(people, place):
    client = token_client(people["county"])

    def add(n: int) -> None:
        for _ in range(n):
            application = exit_application_create(
                household=eligible_household(place), year=2016, user=people["village"]
            )
            exit_application_advance(application=application, user=people["village"], decision="approve")

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/exit-applications/?page_size=100")
            assert response.status_code == 200
        return len(queries), response.json()

    add(2)
    few, body = count_queries()
    assert body["count"] == 2 and all(len(r["steps"]) == 2 for r in body["results"])
    add(10)
    many, body = count_queries()
    assert body["count"] == 12
    assert many == few
    assert few <= 4  # token and user, count, page (households joined), steps (actors joined)


# == stats ==============================================================================================


@pytest.fixture
def figures_place():
    """Hand-built: two townships; one with every status, members who left, and a known population."""
    county = CountyFactory()
    county.registered_rural_population = 20000
    county.save()
    t1 = TownshipFactory(county=county, registered_rural_population=1000)
    t2 = TownshipFactory(county=county, registered_rural_population=4000)
    v1 = VillageFactory(township=t1, registered_rural_population=400)
    v1b = VillageFactory(township=t1, registered_rural_population=600)
    nv1, nv1b = NaturalVillageFactory(village=v1), NaturalVillageFactory(village=v1b)
    nv2 = NaturalVillageFactory(village=VillageFactory(township=t2))
    admin = UserFactory(role=Role.COUNTY_ADMIN)

    def household(place, n: int, **kw):
        members = [member_data(name="户主")] + [member_data("son", name=f"子{i}") for i in range(n - 1)]
        return make_household(natural_village=place, members=members, **kw)

    poor = household(nv1, 3)  # poor, 3 members of whom 1 leaves: 2 persons
    son = poor.members.filter(relation="son").first()
    services.member_leave(member=son, reason="moved_out", on=datetime.date(2016, 3, 1), user=admin)
    household(nv1, 2, status="exited", exit_year=2016)  # exited: 2 persons
    household(nv1b, 1, status="returned")  # 返贫 counts as poor: 1 person
    household(nv1b, 4, status="removed")  # 已清退 counts nowhere
    household(nv2, 2)  # the other township: poor, 2 persons
    return {"county": county, "t1": t1, "t2": t2, "v1": v1, "admin": admin}


def test_stats_of_a_township_from_hand_built_data(figures_place):
    t1 = figures_place["t1"]
    body = client_for(figures_place["admin"]).get(f"/api/v1/stats/?township={t1.pk}").json()
    assert {k: body[k] for k in body if k not in ("name", "population")} == {
        "households": 3,
        "persons": 5,
        "poor_households": 2,
        "poor_persons": 3,
        "exited_households": 1,
        "exited_persons": 2,
        "incidence": 0.003,  # 3 poor persons ÷ 1,000
    }
    assert (body["name"], body["population"]) == (t1.name, 1000)


def test_stats_of_a_village_and_of_the_county(figures_place):
    client = client_for(figures_place["admin"])
    village = client.get(f"/api/v1/stats/?village={figures_place['v1'].pk}").json()
    assert (village["households"], village["persons"], village["poor_persons"]) == (2, 4, 2)
    assert village["exited_persons"] == 2 and village["incidence"] == pytest.approx(2 / 400)
    county = client.get("/api/v1/stats/").json()
    assert (county["households"], county["persons"]) == (4, 7)
    assert (county["poor_households"], county["poor_persons"]) == (3, 5)
    assert (county["exited_households"], county["exited_persons"]) == (1, 2)
    assert county["incidence"] == pytest.approx(5 / 20000)


def test_stats_are_scoped_and_bad_parameters_answer_400(figures_place):
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=figures_place["t1"])
    client = client_for(official)
    assert client.get(f"/api/v1/stats/?township={figures_place['t2'].pk}").status_code == 404
    own = client.get("/api/v1/stats/").json()  # "the county" for a township official: their scope only
    assert own["poor_persons"] == 3
    response = client.get("/api/v1/stats/?township=abc")
    assert response.status_code == 400 and "整数" in str(response.json()["township"])
    both = client.get(f"/api/v1/stats/?township={figures_place['t1'].pk}&village={figures_place['v1'].pk}")
    assert both.status_code == 400
    assert "township 与 village 只能指定其一。" in errors(both)


# == schema =============================================================================================

OUR_PATHS = (
    "/api/v1/households/",
    "/api/v1/households/{id}/",
    "/api/v1/households/{id}/remove/",
    "/api/v1/households/{id}/head/",
    "/api/v1/households/{household_pk}/assessments/",
    "/api/v1/households/{household_pk}/assessments/{year}/",
    "/api/v1/members/",
    "/api/v1/members/{id}/leave/",
    "/api/v1/poverty-lines/",
    "/api/v1/exit-applications/",
    "/api/v1/exit-applications/{id}/advance/",
    "/api/v1/stats/",
    "/api/v1/jobs/{id}/",
    "/api/v1/eligibility/recompute/",
)


def test_the_schema_answers_with_our_paths(people):
    client = APIClient()
    client.force_login(people["county"])
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in OUR_PATHS:
        assert path in paths, path


def test_the_schema_of_our_views_generates_without_warnings():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in OUR_PATHS:
        assert path in schema["paths"]
    # Components and enums of these views, and the modules that declare them.
    ours = (
        "Household",
        "Member",
        "Assessment",
        "PovertyLine",
        "ExitApplication",
        "ExitStep",
        "ExitAdvance",
        "Stats",
        "Job",
        "EligibilityRecompute",
        "households/api.py",
        "jobs_api.py",
        '"state"',
        '"relation"',
        '"main_cause"',
        "Relation",
        "Cause",
        "Reason",
        "StateEnum",
    )
    problems = [
        m for m in [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache] if any(o in m for o in ours)
    ]
    assert problems == []


def test_a_change_through_the_api_is_kept_in_the_history_with_who_made_it(people, household):
    client = token_client(people["village"])
    assert client.patch(f"/api/v1/households/{household.pk}/", {"phone": "13600000000"}).status_code == 200
    record = household.history.order_by("-history_date").first()
    assert (record.phone, record.history_user) == ("13600000000", people["village"])


def test_a_list_instead_of_an_object_answers_400_not_500(people, household):
    client = client_for(people["county"])
    response = client.patch(f"/api/v1/households/{household.pk}/", [1, 2], format="json")
    assert response.status_code == 400
    assert client.post("/api/v1/households/", [1], format="json").status_code == 400
    url = f"/api/v1/households/{household.pk}/assessments/"
    assert client.post(url, ["x"], format="json").status_code == 400
