"""Files that are not a readable roster, for every one-sheet roster: a clear Chinese message, nothing
written, nothing raised; and every roster is in the registry with the contract's callables."""

import io

import pytest

from assignments.rosters import PAIRINGS, REVISITS
from core.excel.registry import roster_entry
from projects.rosters import PARTICIPANTS, PROJECTS, RELOCATIONS
from tests.core.excel.helpers import named
from tests.core.excel.roster_helpers import TABLES, fingerprint, sheet_workbook

SHEETS = {
    "pairings": PAIRINGS,
    "revisits": REVISITS,
    "projects": PROJECTS,
    "relocations": RELOCATIONS,
    "training": PARTICIPANTS,
}


def _without_a_required_column(sheet):
    dropped = next(c.header for c in sheet.columns if c.required and c.header != sheet.anchor)
    headers = [h for h in sheet.headers if h != dropped]
    return sheet_workbook(sheet, [dict.fromkeys(headers, "2016")], headers=headers)


BAD = [
    ("empty", lambda s: named(b""), "文件为空"),
    ("csv", lambda s: named("户编号,干部\nP1,李明\n".encode()), "不是 Excel 工作簿"),
    ("xls", lambda s: named(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), ".xls"),
    ("broken_zip", lambda s: named(b"PK\x03\x04 broken"), "已损坏"),
    ("wrong_sheet", lambda s: sheet_workbook(s, [], name="Sheet1"), "工作簿中没有"),
    ("headers_only", lambda s: sheet_workbook(s, []), "只有表头"),
    ("missing_required_column", lambda s: _without_a_required_column(s), "缺少必填列"),
    ("no_header_row", lambda s: sheet_workbook(s, [], headers=["甲", "乙"]), "未找到表头行"),
]


@pytest.mark.parametrize("key", list(SHEETS))
@pytest.mark.parametrize(("build", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_unreadable_files(admin, key, build, message):
    before = fingerprint(key)
    outcome = roster_entry(key).call("importer", user=admin, source=build(SHEETS[key]), dry_run=False)
    assert outcome.errors and not outcome.written
    assert any(message in e["message"] for e in outcome.errors.as_list()), outcome.errors.as_list()
    assert set(outcome.totals()) >= {"created", "updated", "unchanged"}
    assert fingerprint(key) == before


@pytest.mark.parametrize("key", list(SHEETS))
def test_registry_contract(admin, key):
    entry = roster_entry(key)
    # revisits: only the county enters paper records (issue 11, finding 8: only cadres change revisits)
    expected = ("county_admin",) if key == "revisits" else ("county_admin", "township_official")
    assert entry.roles == expected and key in TABLES
    stream = io.BytesIO()
    entry.call("template", user=admin, stream=stream)
    assert stream.getvalue()[:2] == b"PK"
    stream = io.BytesIO()
    written = entry.call("exporter", user=admin, queryset=None, stream=stream)
    assert isinstance(written, dict) and "masked" in written
