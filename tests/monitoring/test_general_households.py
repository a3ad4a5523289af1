"""一般农户: held in the registry for monitoring, never counted as 建档立卡."""

import pytest
from django.core.exceptions import ValidationError

from core.access import Access
from households import choices
from households.selectors import scope_figures
from tests.factories import make_household

pytestmark = pytest.mark.django_db


def test_a_general_household_changes_no_figure(place, people):
    make_household(natural_village=place)
    exited = make_household(natural_village=place)
    exited.status, exited.exit_year = choices.Status.EXITED, 2016
    exited.save()
    access = Access.for_user(people["county"])
    before = scope_figures(access=access)

    make_household(natural_village=place, household_number="YB0000001", status=choices.Status.GENERAL)

    after = scope_figures(access=access)
    assert after == before
    assert after.households == 2


def test_a_general_household_given_a_registered_number_is_refused(place):
    with pytest.raises(ValidationError) as error:
        make_household(natural_village=place, household_number="532328100", status=choices.Status.GENERAL)
    assert "一般农户不能使用建档立卡户编号 532328100" in str(error.value)


def test_a_registered_household_given_a_general_number_is_refused(place):
    with pytest.raises(ValidationError) as error:
        make_household(natural_village=place, household_number="YB0000002")
    assert "是一般农户编号，不能用于建档立卡户" in str(error.value)
