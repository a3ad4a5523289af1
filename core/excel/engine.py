"""Reading a declared sheet: find the header row, match headers, parse and validate every cell.

The app's import service receives parsed rows (values in the declared column order) and does what needs
more than one row or the database: matching, duplicates across rows, scope, invariants, writing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from core.excel.columns import CellError, Sheet
from core.excel.errors import Errors
from core.excel.normalise import _SPACES, key
from core.excel.reader import FORMULA_NO_VALUE, ExcelError, WorkbookReader, column_index, column_letter

HEADER_SEARCH_ROWS = 10  # a title row or two above the headers is common; further down is not a roster
MEMO_SIZE = 2_000  # distinct texts remembered per column
_MISSING = object()


@dataclass
class SheetData:
    """One sheet read against its declaration."""

    sheet: Sheet
    header_row: int = 0
    # field -> column index in the uploaded sheet (only the columns present)
    cells: dict[str, int] = field(default_factory=dict)
    # (row number, values in declared column order); absent columns hold None
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)  # rows with a cell error

    @property
    def present(self) -> set[str]:
        return set(self.cells)

    def index(self, field_name: str) -> int:
        """The position of a declared field in each row's values."""
        return self.sheet.positions[field_name]

    def error(self, errors: Errors, row: int, field_name: str, message: str) -> None:
        """An error on one cell of this sheet, found after reading (duplicates, scope, invariants)."""
        column = self.sheet.column(field_name)
        errors.add(
            message, sheet=self.sheet.name, row=row, column=column.header, cell=self.cells.get(field_name)
        )
        self.bad_rows.add(row)


def find_sheet(reader: WorkbookReader, name: str) -> str | None:
    """The workbook's sheet named ``name``, matched after trimming and full-width normalisation."""
    wanted = key(name)
    return next((s for s in reader.sheet_names if key(s) == wanted), None)


def _blank(value: Any) -> bool:
    return value is None or (value.__class__ is str and not value.strip(_SPACES))


