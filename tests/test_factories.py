"""The test factories themselves: an ID number is never handed out twice in a run."""

import datetime

import pytest

from core.idnumbers import sex_code, validate_id_number
from tests.factories import SEQUENCES_PER_DAY, make_id_number


def test_id_numbers_never_repeat_valid_and_with_the_right_sex():
    # More than one birth date's worth for each sex: the dates move on instead of wrapping around.
    numbers = [make_id_number(sex=sex) for _ in range(SEQUENCES_PER_DAY + 100) for sex in ("male", "female")]
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        validate_id_number(number)
    assert [sex_code(n) for n in numbers[:4]] == ["male", "female", "male", "female"]


def test_a_chosen_birth_date_is_kept_and_refused_once_full():
    born = datetime.date(1931, 7, 1)
    numbers = [make_id_number(sex="female", born=born, region="532301") for _ in range(SEQUENCES_PER_DAY)]
    assert len(set(numbers)) == SEQUENCES_PER_DAY
    assert all(n[6:14] == "19310701" and sex_code(n) == "female" for n in numbers)
    with pytest.raises(ValueError, match="ID numbers are taken"):
        make_id_number(sex="female", born=born, region="532301")
