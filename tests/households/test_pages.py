"""Household pages: list and search, detail, forms (through the browser's forms), scope and query counts."""

import datetime
import itertools

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from households import choices
from households.models import Assessment, Household, Member
from households.services import assessment_record, member_update
from tests.factories import (
    AssessmentFactory,
    CadreFactory,
    NaturalVillageFactory,
    PairingFactory,
    RevisitFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
    make_household,
    make_id_number,
    member_data,
)

pytestmark = pytest.mark.django_db

ALL_SECURE = {field: True for field in Assessment.SECURITY_FIELDS}
_birthdays = (datetime.date(1950, 1, 1) + datetime.timedelta(days=n) for n in itertools.count())


def family(natural_village, head: str, number: str, *, children: int = 1, **kw) -> Household:
    members = [
        member_data(name=head, born=next(_birthdays)),
        member_data(choices.Relation.SPOUSE, sex="female", name=f"{head}妻", born=next(_birthdays)),
    ]
    members += [
        member_data(choices.Relation.SON, name=f"{head}子{i}", born=next(_birthdays)) for i in range(children)
    ]
    return make_household(natural_village=natural_village, members=members, household_number=number, **kw)


@pytest.fixture
def world():
    """甲乡: 甲村 (甲组: 张三 A001) and 乙村 (李四 A101). 乙乡: 丙村 (王五 C001).
    A cadre is paired with 张三's household."""
    jia = TownshipFactory(name="甲乡")
    yi = TownshipFactory(name="乙乡")
    jia_cun = VillageFactory(township=jia, name="甲村")
    yi_cun = VillageFactory(township=jia, name="乙村")
    bing_cun = VillageFactory(township=yi, name="丙村")
    zhang = family(NaturalVillageFactory(village=jia_cun, name="甲组"), "张三", "A001")
    li = family(
        NaturalVillageFactory(village=yi_cun),
        "李四",
        "A101",
        attribute=choices.Attribute.LOW_INCOME,
        main_cause=choices.Cause.DISABILITY,
        identified_year=2015,
    )
    wang = family(NaturalVillageFactory(village=bing_cun), "王五", "C001", status=choices.Status.RETURNED)
    cadre = CadreFactory()
    PairingFactory(cadre=cadre, household=zhang)
    users = {
        "county": UserFactory(role=Role.COUNTY_ADMIN),
        "inspector": UserFactory(role=Role.INSPECTOR),
        "township": UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=jia),
        "village": UserFactory(role=Role.VILLAGE_OFFICIAL, village=jia_cun),
        "cadre": UserFactory(role=Role.CADRE, cadre=cadre),
    }
    return {
        "jia": jia,
        "jia_cun": jia_cun,
        "yi_cun": yi_cun,
        "zhang": zhang,
        "li": li,
        "wang": wang,
        "users": users,
    }


def listed(response) -> list[str]:
    return [h.household_number for h in response.context["page_obj"].object_list]


def list_as(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("households:list"), params)
    assert response.status_code == 200
    return response


# -- list, search, filters -----------------------------------------------------------------------------------

SEES = {
    "county": ["A001", "A101", "C001"],
    "inspector": ["A001", "A101", "C001"],
    "township": ["A001", "A101"],
    "village": ["A001"],
    "cadre": ["A001"],
}


@pytest.mark.parametrize("role", SEES)
def test_the_list_shows_each_role_its_scope(client, world, role):
    response = list_as(client, world["users"][role])
    assert listed(response) == SEES[role]
    html = response.content.decode()
    assert "建档立卡贫困户" in html and f"共 {len(SEES[role])} 户" in html
    assert ("C001" in html) is (role in ("county", "inspector"))


@pytest.mark.parametrize(
    "query",
    ["张三", "张", "zs", "ZS", "A00", "A001"],
    ids=["name", "name-prefix", "initials", "initials-upper", "number-prefix", "number"],
)
def test_search_finds_the_household(client, world, query):
    assert listed(list_as(client, world["users"]["county"], q=query)) == ["A001"]


