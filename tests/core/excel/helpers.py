"""Building roster workbooks in tests, and fingerprints of the registry tables."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence
from typing import Any

from django.db import connection
from openpyxl import Workbook

from households.rosters import ASSESSMENTS, MEMBERS

MEMBER_HEADERS = MEMBERS.headers
ASSESSMENT_HEADERS = ASSESSMENTS.headers


def member_row(household, member: dict | None = None, **overrides) -> dict[str, Any]:
    """A 成员 row as a header -> value dict for a household of the given natural village."""
    nv = household["nv"]
    row = {
        "户编号": household["number"],
        "乡镇": nv.village.township.name,
        "行政村": nv.village.name,
        "自然村": nv.name,
        "姓名": "张三",
        "身份证号": "",
        "与户主关系": "户主",
        "性别": "男",
        "民族": "彝族",
        "文化程度": "小学",
        "在校生状况": "非在校生",
        "健康状况": "健康",
        "劳动能力": "普通劳动力",
        "务工状况": "未务工",
        "贫困户属性": "一般贫困户",
        "主要致贫原因": "因病",
        "识别年度": 2014,
        "联系电话": "13800000000",
        "贫困户状态": "未脱贫",
        "脱贫年度": None,
    }
    row.update(member or {})
    row.update(overrides)
    return row


def assessment_row(number: str, **overrides) -> dict[str, Any]:
    row = {
        "户编号": number,
        "年度": 2016,
        "工资性收入": 8000,
        "生产经营性收入": 4000,
        "财产性收入": 0,
        "转移性收入": 600,
        "生产经营性支出": 1000,
        **{h: "是" for h in ASSESSMENT_HEADERS[7:]},
    }
    row.update(overrides)
    return row


def workbook(
    members: Sequence[dict] | None = None,
    assessments: Sequence[dict] | None = None,
    *,
    member_headers: Sequence[str] = MEMBER_HEADERS,
    assessment_headers: Sequence[str] = ASSESSMENT_HEADERS,
    before: Sequence[Sequence[Any]] = (),
    edit=None,
) -> io.BytesIO:
    """An .xlsx in memory; ``edit(wb)`` may change it further (merges, formulas, formats)."""
    wb = Workbook()
    wb.remove(wb.active)
    if members is not None:
        ws = wb.create_sheet("成员")
        for row in before:
            ws.append(list(row))
        ws.append(list(member_headers))
        for m in members:
            ws.append([m.get(h.strip()) for h in member_headers])
    if assessments is not None:
        ws = wb.create_sheet("年度收入")
        ws.append(list(assessment_headers))
        for a in assessments:
            ws.append([a.get(h.strip()) for h in assessment_headers])
    if edit is not None:
        edit(wb)
    return saved(wb)


def named(data: bytes, name: str = "花名册.xlsx") -> io.BytesIO:
    """An uploaded file's bytes, with the name the upload gives them."""
    f = io.BytesIO(data)
    f.name = name
    return f


def saved(wb: Workbook) -> io.BytesIO:
    """The workbook as an uploaded .xlsx."""
    out = io.BytesIO()
    wb.save(out)
    return named(out.getvalue())


TABLES = ("households_household", "households_member", "households_assessment")
HISTORY = tuple(t.replace("households_", "households_historical") for t in TABLES)


def fingerprint(tables: Sequence[str] = TABLES + HISTORY) -> dict[str, tuple[int, str]]:
    """Row count and an md5 over every row of each table, ordered by its key (the registry tables and
    their history by default)."""
    result = {}
    with connection.cursor() as cursor:
        for table in tables:
            order = "history_id" if "historical" in table else "id"
            cursor.execute(f"SELECT * FROM {table} ORDER BY {order}")
            rows = cursor.fetchall()
            result[table] = (len(rows), hashlib.md5(repr(rows).encode()).hexdigest())
    return result


def patch_sheet(
    buffer: io.BytesIO, replacements: Sequence[tuple[str, str]], sheet: str = "xl/worksheets/sheet1.xml"
) -> io.BytesIO:
    """The same workbook with text replaced in one sheet's XML (for what openpyxl cannot write)."""
    import zipfile

    buffer.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == sheet:
                # openpyxl writes non-ASCII text as character references when lxml is installed:
                # read them as the characters, so the replacements match either way.
                text = re.sub(
                    r"&#(\d+);",
                    lambda m: chr(int(m.group(1))) if int(m.group(1)) > 127 else m.group(0),
                    data.decode(),
                )
                for old, new in replacements:
                    assert old in text, old
                    text = text.replace(old, new)
                data = text.encode()
            dst.writestr(info.filename, data)
    return named(out.getvalue())
