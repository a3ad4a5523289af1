"""Cell parsers: each turns what a cell holds into the value stored, or raises CellError in Chinese.

A parser also knows how to write the value back (``to_cell``) so that an export imports back unchanged,
its drop-down values (``choices``) and a line for the instructions sheet (``describe``). The engine has
already handled blank cells, formulas without a result and Excel error values before a parser is called.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.excel.columns import CellError
from core.excel.normalise import compact, key, strip
from core.idnumbers import validate_id_number

EXCEL_EPOCH = datetime.datetime(1899, 12, 30)


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 30 else text[:30] + "…"


def _number_text(value: Any) -> str | None:
    """A number as Excel users mean it: 2014.0 is 2014. None when not a number-like cell."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return None


class Text:
    """Free text, trimmed; ``code=True`` also removes inner spaces and full-width forms (numbers, codes)."""

    choices = None

    def __init__(self, max_length: int, *, code: bool = False, pattern: str = "", pattern_message: str = ""):
        self.max_length, self.code = max_length, code
        self.pattern = re.compile(pattern) if pattern else None
        self.pattern_message = pattern_message

    def parse(self, value: Any) -> str:
        text = _number_text(value)
        if text is None:
            if isinstance(value, datetime.datetime | datetime.date):
                raise CellError(_("应为文字，实为日期 {value:%Y-%m-%d}").format(value=value))
            text = str(value)
        text = compact(text) if self.code else strip(text)
        if "\x00" in text:  # an .xls can hold one; PostgreSQL cannot store it (the forms refuse it too)
            raise CellError(_("含有空字符（\\x00），无法保存；请删除该字符后重新输入"))
        if len(text) > self.max_length:
            raise CellError(
                _("不能超过 {max_length} 个字符（实为 {length} 个）").format(
                    max_length=self.max_length, length=len(text)
                )
            )
        if self.pattern and not self.pattern.fullmatch(text):
            raise CellError(f"{self.pattern_message}: “{_shown(text)}”")
        return text

    def to_cell(self, value: Any) -> Any:
        return value or None

    def describe(self) -> str:
        return _("文字，最多 {max_length} 个字符").format(max_length=self.max_length)


class Enum:
    """One value of a TextChoices: read by its Chinese label (or an alias), stored as its code."""

    def __init__(self, enum, *, aliases: dict[str, str] | None = None, labels: Iterable[str] | None = None):
        self.enum = enum
        # The roster is Chinese whatever the reader's language: a lazy label is read in the primary language.
        with translation.override(settings.LANGUAGE_CODE):
            self.labels = {c: str(label) for c, label in enum.choices}
        self.choices = list(labels) if labels is not None else list(self.labels.values())
        self.lookup = {key(label): code for code, label in self.labels.items()}
        for alias, code in (aliases or {}).items():
            if code in self.labels:
                self.lookup[key(alias)] = code
        self._cache: dict[Any, str] = {}

    def parse(self, value: Any) -> str:
        try:
            return self._cache[value]
        except (KeyError, TypeError):
            pass
        code = self.lookup.get(key(str(value)))
        if code is None:
            raise CellError(
                _("“{value}”不是可选值；可选：{choices}").format(
                    value=_shown(value), choices=_("、").join(self.choices)
                )
            )
        self._cache[value] = code
        return code

    def to_cell(self, value: str) -> str | None:
        return self.labels.get(value) if value else None

    def describe(self) -> str:
        return _("从下拉列表选择：") + _("、").join(self.choices)


class Names:
    """A value from a list of names (e.g. the 56 民族), stored as the name itself."""

    def __init__(self, names: Iterable[str], *, suffix: str = ""):
        self.choices = list(names)
        self.lookup = {key(n): n for n in self.choices}
        if suffix:  # 彝 is read as 彝族
            self.lookup.update({key(n.removesuffix(suffix)): n for n in self.choices if n.endswith(suffix)})

    def parse(self, value: Any) -> str:
        name = self.lookup.get(key(str(value)))
        if name is None:
            raise CellError(_("“{value}”不是可选值").format(value=_shown(value)))
        return name

    def to_cell(self, value: str) -> str | None:
        return value or None

    def describe(self) -> str:
        return _("从下拉列表选择")


class MultiEnum(Enum):
    """Several values of a TextChoices in one cell, separated by 、 , ， ; ； / or spaces (健康状况)."""

    SEPARATORS = re.compile(r"[、,，;；/／\s]+")

    def __init__(self, enum, **kwargs):
        super().__init__(enum, **kwargs)
        self._lists: dict[str, tuple[str, ...]] = {}

    def parse(self, value: Any) -> list[str]:
        # A few combinations repeat on every row: each text is split once, and each row gets its own list.
        known = self._lists.get(value) if value.__class__ is str else None
        if known is not None:
            return list(known)
        codes: list[str] = []
        for part in self.SEPARATORS.split(strip(str(value))):
            if part:
                code = Enum.parse(self, part)
                if code not in codes:
                    codes.append(code)
        # Stored in declaration order, so 残疾、健康 and 健康、残疾 compare equal.
        order = list(self.labels)
        codes.sort(key=order.index)
        if value.__class__ is str and len(self._lists) < 1_000:
            self._lists[value] = tuple(codes)
        return codes

    def to_cell(self, value: list[str]) -> str | None:
        return "、".join(self.labels[c] for c in value if c in self.labels) or None

    def describe(self) -> str:
        return _("可多选，用顿号“、”分隔：") + _("、").join(self.choices)