def test_search_by_id_number_finds_the_household_of_any_member(client, world):
    spouse = world["li"].members.get(relation=choices.Relation.SPOUSE)
    response = list_as(client, world["users"]["county"], q=spouse.id_number)
    assert listed(response) == ["A101"]
    # lower-case x and spaces as people type them
    assert listed(
        list_as(client, world["users"]["county"], q=f" {spouse.id_number[:9]} {spouse.id_number[9:]}")
    ) == ["A101"]


def test_search_does_not_reach_out_of_scope(client, world):
    wang_id = world["wang"].members.get(relation=choices.Relation.HEAD).id_number
    assert listed(list_as(client, world["users"]["village"], q=wang_id)) == []
    assert listed(list_as(client, world["users"]["village"], q="王五")) == []
    assert "没有找到符合条件的贫困户" in list_as(client, world["users"]["village"], q="王五").content.decode()


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"status": "returned"}, ["C001"]),
        ({"attribute": "dibao"}, ["A101"]),
        ({"cause": "disability"}, ["A101"]),
        ({"year": "2015"}, ["A101"]),
        ({"township": "jia"}, ["A001", "A101"]),
        ({"village": "yi_cun"}, ["A101"]),
        ({"natural_village": "zhang"}, ["A001"]),
        ({"eligible": "yes"}, ["A001"]),
        ({"eligible": "no"}, ["A101"]),
        ({"eligible": "unknown"}, ["C001"]),
        ({"status": "poor", "township": "jia", "q": "李"}, ["A101"]),
    ],
)
def test_filters(client, world, params, expected):
    county = world["users"]["county"]
    assessment_record(household=world["zhang"], year=2016, user=county, wage_income=30000, **ALL_SECURE)
    assessment_record(household=world["li"], year=2016, user=county, wage_income=100, **ALL_SECURE)
    ids = {
        "jia": world["jia"].pk,
        "yi_cun": world["yi_cun"].pk,
        "zhang": world["zhang"].natural_village_id,
    }
    params = {k: ids.get(v, v) for k, v in params.items()}
    assert listed(list_as(client, county, **params)) == expected


def test_the_list_shows_each_households_latest_decision_in_words(client, world):
    county = world["users"]["county"]
    assessment_record(household=world["li"], year=2016, user=county, wage_income=100, **ALL_SECURE)
    html = list_as(client, county).content.decode()
    assert "2016 年不符合脱贫条件" in html
    assert "人均纯收入 33.33 元 低于 2016 年标准 2,952 元" in html
    assert "尚未评估脱贫条件" in html


def test_the_list_is_paginated_keeping_the_filters(client, world):
    natural_village = NaturalVillageFactory(village=world["jia_cun"])
    for i in range(21):
        family(natural_village, "赵六", f"B{i:03d}", children=0)
    response = list_as(client, world["users"]["county"], q="赵六")
    assert len(listed(response)) == 20
    assert "共 21 户" in response.content.decode()
    assert "?q=%E8%B5%B5%E5%85%AD&amp;page=2" in response.content.decode()
    second = list_as(client, world["users"]["county"], q="赵六", page=2)
    assert listed(second) == ["B020"]


def test_an_out_of_scope_filter_is_refused_and_the_rest_still_apply(client, world):
    other_township = world["wang"].township_id
    response = list_as(client, world["users"]["village"], township=other_township, q="张")
    assert "township" in response.context["form"].errors
    assert listed(response) == ["A001"]
    assert "王五" not in response.content.decode()


def test_a_huge_list_is_counted_only_up_to_the_cap(client, world, monkeypatch):
    from households import selectors

    monkeypatch.setattr(selectors, "LIST_COUNT_CAP", 2)
    response = list_as(client, world["users"]["county"])
    assert response.context["page_obj"].paginator.capped
    assert "超过 2 户" in response.content.decode()
    assert "共 2 户" in list_as(client, world["users"]["township"]).content.decode()


