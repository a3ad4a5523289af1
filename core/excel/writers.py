"""Writing workbooks with openpyxl: templates with drop-downs, error workbooks, streaming exports.

Exports and error workbooks use write-only mode, fed row by row, so memory stays flat whatever the size.
Templates are small and use the ordinary mode (data validations need it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.excel.columns import Roster, Sheet
from core.excel.errors import Errors
from core.excel.normalise import key
from core.excel.reader import FORMULA_NO_VALUE, ExcelError, WorkbookReader, WorkbookRejected

HEADER_FONT = Font(bold=True)
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
ERROR_FILL = PatternFill("solid", fgColor="FF9999")
WRAP = Alignment(wrap_text=True, vertical="top")
INSTRUCTIONS = "填写说明"
CHOICES = "选项"
ERROR_LIST = "错误清单"
TEMPLATE_ROWS = 5000  # drop-downs apply to this many data rows of a template


def _header_cells(ws, sheet: Sheet) -> list[WriteOnlyCell]:
    cells = []
    for column in sheet.columns:
        cell = WriteOnlyCell(ws, column.header)
        cell.font = REQUIRED_FONT if column.required or column.filled else HEADER_FONT
        cell.fill = HEADER_FILL
        cells.append(cell)
    return cells


def _widths(ws, sheet: Sheet) -> None:
    for i, column in enumerate(sheet.columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = column.width


def instructions_rows(roster: Roster, notes: Sequence[str] = ()) -> list[list[Any]]:
    """The instructions sheet: notes, then each sheet's columns with whether required and how to fill."""
    rows: list[list[Any]] = [[roster.title + " 填写说明"], []]
    for line in [*roster.notes, *notes]:
        rows.append([line])
    for sheet in roster.sheets:
        rows += [[], [f"工作表“{sheet.name}”" + (f"：{sheet.help}" if sheet.help else "")]]
        rows.append(["列名", "是否必填", "填写要求", "说明"])
        for c in sheet.columns:
            need = "必填" if c.required else ("有此列时必填" if c.filled else "选填")
            rows.append([c.header, need, c.parser.describe(), c.help])
    return rows


def _write_instructions(wb: Workbook, roster: Roster, notes: Sequence[str], write_only: bool) -> None:
    ws = wb.create_sheet(INSTRUCTIONS)
    for letter, width in zip("ABCD", (16, 12, 60, 50), strict=True):
        ws.column_dimensions[letter].width = width
    for row in instructions_rows(roster, notes):
        if write_only:
            ws.append(row)
        else:
            ws.append(row)
            for cell in ws[ws.max_row]:
                cell.alignment = WRAP
    if not write_only:
        ws["A1"].font = Font(bold=True, size=14)


def write_template(
    roster: Roster,
    stream: IO[bytes],
    *,
    scoped: dict[str, list[str]] | None = None,
    notes: Sequence[str] = (),
) -> None:
    """An empty roster: headers, drop-downs for every enumerated column, and an instructions sheet.

    ``scoped`` gives the values of the columns whose choices depend on the user (乡镇, 行政村, 自然村).
    """
    scoped = scoped or {}
    wb = Workbook()
    wb.remove(wb.active)
    lists = wb.create_sheet(CHOICES)
    list_column = 0
    for sheet in roster.sheets:
        ws = wb.create_sheet(sheet.name, index=len(wb.sheetnames) - 1)
        ws.append([c.header for c in sheet.columns])
        for cell, column in zip(ws[1], sheet.columns, strict=True):
            cell.font = REQUIRED_FONT if column.required or column.filled else HEADER_FONT
            cell.fill = HEADER_FILL
            if column.help:
                cell.comment = Comment(column.help, "填写说明")
        _widths(ws, sheet)
        ws.freeze_panes = "A2"
        for i, column in enumerate(sheet.columns, 1):
            values = scoped.get(column.scoped_choices) if column.scoped_choices else column.parser.choices
            if not values:
                continue
            list_column += 1
            letter = get_column_letter(list_column)
            lists.cell(row=1, column=list_column, value=f"{sheet.name}·{column.header}")
            for r, value in enumerate(values, 2):
                lists.cell(row=r, column=list_column, value=value)
            multiple = column.parser.__class__.__name__ == "MultiEnum"
            dv = DataValidation(
                type="list",
                formula1=f"'{CHOICES}'!${letter}$2:${letter}${len(values) + 1}",
                allow_blank=not column.required,
                showErrorMessage=True,
                # Several values may be typed into a 可多选 cell: warn, don't forbid.
                errorStyle="warning" if multiple else "stop",
                errorTitle="取值无效",
                error=f"“{column.header}”请从下拉列表选择" + ("（可多选，用顿号分隔）" if multiple else ""),
                promptTitle=column.header,
                prompt=column.parser.describe()[:250],
                showInputMessage=True,
            )
            col = get_column_letter(i)
            dv.add(f"{col}2:{col}{TEMPLATE_ROWS + 1}")
            ws.add_data_validation(dv)
        for i, column in enumerate(sheet.columns, 1):
            if column.parser.__class__.__name__ in ("IdNumber", "Text"):
                # Text format, so Excel keeps all 18 digits of an ID number and leading zeros.
                for r in range(2, 202):
                    ws.cell(row=r, column=i).number_format = "@"
    _write_instructions(wb, roster, notes, write_only=False)
    wb.move_sheet(INSTRUCTIONS, offset=-(len(wb.sheetnames) - 1 - len(roster.sheets)))
    lists.sheet_state = "hidden"
    wb.active = 0
    wb.save(stream)


