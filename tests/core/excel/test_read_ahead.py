"""Reading ahead: the next sheet is scanned and parsed in a thread while the caller reads the one before."""

import threading

import pytest
from django.utils import translation

from core.excel.reader import WorkbookReader, WorkbookRejected
from tests.core.excel.helpers import patch_sheet, workbook

SHEETS = ("成员", "年度收入")


class _RecordingBook:
    """calamine's workbook, recording which thread parses which sheet."""

    def __init__(self, book):
        self._book, self.parsed = book, []

    def get_sheet_by_name(self, name):
        self.parsed.append((name, threading.current_thread().name))
        return self._book.get_sheet_by_name(name)

    def __getattr__(self, name):
        return getattr(self._book, name)


def _source():
    members = [{"户编号": f"H{i:03d}", "姓名": f"成员{i}", "年龄": i} for i in range(300)]
    assessments = [{"户编号": f"H{i:03d}", "年度": 2016} for i in range(200)]
    return workbook(
        members, assessments, member_headers=["户编号", "姓名", "年龄"], assessment_headers=["户编号", "年度"]
    )


def _read_all(reader) -> dict:
    return {name: list(reader.rows(name)) for name in SHEETS}


def test_the_next_sheet_is_parsed_in_a_thread_once_and_reads_the_same():
    with WorkbookReader(_source()) as plain:
        expected = _read_all(plain)
    with WorkbookReader(_source()) as reader:
        reader.book = _RecordingBook(reader.book)
        reader.read_ahead(list(SHEETS))
        first = reader.rows(SHEETS[0])
        got = {SHEETS[0]: [next(first)]}
        assert SHEETS[1] in reader._ahead  # begun while the first sheet is read
        got[SHEETS[0]] += list(first)
        got[SHEETS[1]] = list(reader.rows(SHEETS[1]))
        parsed = reader.book.parsed
    assert got == expected and len(expected[SHEETS[0]]) == 301 and len(expected[SHEETS[1]]) == 201
    assert [name for name, _ in parsed] == list(SHEETS)
    assert parsed[0][1] == threading.current_thread().name
    assert parsed[1][1].startswith("workbook-read-ahead")


def test_a_broken_next_sheet_is_refused_when_it_is_read_in_the_callers_language():
    # A formula end tag makes the scan locate cells, and the XML is cut short: the sheet is damaged.
    broken = patch_sheet(
        _source(),
        [('<c r="B2" t="n"><v>2016</v></c>', '<c r="B2"><f>1+1</f><v>2016</v></c><c')],
        sheet="xl/worksheets/sheet2.xml",
    )
    messages = []
    for ahead in (False, True):
        with translation.override("en"), WorkbookReader(broken) as reader:
            if ahead:
                reader.read_ahead(list(SHEETS))
            assert len(list(reader.rows(SHEETS[0]))) == 301  # the first sheet reads whole
            with pytest.raises(WorkbookRejected) as exc:
                list(reader.rows(SHEETS[1]))
            messages.append((exc.value.message, exc.value.sheet))
    assert messages[0] == messages[1]
    assert messages[1][0].startswith('The content of sheet "年度收入" is damaged'), messages


def test_closing_with_a_sheet_still_being_prepared_waits_for_it():
    with WorkbookReader(_source()) as reader:
        reader.read_ahead(list(SHEETS))
        assert next(reader.rows(SHEETS[0]))[0] == 1
        pending = reader._ahead[SHEETS[1]]
    assert pending.done()


def test_a_next_sheet_declaring_too_many_rows_is_refused_without_being_parsed():
    """The declared-dimension limit comes before calamine's parse, in the thread as in the caller."""
    import dataclasses

    from core.excel.limits import Limits

    limits = dataclasses.replace(Limits.from_settings(), max_rows=400)
    source = patch_sheet(
        _source(),
        [('<dimension ref="A1:B201"/>', '<dimension ref="A1:B900001"/>')],
        sheet="xl/worksheets/sheet2.xml",
    )
    with WorkbookReader(source, limits) as reader:
        reader.book = _RecordingBook(reader.book)
        reader.read_ahead(list(SHEETS))
        assert len(list(reader.rows(SHEETS[0]))) == 301
        with pytest.raises(WorkbookRejected, match="共 900,001 行"):
            list(reader.rows(SHEETS[1]))
        parsed = [name for name, _ in reader.book.parsed]
    assert parsed == [SHEETS[0]]  # the sheet declaring 900,001 rows was never parsed