def test_anonymous_users_are_sent_to_login(client, world):
    response = client.get(reverse("households:detail", args=[world["zhang"].pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# -- detail --------------------------------------------------------------------------------------------------

DETAIL_SCOPE = {
    "county": {"A001", "A101", "C001"},
    "inspector": {"A001", "A101", "C001"},
    "township": {"A001", "A101"},
    "village": {"A001"},
    "cadre": {"A001"},
}


@pytest.mark.parametrize("role", DETAIL_SCOPE)
@pytest.mark.parametrize("key", ["zhang", "li", "wang"])
def test_the_detail_page_renders_in_scope_and_404s_outside(client, world, role, key):
    household = world[key]
    client.force_login(world["users"][role])
    response = client.get(reverse("households:detail", args=[household.pk]))
    if household.household_number in DETAIL_SCOPE[role]:
        assert response.status_code == 200
        assert household.head_name in response.content.decode()
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(
    "role, whole",
    [("county", True), ("township", True), ("village", True), ("inspector", False), ("cadre", False)],
)
def test_id_numbers_are_whole_for_officials_and_masked_for_others(client, world, role, whole):
    head = world["zhang"].members.get(relation=choices.Relation.HEAD)
    client.force_login(world["users"][role])
    html = client.get(reverse("households:detail", args=[world["zhang"].pk])).content.decode()
    assert (head.id_number in html) is whole
    assert (f"{head.id_number[:6]}********{head.id_number[-4:]}" in html) is not whole


def test_the_detail_page_shows_members_assessments_help_pairing_and_exits(client, world):
    household = world["zhang"]
    county = world["users"]["county"]
    assessment_record(household=household, year=2016, user=county, wage_income=100, **ALL_SECURE)
    son = household.members.get(relation=choices.Relation.SON)
    client.force_login(county)
    client.post(
        reverse("households:member-leave", args=[household.pk, son.pk]),
        {"reason": "moved_out", "on": "2016-09-01"},
    )
    household.help_plans.create(year=2016, cause_analysis="缺资金", plan="发展养殖")
    household.measures.create(year=2016, category="production", description="发放仔猪 5 头")
    cadre = household.pairings.get().cadre
    RevisitFactory(cadre=cadre, household=household, visited_on=datetime.date(2016, 7, 2), problems="缺饲料")
    household.exit_applications.create(year=2016)

    html = client.get(reverse("households:detail", args=[household.pk])).content.decode()
    for text in (
        "张三妻",
        "迁出 2016-09-01",  # the member who left stays on record
        "在册 2 人",
        "人均纯收入 50 元 低于 2016 年标准 2,952 元",  # recomputed after the leave: 100 ÷ 2
        "发展养殖",
        "发放仔猪 5 头",
        cadre.name,
        "2016-07-02",
        "缺饲料",
        "2016 年脱贫申请",
        "申请",
    ):
        assert text in html, text


def test_change_buttons_show_only_to_those_who_may_change(client, world):
    detail = reverse("households:detail", args=[world["zhang"].pk])
    edit = reverse("households:edit", args=[world["zhang"].pk])
    for role, shown in [
        ("village", True),
        ("township", True),
        ("county", True),
        ("inspector", False),
        ("cadre", False),
    ]:
        client.force_login(world["users"][role])
        assert (edit in client.get(detail).content.decode()) is shown, role


def test_the_history_shows_who_when_and_before_and_after(client, world):
    household = world["zhang"]
    clerk = world["users"]["village"]
    clerk.first_name = "村文书"
    clerk.save()
    client.force_login(clerk)
    spouse = household.members.get(relation=choices.Relation.SPOUSE)
    # Through the page, so the audit record carries the signed-in user.
    response = client.post(
        reverse("households:edit", args=[household.pk]),
        edit_data(
            client, household, {"phone": "13900001111"}, member_changes={spouse.pk: {"name": "张三媳"}}
        ),
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    html = client.get(reverse("households:detail", args=[household.pk])).content.decode()
    assert reverse("households:history", args=[household.pk]) in html  # the household's page links to it
    html = client.get(reverse("households:history", args=[household.pk])).content.decode()
    history = html[html.index('id="history"') :]
    assert "村文书" in history
    assert "联系电话：<del>—</del> → <ins>13900001111</ins>" in history
    assert "姓名：<del>张三妻</del> → <ins>张三媳</ins>" in history
    assert history.index("13900001111") < history.index("新建户信息")  # newest first


# -- create and edit -----------------------------------------------------------------------------------------


def member_fields(
    index: int, *, name: str, relation: str, sex: str = "male", id_number: str | None = None
) -> dict:
    prefix = f"members-{index}-"
    return {
        prefix + "name": name,
        prefix + "id_number": id_number or make_id_number(sex=sex, born=next(_birthdays)),
        prefix + "relation": relation,
        prefix + "sex": sex,
        prefix + "ethnicity": "彝族",
        prefix + "education": "primary",
        prefix + "school_status": "none",
        prefix + "health": ["healthy"],
        prefix + "labour": "ordinary",
        prefix + "migrant_work": "none",
        prefix + "health_insurance": "on",
        prefix + "disability_certificate": "",
    }


def create_data(natural_village, *members: dict, number: str = "N001", **household) -> dict:
    data = {
        "household_number": number,
        "natural_village": natural_village.pk,
        "attribute": "general",
        "main_cause": "illness",
        "other_causes": ["water", "capital"],
        "identified_year": "2016",
        "phone": "13800001234",
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
        **household,
    }
    for member in members:
        data.update(member)
    return data


def _post_value(bound_field):
    value = bound_field.value()
    if isinstance(bound_field.field.widget, forms.CheckboxInput):
        return "on" if value else None
    return "" if value is None else value


def edit_data(client, household, changes=None, *, member_changes=None) -> dict:
    """What the browser posts from the edit page as it was rendered, with ``changes`` typed in."""
    response = client.get(reverse("households:edit", args=[household.pk]))
    form, formset = response.context["form"], response.context["formset"]
    data = {}
    for bound in [*form, *formset.management_form]:
        data[bound.html_name] = _post_value(bound)
    for member_form in formset:
        for bound in member_form:
            data[bound.html_name] = _post_value(bound)
        for name, value in (member_changes or {}).get(member_form.instance.pk, {}).items():
            data[member_form.add_prefix(name)] = value
    data.update(changes or {})
    return {k: v for k, v in data.items() if v is not None}


def test_a_village_official_registers_a_household_with_its_members(client, world):
    client.force_login(world["users"]["village"])
    natural_village = world["zhang"].natural_village
    response = client.post(
        reverse("households:create"),
        create_data(
            natural_village,
            member_fields(0, name="陈大山", relation="head"),
            member_fields(1, name="陈小花", relation="daughter", sex="female"),
        ),
    )
    household = Household.objects.get(household_number="N001")
    assert response.status_code == 302 and response["Location"] == reverse(
        "households:detail", args=[household.pk]
    )
    assert (household.head_name, household.head_initials, household.township_id) == (
        "陈大山",
        "cds",
        world["jia"].pk,
    )
    assert household.other_causes == ["water", "capital"]
    assert sorted(household.members.values_list("name", "ethnicity")) == [
        ("陈大山", "彝族"),
        ("陈小花", "彝族"),
    ]
    assert listed(list_as(client, world["users"]["village"], q="cds")) == ["N001"]


def test_blank_member_rows_are_ignored(client, world):
    """The page starts with a 户主 and a 配偶 row; an untouched 配偶 row is not a member."""
    client.force_login(world["users"]["village"])
    page = client.get(reverse("households:create"))
    blank_spouse = {bound.html_name: _post_value(bound) for bound in page.context["formset"].forms[1]}
    data = create_data(world["zhang"].natural_village, member_fields(0, name="独居户", relation="head"))
    data.update({k: v for k, v in blank_spouse.items() if v is not None})
    data["members-TOTAL_FORMS"] = "2"
    assert client.post(reverse("households:create"), data).status_code == 302
    assert Household.objects.get(household_number="N001").members.count() == 1


def _field_error(response, field: str) -> str:
    return " ".join(response.context["form"].errors.get(field, []))


@pytest.mark.parametrize(
    "members, field, message",
    [
        (
            [member_fields(0, name="甲", relation="head", id_number="532328197001010010")],
            "id_number",
            "身份证号校验位错误",
        ),
        (
            [
                member_fields(
                    0, name="甲", relation="head", sex="female", id_number=make_id_number(sex="male")
                )
            ],
            "sex",
            "性别与身份证号不符",
        ),
    ],
    ids=["check-digit", "sex"],
)
def test_bad_member_details_are_shown_next_to_the_field_and_nothing_is_saved(
    client, world, members, field, message
):
    client.force_login(world["users"]["village"])
    before = Member.objects.count()
    response = client.post(
        reverse("households:create"), create_data(world["zhang"].natural_village, *members)
    )
    assert response.status_code == 200
    errors = " ".join(response.context["formset"].forms[0].errors[field])
    assert message in errors
    html = response.content.decode()
    assert f'id="id_members-0-{field}_error"' in html and message in html
    assert not Household.objects.filter(household_number="N001").exists()
    assert Member.objects.count() == before


def test_two_heads_are_refused_next_to_each_head(client, world):
    client.force_login(world["users"]["village"])
    response = client.post(
        reverse("households:create"),
        create_data(
            world["zhang"].natural_village,
            member_fields(0, name="甲", relation="head"),
            member_fields(1, name="乙", relation="head"),
        ),
    )
    assert response.status_code == 200
    for member_form in response.context["formset"].forms:
        assert "一户必须有且只有一名户主，现有 2 名。" in member_form.errors["relation"]
    assert not Household.objects.filter(household_number="N001").exists()


def test_an_id_number_already_registered_is_refused(client, world):
    client.force_login(world["users"]["village"])
    taken = world["wang"].members.first().id_number  # in another township: one person, one household
    response = client.post(
        reverse("households:create"),
        create_data(
            world["zhang"].natural_village, member_fields(0, name="甲", relation="head", id_number=taken)
        ),
    )
    assert "身份证号已在登记中" in " ".join(response.context["formset"].forms[0].errors["id_number"])
    assert not Household.objects.filter(household_number="N001").exists()


def test_a_duplicate_household_number_is_refused_next_to_it(client, world):
    client.force_login(world["users"]["village"])
    response = client.post(
        reverse("households:create"),
        create_data(
            world["zhang"].natural_village, member_fields(0, name="甲", relation="head"), number="A001"
        ),
    )
    assert response.status_code == 200
    assert "户编号" in _field_error(response, "household_number")
    assert Household.objects.filter(household_number="A001").count() == 1


def test_a_village_official_cannot_register_in_another_village(client, world):
    client.force_login(world["users"]["village"])
    elsewhere = world["li"].natural_village  # 乙村, same township
    response = client.post(
        reverse("households:create"), create_data(elsewhere, member_fields(0, name="甲", relation="head"))
    )
    assert response.status_code == 200
    assert _field_error(response, "natural_village")
    assert not Household.objects.filter(household_number="N001").exists()


@pytest.mark.parametrize("role", ["inspector", "cadre"])
def test_read_only_roles_get_no_create_page(client, world, role):
    client.force_login(world["users"][role])
    assert client.get(reverse("households:create")).status_code == 404
    assert "新增贫困户" not in list_as(client, world["users"][role]).content.decode()


def test_editing_changes_the_household_and_members_and_adds_one(client, world):
    household = world["zhang"]
    client.force_login(world["users"]["village"])
    spouse = household.members.get(relation=choices.Relation.SPOUSE)
    data = edit_data(
        client,
        household,
        {"phone": "13911112222", "main_cause": "skills"},
        member_changes={spouse.pk: {"name": "张三媳"}},
    )
    data.update(
        {
            k.replace("members-0-", "members-3-"): v
            for k, v in member_fields(0, name="张三孙", relation="grandson").items()
        }
    )
    data["members-TOTAL_FORMS"] = "4"
    response = client.post(reverse("households:edit", args=[household.pk]), data)
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.phone, household.main_cause) == ("13911112222", "skills")
    assert sorted(household.members.values_list("name", flat=True)) == ["张三", "张三媳", "张三子0", "张三孙"]


def test_a_bad_edit_changes_nothing(client, world):
    household = world["zhang"]
    client.force_login(world["users"]["village"])
    son = household.members.get(relation=choices.Relation.SON)
    data = edit_data(
        client,
        household,
        {"phone": "13911112222"},
        member_changes={
            son.pk: {
                "id_number": son.id_number[:17] + "0"
                if son.id_number[-1] != "0"
                else son.id_number[:17] + "1"
            }
        },
    )
    response = client.post(reverse("households:edit", args=[household.pk]), data)
    assert response.status_code == 200
    assert "身份证号校验位错误" in response.content.decode()
    household.refresh_from_db()
    assert household.phone == ""
    assert Member.objects.get(pk=son.pk).id_number == son.id_number


@pytest.mark.parametrize("name", ["edit", "assessment", "head-change", "split", "merge"])
def test_change_pages_render_for_those_who_change_and_404_for_others(client, world, name):
    url = reverse(f"households:{name}", args=[world["zhang"].pk])
    for role, status in [
        ("county", 200),
        ("township", 200),
        ("village", 200),
        ("inspector", 404),
        ("cadre", 404),
    ]:
        client.force_login(world["users"][role])
        assert client.get(url).status_code == status, role
    client.force_login(world["users"]["village"])
    other = reverse(f"households:{name}", args=[world["li"].pk])  # 乙村: not this official's
    assert client.get(other).status_code == 404
    assert client.post(other, {}).status_code == 404


# -- yearly assessment -----------------------------------------------------------------------------------------


def assessment_data(**overrides) -> dict:
    data = {
        "year": "2016",
        "wage_income": "6000",
        "operating_income": "3000",
        "property_income": "0",
        "transfer_income": "1000",
        "operating_expense": "400",
        **{field: "on" for field in Assessment.SECURITY_FIELDS},
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_recording_a_years_assessment_decides_at_once(client, world):
    household = world["zhang"]  # 3 members
    client.force_login(world["users"]["village"])
    response = client.post(
        reverse("households:assessment", args=[household.pk]), assessment_data(), follow=True
    )
    assessment = household.assessments.get(year=2016)
    assert assessment.per_capita_net_income == 3200
    assert "人均纯收入 3200.00 元，符合脱贫条件" in response.content.decode()
    assert "2016 年符合脱贫条件" in response.content.decode()


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"wage_income": "-100"}, "wage_income", "工资性收入不能为负数"),
        ({"operating_expense": "-1"}, "operating_expense", "生产经营性支出不能为负数"),
        ({"year": "2031"}, "year", "2031 年尚未设定扶贫标准"),
    ],
)
def test_bad_assessments_are_refused_next_to_the_field(client, world, overrides, field, message):
    household = world["zhang"]
    client.force_login(world["users"]["village"])
    response = client.post(
        reverse("households:assessment", args=[household.pk]), assessment_data(**overrides)
    )
    assert response.status_code == 200
    assert message in _field_error(response, field)
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Assessment.objects.exists()