def read_sheet(
    reader: WorkbookReader,
    sheet: Sheet,
    errors: Errors,
    *,
    found_name: str | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> SheetData:
    """Parse one sheet; every problem goes to ``errors`` with its sheet, row and column."""
    name = found_name or sheet.name
    data = SheetData(sheet=sheet)
    declared = sheet.by_key
    anchor = key(sheet.anchor or sheet.columns[0].header)
    total = reader.dimension_rows(name)
    rows = reader.rows(name)
    seen = 0
    header: list[Any] | None = None
    for number, values in rows:
        seen += 1
        if any(not _blank(v) and key(str(v)) == anchor for v in values):
            header = values
            data.header_row = number
            break
        if seen >= HEADER_SEARCH_ROWS:
            break
    if header is None:
        errors.add(
            _("未找到表头行：前 {rows} 行中没有“{anchor}”列；表头应为：{headers}").format(
                rows=HEADER_SEARCH_ROWS,
                anchor=sheet.anchor or sheet.columns[0].header,
                headers=_("、").join(sheet.headers),
            ),
            sheet=sheet.name,
            row=1,
        )
        return data

    # -- headers ----------------------------------------------------------------------------------------
    unnamed: list[int] = []
    for index, raw in enumerate(header):
        if _blank(raw):
            unnamed.append(index)
            continue
        column = declared.get(key(str(raw)))
        if column is None:
            errors.add(
                _("未知的列“{column}”；可用的列：{headers}").format(
                    column=str(raw).strip(), headers=_("、").join(sheet.headers)
                ),
                sheet=sheet.name,
                row=data.header_row,
                column=str(raw).strip(),
                cell=index,
            )
            continue
        if column.field in data.cells:
            first = column_letter(data.cells[column.field])
            errors.add(
                _("列“{header}”重复（第 {first} 列和第 {second} 列）").format(
                    header=column.header, first=first, second=column_letter(index)
                ),
                sheet=sheet.name,
                row=data.header_row,
                column=column.header,
                cell=index,
            )
            continue
        data.cells[column.field] = index
    for column in sheet.columns:
        if column.required and column.field not in data.cells:
            errors.add(
                _("缺少必填列“{header}”").format(header=column.header),
                sheet=sheet.name,
                row=data.header_row,
                column=column.header,
            )

    # -- rows -------------------------------------------------------------------------------------------
    positions = {c.field: i for i, c in enumerate(sheet.columns)}
    # Text cells repeat (乡镇, 民族, 与户主关系 …): each column remembers what a text parsed to, up to
    # MEMO_SIZE distinct texts, so a repeated one costs a dict lookup instead of a parse and validation.
    active = [
        (data.cells[c.field], positions[c.field], c, c.parser.parse, c.required or c.filled, c.validators, {})
        for c in sheet.columns
        if c.field in data.cells
    ]
    width = len(sheet.columns)
    unnamed_reported: set[int] = set()
    header_width = len(header)
    sheet_name = sheet.name
    add = errors.add
    kept = data.rows
    bad_rows = data.bad_rows
    for number, values in rows:
        n = len(values)
        out: list[Any] = [None] * width
        bad = False
        for cell, position, column, parse, must, validators, memo in active:
            raw = values[cell] if cell < n else None
            if raw.__class__ is str:
                value = memo.get(raw, _MISSING)
                if value is not _MISSING:
                    out[position] = value
                    continue
            if raw is None or (raw.__class__ is str and not raw.strip(_SPACES)):
                if must:
                    add(
                        _("“{header}”不能为空").format(header=column.header),
                        sheet=sheet_name,
                        row=number,
                        column=column.header,
                        cell=cell,
                    )
                    bad = True
                else:
                    out[position] = column.blank_value()
                continue
            if raw is FORMULA_NO_VALUE:
                add(
                    _("单元格是公式且没有计算结果，请在 Excel 中计算后保存，或粘贴为数值"),
                    sheet=sheet_name,
                    row=number,
                    column=column.header,
                    cell=cell,
                )
                bad = True
                continue
            if raw.__class__ is ExcelError:
                add(
                    _("单元格是错误值 {raw}，请改正").format(raw=raw),
                    sheet=sheet_name,
                    row=number,
                    column=column.header,
                    cell=cell,
                )
                bad = True
                continue
            try:
                value = parse(raw)
                for validate in validators:
                    validate(value)
            except CellError as exc:
                add(str(exc), sheet=sheet_name, row=number, column=column.header, cell=cell)
                bad = True
                continue
            out[position] = value
            if raw.__class__ is str and value.__class__ is not list and len(memo) < MEMO_SIZE:
                memo[raw] = value
        if unnamed or n > header_width:
            for index in (*unnamed, *range(header_width, n)):
                if index < n and not _blank(values[index]) and index not in unnamed_reported:
                    unnamed_reported.add(index)
                    add(
                        _("第 {column} 列有数据但没有表头；请填写表头或删除该列").format(
                            column=column_letter(index)
                        ),
                        sheet=sheet_name,
                        row=data.header_row,
                        column=column_letter(index),
                        cell=index,
                    )
        if bad:
            bad_rows.add(number)
        kept.append((number, out))
        if progress is not None and len(kept) % 5000 == 0:
            progress(len(kept), total)

    # -- merged cells (their list is at the end of the sheet) -----------------------------------------
    for ref in reader.merged.get(name, []):
        match = re.fullmatch(r"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?", ref)
        if not match:
            continue
        top, bottom = int(match.group(2)), int(match.group(4) or match.group(2))
        if bottom < data.header_row:
            continue  # a title above the headers
        left = column_index(match.group(1))
        if top <= data.header_row:
            add(
                _("表头单元格 {ref} 是合并单元格；请取消合并，每列一个表头").format(ref=ref),
                sheet=sheet_name,
                row=data.header_row,
                column=str(header[left]).strip() if left < len(header) and header[left] else None,
                cell=left,
            )
        else:
            add(
                _("{ref} 是合并单元格；请取消合并，并在每一行填写完整").format(ref=ref),
                sheet=sheet_name,
                row=top,
                column=column_letter(left),
                cell=left,
            )
            bad_rows.add(top)
    return data