class Integer:
    choices = None

    def __init__(
        self, *, min_value: int | None = None, max_value: int | None = None, what: str = gettext_lazy("整数")
    ):
        self.min_value, self.max_value, self.what = min_value, max_value, what

    def parse(self, value: Any) -> int:
        if isinstance(value, bool) or isinstance(value, datetime.datetime | datetime.date):
            raise CellError(_("应为{what}，实为“{value}”").format(what=self.what, value=_shown(value)))
        if isinstance(value, float):
            if not value.is_integer():
                raise CellError(_("应为{what}，实为 {value}").format(what=self.what, value=value))
            number = int(value)
        elif isinstance(value, int):
            number = value
        else:
            text = compact(str(value)).removesuffix("年").removesuffix(".0")
            if not re.fullmatch(r"-?\d+", text):
                raise CellError(_("应为{what}，实为“{value}”").format(what=self.what, value=_shown(value)))
            number = int(text)
        if self.min_value is not None and number < self.min_value:
            raise CellError(
                _("不能小于 {min_value}（实为 {number}）").format(min_value=self.min_value, number=number)
            )
        if self.max_value is not None and number > self.max_value:
            raise CellError(
                _("不能大于 {max_value}（实为 {number}）").format(max_value=self.max_value, number=number)
            )
        return number

    def to_cell(self, value: int | None) -> int | None:
        return value

    def describe(self) -> str:
        bounds = ""
        if self.min_value is not None and self.max_value is not None:
            bounds = _("，{min_value}–{max_value}").format(min_value=self.min_value, max_value=self.max_value)
        return f"{self.what}{bounds}"


class Amount:
    """Money: a non-negative number with at most two decimals (元)."""

    choices = None

    def __init__(self, *, min_value: Decimal | None = Decimal("0"), max_digits: int = 12, places: int = 2):
        self.min_value, self.places = min_value, places
        self.quantum = Decimal(1).scaleb(-places)
        self.limit = Decimal(10) ** (max_digits - places)

    def parse(self, value: Any) -> Decimal:
        if isinstance(value, bool) or isinstance(value, datetime.datetime | datetime.date):
            raise CellError(_("应为数字，实为“{value}”").format(value=_shown(value)))
        text = repr(value) if isinstance(value, float) else compact(str(value))
        text = text.replace(",", "").removesuffix("元")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise CellError(_("应为数字，实为“{value}”").format(value=_shown(value))) from None
        if not amount.is_finite():
            raise CellError(_("应为数字，实为“{value}”").format(value=_shown(value)))
        if self.min_value is not None and amount < self.min_value:
            raise CellError(_("不能为负数（实为 {amount}）").format(amount=amount))
        if abs(amount) >= self.limit:
            raise CellError(_("数值过大（{amount}）").format(amount=amount))
        return amount.quantize(self.quantum, rounding=ROUND_HALF_UP)

    def to_cell(self, value: Decimal | None) -> Any:
        if value is None:
            return None
        return int(value) if value == value.to_integral_value() else float(value)

    def describe(self) -> str:
        return _("数字（元），不能为负，最多 {places} 位小数").format(places=self.places)


_DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)


class Date:
    """An Excel date, or text as 2016-07-14, 2016/7/14, 2016.7.14, 2016年7月14日 or 20160714."""

    choices = None

    def parse(self, value: Any) -> datetime.date:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not 1 <= value < 2958466:  # Excel's own range of serial dates
                raise CellError(_("不是有效日期（{value}）").format(value=value))
            return (EXCEL_EPOCH + datetime.timedelta(days=int(value))).date()
        text = compact(str(value))
        for pattern in _DATE_PATTERNS:
            match = pattern.fullmatch(text)
            if match:
                try:
                    return datetime.date(*(int(g) for g in match.groups()))
                except ValueError:
                    raise CellError(_("不是有效日期：“{value}”").format(value=_shown(value))) from None
        raise CellError(
            _("日期格式无法识别：“{value}”（可写 2016-07-14、2016/7/14 或 2016年7月14日）").format(
                value=_shown(value)
            )
        )

    def to_cell(self, value: datetime.date | None) -> Any:
        return value

    def describe(self) -> str:
        return _("日期，如 2016-07-14、2016/7/14 或 2016年7月14日")


class Bool:
    """是 / 否 (also √ ×, Y N, TRUE FALSE, 1 0 and Excel's own TRUE/FALSE)."""

    choices = ["是", "否"]
    TRUE = {"是", "有", "√", "y", "yes", "true", "1", "对"}
    FALSE = {"否", "无", "×", "x", "n", "no", "false", "0", "不是"}

    def parse(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        word = key(str(_number_text(value) or value)).lower()
        if word in self.TRUE:
            return True
        if word in self.FALSE:
            return False
        raise CellError(_("应填“是”或“否”，实为“{value}”").format(value=_shown(value)))

    def to_cell(self, value: bool | None) -> str | None:
        return None if value is None else ("是" if value else "否")

    def describe(self) -> str:
        return _("填“是”或“否”")


class IdNumber:
    """18-character resident ID (GB 11643): length, birth date and check character."""

    choices = None

    def parse(self, value: Any) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            # Excel keeps 15 significant digits: an ID typed as a number has lost its last digits.
            raise CellError(_("身份证号被存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写"))
        if value.__class__ is str and value.isascii() and value.isalnum():
            text = value.upper()  # the usual cell: nothing to compact, no full-width Ｘ, no *
        else:
            text = compact(str(value)).upper().replace("Ｘ", "X")
        if "*" in text:
            raise CellError(_("身份证号含 *（导出时已隐藏部分数字），不能导入；请填写完整号码"))
        try:
            validate_id_number(text)
        except ValidationError as exc:
            raise CellError(exc.messages[0]) from None
        return text

    def to_cell(self, value: str) -> str:
        return value

    def describe(self) -> str:
        return _("18 位，末位可为 X；请将该列设为文本格式")
