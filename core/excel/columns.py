"""How a roster is declared: sheets of columns, each with a header, a field, a parser and validators.

An app declares its rosters in ``rosters.py`` as data; the engine reads, validates, reports and writes
from that declaration alone, so a new roster is a list of columns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from core.excel.normalise import key


class CellError(ValueError):
    """What is wrong with one cell, in Chinese (the engine adds sheet, row and column)."""


Validator = Callable[[Any], None]  # raises CellError


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    parser: Any  # a parser from core.excel.parsers: parse(raw), to_cell(value), choices, describe
    # required: the column must be present and no cell may be blank. Otherwise an absent column leaves
    # the field as it is (or its default for a new record), and a blank cell takes ``default``.
    required: bool = False
    # The column may be absent, but where present no cell may be blank.
    filled: bool = False
    default: Any = None
    validators: Sequence[Validator] = ()
    # Columns that describe the row's parent (the household on a member row): repeated on every row,
    # and every row of the same parent must agree.
    parent: bool = False
    # Drop-down values that depend on the user (乡镇 / 行政村 / 自然村 within the user's scope).
    scoped_choices: str = ""
    width: int = 12
    help: str = ""

    @property
    def key(self) -> str:
        return key(self.header)

    def blank_value(self) -> Any:
        return self.default() if callable(self.default) else self.default


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: Sequence[Column]
    # The header that identifies the header row (rows above it, such as a title, are skipped).
    anchor: str = ""
    help: str = ""

    def __post_init__(self) -> None:
        keys = [c.key for c in self.columns]
        assert len(keys) == len(set(keys)), f"{self.name}: duplicate header in the declaration"

    @cached_property
    def positions(self) -> dict[str, int]:
        return {c.field: i for i, c in enumerate(self.columns)}

    @property
    def by_key(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns}

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)


@dataclass(frozen=True)
class Roster:
    name: str  # ImportRecord.roster
    title: str
    sheets: Sequence[Sheet]
    notes: Sequence[str] = field(default_factory=tuple)  # lines for the instructions sheet

    def sheet(self, name: str) -> Sheet:
        return next(s for s in self.sheets if s.name == name)
