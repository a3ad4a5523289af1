"""Errors found in a workbook, each with its sheet, row and column, in Chinese."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.excel.normalise import key


@dataclass(frozen=True, slots=True)
class RowError:
    sheet: str | None
    row: int | None
    column: str | None  # the header as declared (or as found, for an unknown header)
    message: str
    cell: int | None = None  # 0-based column index in the uploaded sheet, to mark the cell

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


class Errors:
    """Collects errors up to a limit; past it, one closing line says the list stops there."""

    def __init__(self, limit: int = 5_000):
        self.limit = limit
        self.items: list[RowError] = []
        self.total = 0

    def add(
        self,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        cell: int | None = None,
    ) -> None:
        self.total += 1
        if len(self.items) < self.limit:
            self.items.append(RowError(sheet, row, column, message, cell))

    def __bool__(self) -> bool:
        return self.total > 0

    def __len__(self) -> int:
        return self.total

    @property
    def truncated(self) -> bool:
        return self.total > len(self.items)

    def sorted(self) -> list[RowError]:
        return sorted(
            self.items, key=lambda e: (e.sheet or "", e.row or 0, e.cell if e.cell is not None else -1)
        )

    def as_list(self) -> list[dict]:
        listed = [e.as_dict() for e in self.sorted()]
        if self.truncated:
            listed.append(
                {
                    "sheet": None,
                    "row": None,
                    "column": None,
                    "message": _("共发现 {total:,} 处错误，仅列出前 {limit:,} 处；请改正后重新校验。").format(
                        total=self.total, limit=self.limit
                    ),
                }
            )
        return listed

    def by_cell(self) -> dict[tuple[str, int], dict[int, list[str]]]:
        """(sheet name key, row) -> {column index: messages}, for marking the error workbook."""
        cells: dict[tuple[str, int], dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
        for e in self.items:
            if e.sheet is not None and e.row is not None and e.cell is not None:
                cells[(key(e.sheet), e.row)][e.cell].append(e.message)
        return cells
