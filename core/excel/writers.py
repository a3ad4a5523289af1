"""Writing workbooks: templates with drop-downs, error workbooks (openpyxl), roster exports (xlsxwriter).

Exports (``write_roster``) stream through xlsxwriter's constant-memory mode and error workbooks through
openpyxl's write-only mode, fed row by row, so memory stays flat whatever the size. Templates are small
and use openpyxl's ordinary mode.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import IO, Any

import xlsxwriter
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from xlsxwriter.utility import xl_col_to_name

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


def _widths(ws, sheet: Sheet) -> None:
    for i, column in enumerate(sheet.columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = column.width


def instructions_rows(roster: Roster, notes: Sequence[str] = ()) -> list[list[Any]]:
    """The instructions sheet: notes, then each sheet's columns with whether required and how to fill."""
    rows: list[list[Any]] = [[roster.title + _(" 填写说明")], []]
    for line in [*roster.notes, *notes]:
        rows.append([line])
    for sheet in roster.sheets:
        rows += [
            [],
            [
                _("工作表“{sheet_name}”").format(sheet_name=sheet.name)
                + (_("：{help}").format(help=sheet.help) if sheet.help else "")
            ],
        ]
        rows.append([_("列名"), _("是否必填"), _("填写要求"), _("说明")])
        for c in sheet.columns:
            need = _("必填") if c.required else (_("有此列时必填") if c.filled else _("选填"))
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
                errorTitle=_("取值无效"),
                error=_("“{header}”请从下拉列表选择").format(header=column.header)
                + (_("（可多选，用顿号分隔）") if multiple else ""),
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


def write_roster(
    roster: Roster,
    sheets: Sequence[tuple[Sheet, Iterable[Sequence[Any]]]],
    stream: IO[bytes],
    *,
    notes: Sequence[str] = (),
    scoped: dict[str, list[str]] | None = None,
) -> list[int]:
    """The one roster export: each declared sheet from an iterable of rows (values in cell form), then
    the instructions sheet and the hidden choices behind the drop-downs; answers the rows written per sheet.

    Written by xlsxwriter in constant-memory mode: each row goes to a temporary file as it comes, so
    memory stays flat, and it writes about twice as fast as openpyxl's write-only mode (README, benchmarks).
    Text is never read as a formula or a link, so a name starting with "=" stays text.
    """
    scoped = scoped or {}
    book = xlsxwriter.Workbook(
        stream,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd",
        },
    )
    styles = {
        required: book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", **({"font_color": "#C00000"} if required else {})}
        )
        for required in (False, True)
    }
    data = [(book.add_worksheet(sheet.name), sheet, rows) for sheet, rows in sheets]
    guide = book.add_worksheet(INSTRUCTIONS)
    lists = book.add_worksheet(CHOICES)
    counts = []
    list_column = 0
    for ws, sheet, rows in data:
        for i, column in enumerate(sheet.columns):
            ws.set_column(i, i, column.width)
            ws.write_string(0, i, column.header, styles[bool(column.required or column.filled)])
        ws.freeze_panes(1, 0)
        count = 0
        write_row = ws.write_row
        for count, row in enumerate(rows, 1):  # noqa: B007 (the count is the result)
            try:
                write_row(count, 0, row)
            except TypeError:  # a lazy (translatable) label: written as the text it reads as now
                write_row(count, 0, [str(v) if isinstance(v, Promise) else v for v in row])
        counts.append(count)
        for i, column in enumerate(sheet.columns):
            values = scoped.get(column.scoped_choices) if column.scoped_choices else column.parser.choices
            if not values:
                continue
            lists.write_string(0, list_column, f"{sheet.name}·{column.header}")
            for r, value in enumerate(values, 1):
                lists.write(r, list_column, value)
            letter = xl_col_to_name(list_column)
            list_column += 1
            multiple = column.parser.__class__.__name__ == "MultiEnum"
            ws.data_validation(
                1,
                i,
                max(count, TEMPLATE_ROWS),
                i,
                {
                    "validate": "list",
                    "source": f"='{CHOICES}'!${letter}$2:${letter}${len(values) + 1}",
                    "ignore_blank": not column.required,
                    "error_type": "warning" if multiple else "stop",
                    "error_title": _("取值无效"),
                    "error_message": _("“{header}”请从下拉列表选择").format(header=column.header)
                    + (_("（可多选，用顿号分隔）") if multiple else ""),
                    "input_title": column.header[:32],
                    "input_message": column.parser.describe()[:250],
                },
            )
    for width, col in zip((16, 12, 60, 50), range(4), strict=True):
        guide.set_column(col, col, width)
    for r, row in enumerate(instructions_rows(roster, notes)):
        guide.write_row(r, 0, row)
    lists.hide()
    book.close()
    return counts


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
    listing.append(
        [WriteOnlyCell(listing, h) for h in (_("序号"), _("工作表"), _("行"), _("列"), _("错误说明"))]
    )
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