class StreamingWorkbook:
    """A write-only workbook fed sheet by sheet from iterables of rows (memory stays flat)."""

    def __init__(self, roster: Roster):
        self.roster = roster
        self.wb = Workbook(write_only=True)

    def sheet(self, sheet: Sheet, rows: Iterable[Sequence[Any]]) -> int:
        """Write a declared sheet: styled headers, then each row of values already in cell form."""
        ws = self.wb.create_sheet(sheet.name)
        _widths(ws, sheet)
        ws.freeze_panes = "A2"
        ws.append(_header_cells(ws, sheet))
        count = 0
        append = ws.append
        for row in rows:
            append(row)
            count += 1
        return count

    def instructions(self, notes: Sequence[str] = ()) -> None:
        _write_instructions(self.wb, self.roster, notes, write_only=True)

    def save(self, stream: IO[bytes]) -> None:
        self.wb.save(stream)


def write_error_workbook(source, errors: Errors, stream: IO[bytes]) -> bool:
    """The uploaded workbook back, each bad cell filled red with a comment, after a sheet listing errors.

    Answers False when the upload cannot be read at all (then the error list is all there is).
    """
    try:
        reader = WorkbookReader(source)
    except WorkbookRejected:
        return False
    marks = errors.by_cell()
    wb = Workbook(write_only=True)
    listing = wb.create_sheet(ERROR_LIST)
    for letter, width in zip("ABCDE", (8, 12, 8, 16, 80), strict=True):
        listing.column_dimensions[letter].width = width
    listing.append([WriteOnlyCell(listing, h) for h in ("序号", "工作表", "行", "列", "错误说明")])
    for n, e in enumerate(errors.as_list(), 1):
        listing.append([n, e["sheet"], e["row"], e["column"], e["message"]])
    try:
        with reader:
            for name in reader.sheet_names:
                ws = wb.create_sheet(name)
                written = 0
                for number, values in reader.rows(name):
                    while written < number - 1:
                        ws.append([])
                        written += 1
                    row_marks = marks.get((key(name), number), {})
                    width = max(len(values), max(row_marks, default=-1) + 1)
                    cells: list[Any] = []
                    for index in range(width):
                        value = values[index] if index < len(values) else None
                        if value is FORMULA_NO_VALUE:
                            value = None
                        elif isinstance(value, ExcelError):
                            value = str(value)
                        if index in row_marks:
                            cell = WriteOnlyCell(ws, value)
                            cell.fill = ERROR_FILL
                            comment = Comment("\n".join(row_marks[index]), "校验")
                            comment.width, comment.height = 300, 120
                            cell.comment = comment
                            value = cell
                        cells.append(value)
                    ws.append(cells)
                    written += 1
    except WorkbookRejected:
        pass  # the listing says what could not be read
    wb.save(stream)
    return True