def test_an_assessment_for_a_household_without_current_members_is_refused(client, world):
    household = family(world["zhang"].natural_village, "孤老", "Z001", children=0)
    household.members.update(left_reason=choices.LeaveReason.DEATH, left_on=datetime.date(2016, 1, 1))
    client.force_login(world["users"]["village"])
    response = client.post(reverse("households:assessment", args=[household.pk]), assessment_data())
    assert "该户没有在册家庭成员" in " ".join(response.context["form"].non_field_errors())
    assert "该户没有在册家庭成员" in response.content.decode()
    assert not Assessment.objects.exists()


def test_the_assessment_form_is_prefilled_with_a_recorded_year(client, world):
    AssessmentFactory(household=world["zhang"], year=2015, wage_income=4321)
    client.force_login(world["users"]["village"])
    response = client.get(reverse("households:assessment", args=[world["zhang"].pk]), {"year": 2015})
    assert response.context["form"].initial["wage_income"] == 4321


# -- members leaving, 户主, 分户, 合户 ------------------------------------------------------------------------


def test_a_member_leaves_through_the_form(client, world):
    household = world["zhang"]
    son = household.members.get(relation=choices.Relation.SON)
    client.force_login(world["users"]["village"])
    url = reverse("households:member-leave", args=[household.pk, son.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "married_out", "on": "2016-10-01"})
    assert response.status_code == 302
    son.refresh_from_db()
    assert (son.left_reason, son.left_on) == ("married_out", datetime.date(2016, 10, 1))


