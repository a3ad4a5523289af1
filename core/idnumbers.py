"""Resident ID numbers (居民身份证号码), GB 11643-1999.

18 characters: 6-digit region code, 8-digit birth date, 3-digit sequence (odd last digit = male),
and a check character computed mod 11 over the first 17.
"""

import datetime
import functools
import operator
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# ASCII digits only: \d would also take other scripts' digits, which no ID number is written in.
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_ASCII_ZERO_SUM = ord("0") * sum(WEIGHTS)


def check_char(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError(f"check_char needs 17 digits, got {len(first17)}")
    # This runs once per member of every roster imported: ASCII digits are summed as their bytes, less
    # the weighted sum of "0"s, without an int() per digit (about a third of the time).
    if first17.isascii() and first17.isdigit():
        return CHECK_CHARS[(sum(map(operator.mul, first17.encode(), WEIGHTS)) - _ASCII_ZERO_SUM) % 11]
    return CHECK_CHARS[sum(map(operator.mul, map(int, first17), WEIGHTS)) % 11]


def normalise(value: str) -> str:
    """Trim, full-width digits to ASCII, lower-case x to X."""
    value = (value or "").strip().translate({0xFF10 + i: 0x30 + i for i in range(10)})
    return value.replace("ｘ", "X").replace("Ｘ", "X").replace("x", "X").replace(" ", "")


def birth_date(id_number: str) -> datetime.date:
    return datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


@functools.lru_cache(maxsize=1 << 16)
def _day(digits: str) -> datetime.date | None:
    """YYYYMMDD -> the date, None when there is no such day. A roster's members share a few thousand
    birthdays, so each is parsed once (an import checks every member's number)."""
    try:
        return datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def sex_code(id_number: str) -> str:
    return "male" if int(id_number[16]) % 2 == 1 else "female"


def validate_id_number(value: str) -> None:
    """Raise a ValidationError in Chinese naming what is wrong with the number."""
    if len(value) != 18:
        raise ValidationError(
            _("身份证号应为 18 位，实为 {length} 位: {value}").format(length=len(value), value=value),
            code="id_length",
        )
    if not _SHAPE.match(value):
        raise ValidationError(
            _("身份证号格式错误（前 17 位应为数字，末位为数字或 X）: {value}").format(value=value),
            code="id_shape",
        )
    born = _day(value[6:14])
    if born is None:
        raise ValidationError(
            _("身份证号中的出生日期无效: {value}").format(value=value[6:14]), code="id_birth"
        )
    if born.year < 1880 or born > datetime.date.today():
        raise ValidationError(
            _("身份证号中的出生日期不合理: {value}").format(value=value[6:14]), code="id_birth"
        )
    expected = check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("身份证号校验位错误: {value}（末位应为 {expected}）").format(value=value, expected=expected),
            code="id_check",
        )


def validate_disability_certificate(value: str) -> None:
    """残疾证号: the ID number plus grade digits (20 or 22 characters), validated on its first 18."""
    if len(value) not in (20, 22):
        raise ValidationError(
            _("残疾证号应为 20 或 22 位，实为 {length} 位").format(length=len(value)),
            code="disability_length",
        )
    validate_id_number(value[:18])


def mask(id_number: str) -> str:
    """532328********1234: region code and last four only (DESIGN.md §4)."""
    if len(id_number) < 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]
