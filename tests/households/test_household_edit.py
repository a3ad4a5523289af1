"""The household page's edit form is one service, household_edit, that owns its transaction: the
household's fields, member corrections, new members and a head change are written together or not at all,
and each refusal is reported beside the part it concerns."""

import pytest
from django.urls import reverse

from accounts.models import Role
from households import choices, services
from households.models import Household, Member
from tests.factories import UserFactory, make_household, member_data
from tests.households.test_pages import edit_data, member_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def household():
    return make_household(phone="13900000000")


@pytest.fixture
def clerk(household):
    return UserFactory(role=Role.VILLAGE_OFFICIAL, village=household.village)


def new_member(relation: str, name: str) -> services.MemberEdit:
    return services.MemberEdit(member=None, changes=member_data(relation, name=name).__dict__)


def test_everything_is_written_together(household, clerk):
    spouse = household.members.get(relation=choices.Relation.SPOUSE)
    head = household.members.get(relation=choices.Relation.HEAD)
    edited = services.household_edit(
        household=household,
        user=clerk,
        changes={"phone": "13911112222"},
        members=[
            services.MemberEdit(member=spouse, changes={"name": "李四"}),
            new_member(choices.Relation.SON, "张小"),
        ],
        new_head=spouse,
    )
    assert (edited.phone, edited.head_name) == ("13911112222", "李四")
    assert Member.objects.get(pk=head.pk).relation == choices.Relation.SPOUSE
    assert sorted(household.members.values_list("name", flat=True)) == ["张三", "张小", "李四"]


def test_one_refused_row_undoes_every_part_and_each_refusal_names_its_row(household, clerk):
    spouse = household.members.get(relation=choices.Relation.SPOUSE)
    before = set(household.members.values_list("pk", "name"))
    with pytest.raises(services.HouseholdEditRefused) as refused:
        services.household_edit(
            household=household,
            user=clerk,
            changes={"phone": "13911112222"},
            members=[
                services.MemberEdit(member=spouse, changes={"name": "李四"}),
                new_member(choices.Relation.SON, "张小"),
                new_member(choices.Relation.HEAD, "第二户主"),
                services.MemberEdit(member=spouse, changes={"relation": "head"}),
            ],
        )
    assert refused.value.household is None
    assert sorted(refused.value.members) == [2, 3]
    assert "该户已有户主，一户只能有一名户主。" in refused.value.members[2].messages
    assert refused.value.members[3].message_dict == {"relation": ["该字段不能在此修改。"]}
    household.refresh_from_db()
    assert household.phone == "13900000000"
    assert set(household.members.values_list("pk", "name")) == before


def test_a_refused_head_change_undoes_the_rest(household, clerk):
    other = make_household()
    stranger = other.members.get(relation=choices.Relation.SPOUSE)
    with pytest.raises(services.HouseholdEditRefused) as refused:
        services.household_edit(
            household=household, user=clerk, changes={"phone": "13911112222"}, new_head=stranger
        )
    assert "不是该户的在册成员" in str(refused.value.head.messages)
    assert Household.objects.get(pk=household.pk).phone == "13900000000"


def test_the_edit_page_shows_a_refused_new_member_beside_its_row_and_writes_nothing(client, household, clerk):
    client.force_login(clerk)
    data = edit_data(client, household, {"phone": "13911112222"})
    rows = int(data["members-TOTAL_FORMS"])
    second_head = member_fields(rows, name="第二户主", relation="head")
    data.update(second_head)
    data["members-TOTAL_FORMS"] = str(rows + 1)
    response = client.post(reverse("households:edit", args=[household.pk]), data)
    assert response.status_code == 200
    row = response.context["formset"].forms[rows]
    assert "该户已有户主，一户只能有一名户主。" in row.non_field_errors()
    household.refresh_from_db()
    assert household.phone == "13900000000"
    assert not household.members.filter(name="第二户主").exists()


def test_the_edit_page_saves_through_household_edit(client, household, clerk, monkeypatch):
    calls = []
    real = services.household_edit
    monkeypatch.setattr(services, "household_edit", lambda **kw: calls.append(kw) or real(**kw))
    client.force_login(clerk)
    response = client.post(
        reverse("households:edit", args=[household.pk]),
        edit_data(client, household, {"phone": "13911112222"}),
    )
    assert response.status_code == 302
    assert [c["changes"] for c in calls] == [{"phone": "13911112222"}]
    assert Household.objects.get(pk=household.pk).phone == "13911112222"