def test_the_head_leaving_needs_a_new_head(client, world):
    household = world["zhang"]
    head = household.members.get(relation=choices.Relation.HEAD)
    spouse = household.members.get(relation=choices.Relation.SPOUSE)
    client.force_login(world["users"]["village"])
    url = reverse("households:member-leave", args=[household.pk, head.pk])
    refused = client.post(url, {"reason": "death", "on": "2016-03-01"})
    assert "户主减少后须从在册成员中指定新户主" in " ".join(refused.context["form"].errors["new_head"])
    assert Member.objects.get(pk=head.pk).left_reason == ""
    client.post(url, {"reason": "death", "on": "2016-03-01", "new_head": spouse.pk})
    household.refresh_from_db()
    assert household.head_name == "张三妻"
    assert Member.objects.get(pk=head.pk).left_reason == "death"


def test_head_change_through_the_form(client, world):
    household = world["zhang"]
    son = household.members.get(relation=choices.Relation.SON)
    client.force_login(world["users"]["township"])
    response = client.post(
        reverse("households:head-change", args=[household.pk]),
        {"new_head": son.pk, "old_head_relation": "father"},
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.head_name == "张三子0"
    assert household.members.get(name="张三").relation == "father"


def test_split_through_the_form_keeps_each_members_history(client, world):
    household = family(world["zhang"].natural_village, "孙大", "S001", children=2)
    sons = list(household.members.filter(relation=choices.Relation.SON).order_by("id"))
    client.force_login(world["users"]["village"])
    response = client.post(
        reverse("households:split", args=[household.pk]),
        {"members": [s.pk for s in sons], "new_head": sons[0].pk, "household_number": "S002"},
    )
    new = Household.objects.get(household_number="S002")
    assert response["Location"] == reverse("households:detail", args=[new.pk])
    assert set(new.members.values_list("pk", flat=True)) == {s.pk for s in sons}
    assert new.head_name == "孙大子0"
    # Both households' pages show the moved members' history, from before and after the split.
    html = client.get(reverse("households:history", args=[new.pk])).content.decode()
    history = html[html.index('id="history"') :]
    assert "新建成员 孙大子1" in history  # created in the old household
    assert "户：<del>S001</del> → <ins>S002</ins>" in history


def test_a_bad_split_is_refused_with_the_reason(client, world):
    household = world["zhang"]
    son = household.members.get(relation=choices.Relation.SON)
    client.force_login(world["users"]["village"])
    response = client.post(
        reverse("households:split", args=[household.pk]),
        {"members": [son.pk], "new_head": son.pk, "household_number": "A101"},  # number taken
    )
    assert response.status_code == 200
    assert "户编号" in _field_error(response, "household_number")
    assert Member.objects.get(pk=son.pk).household_id == household.pk


def test_merge_through_the_form(client, world):
    target = world["zhang"]
    source = family(world["zhang"].natural_village, "周七", "M001", children=0)
    client.force_login(world["users"]["village"])
    url = reverse("households:merge", args=[target.pk])
    response = client.post(url, {"source_number": "M001", "relation": "sibling", "confirm": "on"})
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.status == choices.Status.REMOVED
    assert target.members.filter(left_reason="").count() == 5
    # A household out of this official's scope is not found.
    refused = client.post(url, {"source_number": "A101", "relation": "sibling", "confirm": "on"})
    assert "未找到户编号为 A101 的贫困户" in _field_error(refused, "source_number")
    assert world["li"].members.count() == 3


# -- 返贫 review --------------------------------------------------------------------------------------------


@pytest.fixture
def flagged(world):
    """An exited household whose 2016 assessment fails: waiting for the township's review."""
    household = family(
        world["zhang"].natural_village, "吴九", "R001", status=choices.Status.EXITED, exit_year=2015
    )
    assessment_record(
        household=household, year=2016, user=world["users"]["county"], wage_income=10, **ALL_SECURE
    )
    household.refresh_from_db()
    assert household.needs_return_review
    return household


def test_the_township_confirms_return_to_poverty(client, world, flagged):
    client.force_login(world["users"]["township"])
    page = client.get(reverse("households:return-review"))
    assert [h.household_number for h in page.context["page_obj"].object_list] == ["R001"]
    assert "确认返贫</button>" in page.content.decode()
    assert listed(list_as(client, world["users"]["township"], review="on")) == ["R001"]
    response = client.post(reverse("households:return-confirm", args=[flagged.pk]), {"decision": "confirm"})
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert (flagged.status, flagged.needs_return_review) == (choices.Status.RETURNED, False)


def test_the_township_may_dismiss_a_flag(client, world, flagged):
    client.force_login(world["users"]["township"])
    client.post(reverse("households:return-confirm", args=[flagged.pk]), {"decision": "dismiss"})
    flagged.refresh_from_db()
    assert (flagged.status, flagged.needs_return_review) == (choices.Status.EXITED, False)


def test_a_village_official_sees_the_flag_but_cannot_confirm(client, world, flagged):
    client.force_login(world["users"]["village"])
    page = client.get(reverse("households:return-review"))
    assert "R001" in page.content.decode() and "确认返贫</button>" not in page.content.decode()
    response = client.post(
        reverse("households:return-confirm", args=[flagged.pk]), {"decision": "confirm"}, follow=True
    )
    assert "返贫由乡镇干部核实确认" in response.content.decode()
    flagged.refresh_from_db()
    assert flagged.status == choices.Status.EXITED


def test_return_confirm_out_of_scope_is_404(client, world, flagged):
    client.force_login(UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=TownshipFactory()))
    assert (
        client.post(
            reverse("households:return-confirm", args=[flagged.pk]), {"decision": "confirm"}
        ).status_code
        == 404
    )
    flagged.refresh_from_db()
    assert flagged.status == choices.Status.EXITED


