"""Helpers for the one-sheet rosters' tests: workbooks from header -> value dicts, table fingerprints,
template checks and query counts."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from core.excel.columns import Sheet
from tests.core.excel.helpers import fingerprint as table_fingerprint
from tests.core.excel.helpers import saved

# The tables each roster may write (with their history where kept).
TABLES = {
    "pairings": ("assignments_pairing", "assignments_historicalpairing", "assignments_cadre"),
    "revisits": ("assignments_revisit", "assignments_historicalrevisit"),
    "projects": ("projects_project", "projects_progressentry"),
    "relocations": ("projects_relocation",),
    "training": ("projects_training_participants",),
}


def sheet_workbook(
    sheet: Sheet,
    rows: Sequence[dict[str, Any]],
    *,
    headers: Sequence[str] | None = None,
    name: str | None = None,
    edit: Callable | None = None,
) -> io.BytesIO:
    """An .xlsx in memory with one sheet of ``rows`` (header -> value)."""
    headers = list(headers or sheet.headers)
    wb = Workbook()
    ws = wb.active
    ws.title = name or sheet.name
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    if edit is not None:
        edit(wb)
    return saved(wb)


def fingerprint(roster: str) -> dict[str, tuple[int, str]]:
    """Row count and an md5 over every row of the roster's tables, ordered by their key."""
    return table_fingerprint(TABLES[roster])


def errors_at(outcome, sheet: str, row: int, column: str) -> list[str]:
    return [
        e["message"]
        for e in outcome.errors.as_list()
        if e["sheet"] == sheet and e["row"] == row and e["column"] == column
    ]


def assert_one_error(outcome, sheet: str, row: int, column: str, contains: str) -> None:
    found = errors_at(outcome, sheet, row, column)
    assert found, outcome.errors.as_list()
    assert any(contains in m for m in found), found
    assert not outcome.written


def template_book(template, user):
    """The template written for ``user``, opened with openpyxl."""
    stream = io.BytesIO()
    template(user=user, stream=stream)
    stream.seek(0)
    return load_workbook(stream)


def validated_columns(ws) -> set[str]:
    """The column letters that have a drop-down."""
    return {str(dv.sqref).split(":")[0].rstrip("0123456789") for dv in ws.data_validations.dataValidation}


def choices_of(wb, sheet: str, header: str) -> list[str]:
    lists = {c.value: c.column_letter for c in wb["选项"][1]}
    return [c.value for c in wb["选项"][lists[f"{sheet}·{header}"]][1:] if c.value]


def instructions_text(wb) -> str:
    return " ".join(str(c) for row in wb["填写说明"].iter_rows(values_only=True) for c in row if c)


def export_stream(exporter, user, queryset=None) -> tuple[io.BytesIO, dict]:
    stream = io.BytesIO()
    written = exporter(user=user, queryset=queryset, stream=stream)
    stream.seek(0)
    stream.name = "导出.xlsx"
    return stream, written


def rows_of(stream: io.BytesIO, sheet: str) -> list[tuple]:
    stream.seek(0)
    rows = list(load_workbook(stream)[sheet].iter_rows(min_row=2, values_only=True))
    stream.seek(0)
    return rows


def count_queries(call: Callable[[], Any]) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    return len(ctx.captured_queries), result
