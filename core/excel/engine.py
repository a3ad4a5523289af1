"""Reading a declared sheet: find the header row, match headers, parse and validate every cell.

The app's import service receives parsed rows (values in the declared column order) and does what needs
more than one row or the database: matching, duplicates across rows, scope, invariants, writing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import compress, count, islice, repeat
from operator import is_, itemgetter
from typing import Any

from django.utils.translation import gettext as _

from core.excel.columns import CellError, Sheet
from core.excel.errors import Errors
from core.excel.normalise import _SPACES, key
from core.excel.reader import FORMULA_NO_VALUE, ExcelError, WorkbookReader, column_index, column_letter

HEADER_SEARCH_ROWS = 10  # a title row or two above the headers is common; further down is not a roster
MEMO_SIZE = 2_000  # distinct texts remembered per column
BLOCK = 5_000  # rows read, then checked column by column, at a time
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


class _CellProblem:
    """What a cell's parse answers instead of a value when the cell is wrong."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


_UNNAMED = object()  # stands for a "data without a header" error, worded when it is added


def _parse_cell(raw: Any, column, parse, must: bool, validators) -> Any:
    """One cell's value, or a _CellProblem saying what is wrong with it."""
    if raw is None or (raw.__class__ is str and not raw.strip(_SPACES)):
        if must:
            return _CellProblem(_("“{header}”不能为空").format(header=column.header))
        return column.blank_value()
    if raw is FORMULA_NO_VALUE:
        return _CellProblem(_("单元格是公式且没有计算结果，请在 Excel 中计算后保存，或粘贴为数值"))
    if raw.__class__ is ExcelError:
        return _CellProblem(_("单元格是错误值 {raw}，请改正").format(raw=raw))
    try:
        value = parse(raw)
        for validate in validators:
            validate(value)
    except CellError as exc:
        return _CellProblem(str(exc))
    return value


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
    # Read BLOCK rows at a time, then column by column: a column's cells are looked up in its memo of
    # texts already parsed (乡镇, 民族, 与户主关系 … repeat) by one C-level map, and only the cells not found
    # there go through the parser, its validators and the blank, formula and error checks one by one.
    # The errors of a block are added in row order, so the first ones listed are the same whatever the
    # number of errors.
    positions = {c.field: i for i, c in enumerate(sheet.columns)}
    active = [
        (data.cells[c.field], positions[c.field], c, c.parser.parse, c.required or c.filled, c.validators, {})
        for c in sheet.columns
        if c.field in data.cells
    ]
    for _cell, _position, column, _parse, must, _validators, memo in active:
        if not must and not callable(column.default):  # a blank cell of an optional column: its default
            memo[None] = column.default
    width = len(sheet.columns)
    memos_of_numbers: list[dict[tuple[type, Any], Any]] = [{} for _position in range(width)]
    header_width = len(header)
    unnamed_reported: set[int] = set()
    sheet_name = sheet.name
    add = errors.add
    kept = data.rows
    bad_rows = data.bad_rows
    while block := list(islice(rows, BLOCK)):
        numbers, raws = zip(*block, strict=True)
        found: list[tuple[int, int, str, Any]] = []  # (row, cell, column header, message)
        wider = []  # rows with cells past the header's width
        for values in raws:
            n = len(values)
            if n < header_width:
                values.extend([None] * (header_width - n))
            elif n > header_width:
                wider.append(values)
        size = len(raws)
        out: list[list[Any] | None] = [None] * width
        for cell, position, column, parse, must, validators, memo in active:
            raw_column = list(map(itemgetter(cell), raws))
            parsed = list(map(memo.get, raw_column, repeat(_MISSING, size)))
            out[position] = parsed
            # Numbers are remembered by type and value: 1, 1.0 and True are equal keys to a dict.
            numbers_memo = memos_of_numbers[position]
            last_raw: Any = _MISSING
            last_class: Any = None
            last_value: Any = None
            # the cells not in the memo, found in C: a comprehension over every cell took 0.5 s of 2,000,000
            for i in compress(count(), map(is_, parsed, repeat(_MISSING, size))):
                raw = raw_column[i]
                kind = raw.__class__
                if kind is str or kind is int or kind is float:
                    if kind is last_class and raw == last_raw:  # a household's column, repeated on its rows
                        parsed[i] = last_value
                        continue
                    if kind is not str:
                        value = numbers_memo.get((kind, raw), _MISSING)
                        if value is not _MISSING:
                            parsed[i] = value
                            continue
                value = _parse_cell(raw, column, parse, must, validators)
                if value.__class__ is _CellProblem:
                    found.append((numbers[i], cell, column.header, value.message))
                    parsed[i] = None
                    continue
                parsed[i] = value
                if (kind is str or kind is int or kind is float) and value.__class__ is not list:
                    last_raw, last_class, last_value = raw, kind, value
                    if kind is str:
                        if len(memo) < MEMO_SIZE:
                            memo[raw] = value
                    elif len(numbers_memo) < MEMO_SIZE:
                        numbers_memo[(kind, raw)] = value
        for index in unnamed:
            if index not in unnamed_reported and any(not _blank(v) for v in map(itemgetter(index), raws)):
                unnamed_reported.add(index)
                found.append((data.header_row, index, column_letter(index), _UNNAMED))
        for values in wider:
            for index in range(header_width, len(values)):
                if index not in unnamed_reported and not _blank(values[index]):
                    unnamed_reported.add(index)
                    found.append((data.header_row, index, column_letter(index), _UNNAMED))
        for number, cell, header_text, message in sorted(found, key=itemgetter(0, 1)):
            if message is _UNNAMED:
                message = _("第 {column} 列有数据但没有表头；请填写表头或删除该列").format(column=header_text)
            else:
                bad_rows.add(number)
            add(message, sheet=sheet_name, row=number, column=header_text, cell=cell)
        blank = [None] * size
        kept.extend(
            zip(
                numbers,
                map(list, zip(*(c if c is not None else blank for c in out), strict=True)),
                strict=True,
            )
        )
        if progress is not None:
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