# -- query counts ------------------------------------------------------------------------------------------------


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["county", "township", "village", "cadre"])
def test_the_list_uses_the_same_queries_for_5_and_50_households(client, world, role):
    natural_village = world["zhang"].natural_village
    cadre = world["users"]["cadre"].cadre

    def add(n):
        for _ in range(n):
            household = family(natural_village, "钱", f"Q{Household.objects.count():04d}", children=1)
            PairingFactory(cadre=cadre, household=household)
            assessment_record(household=household, year=2016, user=world["users"]["county"], wage_income=1)

    add(5)
    client.force_login(world["users"][role])
    url = reverse("households:list")
    small = _queries(client, url), _queries(client, url, {"q": "钱", "status": "poor"})
    add(45)
    assert (_queries(client, url), _queries(client, url, {"q": "钱", "status": "poor"})) == small


def test_the_detail_uses_the_same_queries_for_5_and_50_members(client, world):
    county = world["users"]["county"]
    cadre = world["users"]["cadre"].cadre

    def household_of(n, number):
        household = family(world["zhang"].natural_village, "孙", number, children=n - 2)
        PairingFactory(cadre=cadre, household=household)
        for year in (2015, 2016):
            assessment_record(household=household, year=year, user=county, wage_income=100 * n)
        for i, member in enumerate(household.members.all()):
            member_update(member=member, user=county, ethnicity="白族")
            RevisitFactory(cadre=cadre, household=household, visited_on=datetime.date(2016, 1, 1 + i % 28))
            household.measures.create(year=2016, category="production", description=f"措施{i}")
        household.exit_applications.create(year=2016)
        return household

    small, large = household_of(5, "D005"), household_of(50, "D050")
    client.force_login(county)
    for page in ("households:detail", "households:history"):
        counts = [_queries(client, reverse(page, args=[h.pk])) for h in (small, large)]
        assert counts[0] == counts[1], page
    client.force_login(world["users"]["inspector"])
    for page in ("households:detail", "households:history"):
        counts = [_queries(client, reverse(page, args=[h.pk])) for h in (small, large)]
        assert counts[0] == counts[1], page
