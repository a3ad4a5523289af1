import pytest
from django.core.exceptions import ValidationError

from households import choices
from households.models import Member
from households.services import MemberData, member_add
from tests.factories import UserFactory, make_household, make_id_number

pytestmark = pytest.mark.django_db

# Model.save() only saves: members are added through households.services.member_add, which validates.


def add(household, **data):
    clerk = UserFactory(role="county_admin")
    return member_add(household=household, user=clerk, data=MemberData(**data))


def test_second_head_is_refused_with_a_clear_message_and_nothing_written():
    household = make_household()
    before = Member.objects.count()
    with pytest.raises(ValidationError, match="一户只能有一名户主"):
        add(
            household,
            name="王五",
            id_number=make_id_number(),
            relation=choices.Relation.HEAD,
            sex="male",
        )
    assert Member.objects.count() == before


def test_duplicate_id_number_is_refused():
    household = make_household()
    existing = household.members.first()
    with pytest.raises(ValidationError, match="身份证号已在登记中"):
        add(
            make_household(),
            name="赵六",
            id_number=existing.id_number,
            relation=choices.Relation.SON,
            sex=existing.sex,
        )


def test_bad_check_digit_is_refused():
    good = make_id_number()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError, match="校验位错误"):
        add(make_household(), name="钱七", id_number=bad, relation=choices.Relation.SON, sex="male")
