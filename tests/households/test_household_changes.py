"""Changes to a household: yearly assessments, members leaving, 户主 changes, 分户 / 合户, 返贫."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.models import Role
from households import choices
from households.models import Assessment, Household, Member
from households.services import (
    assessment_record,
    head_change,
    household_merge,
    household_return_confirm,
    household_split,
    member_leave,
)
from tests.factories import NaturalVillageFactory, UserFactory, make_household, member_data

pytestmark = pytest.mark.django_db

ALL_SECURE = {field: True for field in Assessment.SECURITY_FIELDS}


def family(place, n_children=1):
    return make_household(
        natural_village=place,
        members=[
            member_data(name="杨建国"),
            member_data(choices.Relation.SPOUSE, sex="female", name="李秀英"),
        ]
        + [member_data(choices.Relation.SON, name=f"杨小{i}") for i in range(n_children)],
    )


def test_recording_an_assessment_decides_at_once(place, clerk):
    household = family(place)  # 3 members
    assessment = assessment_record(
        household=household,
        year=2016,
        user=clerk,
        wage_income="6000",
        operating_income=3000,
        operating_expense=600,
        **ALL_SECURE,
    )

    assert assessment.per_capita_net_income == Decimal("2800.00")
    household.refresh_from_db()
    assert household.eligible is False
    assert household.eligibility_reasons == ["人均纯收入 2,800 元 低于 2016 年标准 2,952 元"]


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"wage_income": -1}, "wage_income", "工资性收入不能为负数"),
        ({"operating_expense": "abc"}, "operating_expense", "生产经营性支出应为数字"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_written(place, clerk, values, field, message):
    household = family(place)
    with pytest.raises(ValidationError) as refused:
        assessment_record(household=household, year=2016, user=clerk, **values)
    assert message in refused.value.message_dict[field][0]
    assert Assessment.objects.count() == 0


def test_a_year_without_a_line_and_a_household_without_members_are_refused(place, clerk):
    household = family(place, n_children=0)
    with pytest.raises(ValidationError, match="2031 年尚未设定扶贫标准"):
        assessment_record(household=household, year=2031, user=clerk, wage_income=1)
    household.members.update(left_reason=choices.LeaveReason.DEATH)
    with pytest.raises(ValidationError, match="没有在册家庭成员"):
        assessment_record(household=household, year=2016, user=clerk, wage_income=1)
    assert Assessment.objects.count() == 0


def test_inspectors_and_officials_elsewhere_cannot_record(place):
    household = family(place)
    with pytest.raises(ValidationError, match="不能修改"):
        assessment_record(
            household=household, year=2016, user=UserFactory(role=Role.INSPECTOR), wage_income=1
        )
    stranger = UserFactory(role=Role.VILLAGE_OFFICIAL, village=NaturalVillageFactory().village)
    with pytest.raises(Http404):
        assessment_record(household=household, year=2016, user=stranger, wage_income=1)


def test_a_member_who_leaves_stays_on_record_and_stops_counting(place, clerk):
    household = family(place)
    assessment_record(
        household=household, year=2016, user=clerk, wage_income=9000, **ALL_SECURE
    )  # 3,000 a head
    son = household.members.get(relation=choices.Relation.SON)

    member_leave(member=son, reason=choices.LeaveReason.MARRIED_OUT, on=datetime.date(2016, 8, 1), user=clerk)

    assert household.members.count() == 3
    household.refresh_from_db()
    assert household.assessments.get().per_capita_net_income == Decimal("4500.00")
    assert household.eligible is True


def test_when_the_head_leaves_a_new_head_is_named(place, clerk):
    household = family(place)
    head = household.members.get(relation=choices.Relation.HEAD)
    spouse = household.members.get(relation=choices.Relation.SPOUSE)

    with pytest.raises(ValidationError, match="指定新户主"):
        member_leave(member=head, reason=choices.LeaveReason.DEATH, on=datetime.date(2016, 3, 1), user=clerk)
    member_leave(
        member=head,
        reason=choices.LeaveReason.DEATH,
        on=datetime.date(2016, 3, 1),
        user=clerk,
        new_head=spouse,
    )

    household.refresh_from_db()
    assert household.head_name == "李秀英"
    assert household.members.filter(left_reason="", relation=choices.Relation.HEAD).get().pk == spouse.pk


def test_head_change_keeps_exactly_one_head(place, clerk):
    household = family(place)
    son = household.members.get(relation=choices.Relation.SON)
    head_change(household=household, new_head=son, user=clerk, old_head_relation=choices.Relation.FATHER)
    heads = household.members.filter(relation=choices.Relation.HEAD)
    assert [m.pk for m in heads] == [son.pk]
    assert household.members.get(name="杨建国").relation == choices.Relation.FATHER


def test_split_moves_members_with_their_history(place, clerk):
    household = family(place, n_children=2)
    sons = list(household.members.filter(relation=choices.Relation.SON))

    new = household_split(
        household=household, members=sons, new_head=sons[0], household_number="T-SPLIT-1", user=clerk
    )

    assert new.members.count() == 2 and household.members.count() == 2
    assert new.members.get(relation=choices.Relation.HEAD).pk == sons[0].pk
    moved = Member.objects.get(pk=sons[1].pk)
    assert {h.household_id for h in moved.history.all()} == {
        household.pk,
        new.pk,
    }  # both homes in its history


def test_split_refuses_to_take_the_head_or_empty_the_household(place, clerk):
    household = family(place, n_children=0)
    members = list(household.members.all())
    with pytest.raises(ValidationError, match="至少要保留一名成员"):
        household_split(
            household=household, members=members, new_head=members[1], household_number="X1", user=clerk
        )
    assert Household.objects.count() == 1


def test_merge_joins_members_and_keeps_the_source_as_removed(place, clerk):
    target, source = family(place, n_children=0), family(place, n_children=1)

    household_merge(target=target, source=source, user=clerk, relation=choices.Relation.SIBLING)

    assert target.members.count() == 5
    assert target.members.filter(relation=choices.Relation.HEAD).count() == 1
    source.refresh_from_db()
    assert source.status == choices.Status.REMOVED
    assert target.household_number in source.removed_reason


def test_return_to_poverty_is_confirmed_by_the_township(place, clerk):
    household = make_household(natural_village=place, status=choices.Status.EXITED, exit_year=2015)
    assessment_record(household=household, year=2016, user=clerk, wage_income=100, **ALL_SECURE)
    household.refresh_from_db()
    assert household.needs_return_review is True

    with pytest.raises(ValidationError, match="乡镇干部"):
        household_return_confirm(household=household, user=clerk)
    township = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=place.village.township)
    household_return_confirm(household=household, user=township)

    household.refresh_from_db()
    assert (household.status, household.needs_return_review) == (choices.Status.RETURNED, False)
