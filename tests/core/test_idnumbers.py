"""Resident ID numbers (GB 11643): the check character and what a number may be written in."""

import operator
import random

import pytest
from django.core.exceptions import ValidationError

from core.excel.parsers import CellError, IdNumber
from core.idnumbers import CHECK_CHARS, WEIGHTS, check_char, validate_id_number


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_the_standards_examples_are_valid(number):
    assert check_char(number[:17]) == number[17]
    validate_id_number(number)


def test_check_char_agrees_with_the_weighted_sum_of_its_digits():
    rng = random.Random(11643)
    for _ in range(2000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        expected = CHECK_CHARS[sum(map(operator.mul, map(int, first17), WEIGHTS)) % 11]
        assert check_char(first17) == expected, first17


def test_digits_of_another_script_are_a_shape_error_not_a_crash():
    arabic_indic = "٥" + "11010519491231002X"[1:]  # U+0665, a digit to str.isdigit() and to \d
    with pytest.raises(ValidationError) as exc:
        validate_id_number(arabic_indic)
    assert exc.value.code == "id_shape"
    with pytest.raises(CellError, match="格式错误"):
        IdNumber().parse(arabic_indic)


@pytest.mark.parametrize(
    "typed", ["11010519491231002x", " 11010519491231002X ", "１１010519491231002Ｘ", "110105 19491231002X"]
)
def test_the_import_reads_lower_case_x_spaces_and_full_width_digits(typed):
    assert IdNumber().parse(typed) == "11010519491231002X"


def test_the_import_refuses_a_wrong_check_character_and_a_masked_number():
    with pytest.raises(CellError, match="校验位错误"):
        IdNumber().parse("110105194912310021")
    with pytest.raises(CellError, match="含 \\*"):
        IdNumber().parse("110105********002X")
