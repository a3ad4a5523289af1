"""Files that are not a readable roster: each gets a clear message, nothing is written, nothing raises."""

import io
import zipfile

import pytest

from core.models import ImportRecord
from core.rosters.imports import roster_import
from households.models import Member
from households.roster_io import household_roster_import
from tests.core.excel.formats import to_ods, to_xls, upload
from tests.core.excel.helpers import MEMBER_HEADERS, fingerprint, member_row, named, workbook
from tests.factories import make_household, make_id_number


def _sheet_xlsx(sheet_xml_parts, *, compress=zipfile.ZIP_DEFLATED) -> io.BytesIO:
    """A minimal .xlsx whose one sheet 成员 is written from XML parts (streamed: may be large)."""
    template = workbook([], member_headers=MEMBER_HEADERS)
    out = io.BytesIO()
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(out, "w", compress) as dst:
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with dst.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                    for part in sheet_xml_parts:
                        sheet.write(part.encode())
            else:
                dst.writestr(info.filename, src.read(info.filename))
    out.seek(0)
    out.name = "花名册.xlsx"
    return out


HEAD = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _rows(n: int, dimension: bool):
    yield HEAD
    if dimension:
        yield f'<dimension ref="A1:A{n}"/>'
    yield "<sheetData>"
    yield '<row r="1"><c r="A1" t="inlineStr"><is><t>户编号</t></is></c></row>'
    for start in range(2, n + 1, 10000):
        yield "".join(
            f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(start, min(start + 10000, n + 1))
        )
    yield "</sheetData></worksheet>"


@pytest.fixture
def registry(db, place):
    make_household(household_number="R0001", natural_village=place)
    return fingerprint()


def _only_error(user, source):
    outcome = household_roster_import(user=user, source=source, dry_run=False)
    errors = outcome.errors.as_list()
    assert len(errors) == 1, errors
    return errors[0]


def test_xls(admin, registry):
    error = _only_error(admin, named(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000, "花名册.xls"))
    assert "Excel 97-2003" in error["message"] and ".xlsx" in error["message"]
    assert fingerprint() == registry


def test_password_protected(admin, registry):
    data = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 1000
        + "EncryptedPackage".encode("utf-16-le")
        + b"\0" * 100
    )
    error = _only_error(admin, named(data))
    assert "密码" in error["message"]
    assert fingerprint() == registry


def test_csv_renamed(admin, registry):
    error = _only_error(admin, named("户编号,姓名\nH1,张三\n".encode("gbk")))
    assert "CSV" in error["message"]
    assert fingerprint() == registry


def test_html_renamed(admin, registry):
    error = _only_error(admin, named(b"<html><table><tr><td>1</td></tr></table></html>"))
    assert "HTML" in error["message"]


def test_empty_file(admin, registry):
    error = _only_error(admin, named(b""))
    assert "文件为空" in error["message"]
    assert fingerprint() == registry


def test_corrupt_zip(admin, registry):
    error = _only_error(admin, named(b"PK\x03\x04" + b"garbage" * 100))
    assert "损坏" in error["message"]
    assert fingerprint() == registry


def test_zip_that_is_not_a_workbook(admin, registry):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "hello")
    error = _only_error(admin, named(out.getvalue()))
    assert "不是 Excel 工作簿" in error["message"]


def test_a_million_rows_refused_before_reading(admin, registry):
    error = _only_error(admin, _sheet_xlsx(_rows(1_048_576, dimension=True)))
    assert (error["sheet"], error["row"]) == ("成员", None)
    assert "1,048,576 行" in error["message"] and "上限" in error["message"]
    assert fingerprint() == registry


def test_row_limit_counted_when_the_sheet_declares_no_dimension(admin, registry, settings):
    settings.ROSTER_MAX_ROWS = 1000
    outcome = household_roster_import(
        user=admin, source=_sheet_xlsx(_rows(5000, dimension=False)), dry_run=False
    )
    (error,) = [e for e in outcome.errors.as_list() if "上限" in e["message"]]
    assert error["sheet"] == "成员" and error["row"] == 1002 and "上限 1,000 行" in error["message"]
    assert fingerprint() == registry


def test_zip_bomb_refused_before_reading(admin, registry):
    bomb = _sheet_xlsx([HEAD, "<sheetData>", " " * (40 * 1048576), "</sheetData></worksheet>"])
    assert len(bomb.getvalue()) < 1048576  # 40 MB of XML in well under 1 MB
    error = _only_error(admin, bomb)
    assert "压缩炸弹" in error["message"]
    assert fingerprint() == registry


def test_total_size_limit(admin, registry, settings, place):
    settings.ROSTER_MAX_UNCOMPRESSED_BYTES = 1000
    error = _only_error(admin, workbook([member_row({"number": "N1", "nv": place})]))
    assert "解压后" in error["message"] and "超过上限" in error["message"]
    assert fingerprint() == registry


def test_upload_too_large_is_not_stored(admin, registry, settings):
    settings.ROSTER_MAX_BYTES = 100
    record = roster_import(user=admin, file=workbook([]), dry_run=True)
    assert record.state == ImportRecord.State.FAILED and not record.file
    assert "超过上限" in record.errors[0]["message"]
    assert fingerprint() == registry


def test_only_the_header(admin, registry):
    error = _only_error(admin, workbook([]))
    assert "只有表头" in error["message"]


def test_no_roster_sheet(admin, registry):
    def rename(wb):
        wb["成员"].title = "Sheet1"

    error = _only_error(admin, workbook([], edit=rename))
    assert "没有“成员”或“年度收入”工作表" in error["message"] and "Sheet1" in error["message"]


def test_no_header_row(admin, registry):
    error = _only_error(admin, workbook([], member_headers=["甲", "乙"]))
    assert "未找到表头行" in error["message"] and error["sheet"] == "成员"


def test_bad_file_through_the_service_keeps_a_record(admin, registry):
    record = roster_import(user=admin, file=named(b"a,b\n1,2\n", "名单.xlsx"), dry_run=True)
    record.refresh_from_db()
    assert record.state == ImportRecord.State.FAILED
    assert record.original_name == "名单.xlsx" and record.created_by == admin
    assert "CSV" in record.errors[0]["message"]
    assert not record.error_file  # nothing readable to mark
    assert fingerprint() == registry


def test_a_good_row_after_a_bad_file_check_still_imports(admin, place):
    """The checks don't leave state behind: a valid file right after a refused one imports."""
    _only_error(admin, named(b""))
    rows = [member_row({"number": "N1", "nv": place}, 身份证号=make_id_number())]
    outcome = household_roster_import(user=admin, source=workbook(rows), dry_run=False)
    assert not outcome.errors and outcome.written


# -- the other formats: .xls (Excel 97-2003, WPS) and .ods are read, and refused for the same reasons -----


def _family(place):
    return [
        member_row({"number": "N1", "nv": place}, 身份证号=make_id_number()),
        member_row(
            {"number": "N1", "nv": place}, 姓名="李秀英", 身份证号=make_id_number(sex="female"),
            与户主关系="配偶", 性别="女",
        ),
    ]  # fmt: skip


@pytest.mark.parametrize("convert", [to_xls, to_ods], ids=["xls", "ods"])
def test_other_formats_import(admin, place, convert):
    outcome = household_roster_import(user=admin, source=convert(workbook(_family(place))), dry_run=False)
    assert not outcome.errors, outcome.errors.as_list()
    assert outcome.written and Member.objects.filter(household__household_number="N1").count() == 2


@pytest.mark.parametrize("convert", [to_xls, to_ods], ids=["xls", "ods"])
def test_other_formats_report_the_cell(admin, registry, place, convert):
    rows = _family(place)
    rows[1]["民族"] = "火星族"
    error = _only_error(admin, convert(workbook(rows)))
    assert (error["sheet"], error["row"], error["column"]) == ("成员", 3, "民族")
    assert "不是可选值" in error["message"]
    assert fingerprint() == registry


def test_xls_merged_header(admin, registry, place):
    outcome = household_roster_import(
        user=admin, source=to_xls(workbook(_family(place)), merge=(0, 0, 0, 1)), dry_run=False
    )
    assert any("合并单元格" in e["message"] and e["row"] == 1 for e in outcome.errors.as_list())
    assert fingerprint() == registry


def test_xls_merged_data_cells(admin, registry, place):
    outcome = household_roster_import(
        user=admin, source=to_xls(workbook(_family(place)), merge=(1, 2, 0, 0)), dry_run=False
    )
    assert any("合并单元格" in e["message"] and e["row"] == 2 for e in outcome.errors.as_list())
    assert fingerprint() == registry


def test_xls_truncated(admin, registry, place):
    data = to_xls(workbook(_family(place))).getvalue()
    error = _only_error(admin, upload(data[: len(data) // 2], "花名册.xls"))
    assert ".xls" in error["message"] and "无法读取" in error["message"]
    assert fingerprint() == registry


def test_xls_too_large(admin, registry, place, settings):
    source = to_xls(workbook(_family(place)))
    settings.ROSTER_MAX_BYTES = len(source.getvalue()) - 1
    error = _only_error(admin, source)
    assert "超过上限" in error["message"]
    assert fingerprint() == registry


def test_ods_error_value(admin, registry, place):
    outcome = household_roster_import(
        user=admin, source=to_ods(workbook(_family(place)), errors={(1, 16): True}), dry_run=False
    )
    (error,) = outcome.errors.as_list()
    assert (error["row"], error["column"]) == (2, "识别年度") and "错误值 #N/A" in error["message"]
    assert fingerprint() == registry


def test_ods_encrypted(admin, registry, place):
    error = _only_error(admin, to_ods(workbook(_family(place)), encrypted=True))
    assert "密码" in error["message"]
    assert fingerprint() == registry


def test_ods_zip_bomb(admin, registry):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("content.xml", " " * (40 * 1048576))
    error = _only_error(admin, upload(out.getvalue(), "花名册.ods"))
    assert "压缩炸弹" in error["message"]
    assert fingerprint() == registry


def test_ods_too_large_inflated(admin, registry, place, settings):
    settings.ROSTER_MAX_UNCOMPRESSED_BYTES = 1000
    error = _only_error(admin, to_ods(workbook(_family(place))))
    assert "解压后" in error["message"] and "超过上限" in error["message"]
    assert fingerprint() == registry


def test_ods_broken_content(admin, registry):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("content.xml", "<office:document-content><table:table")
    error = _only_error(admin, upload(out.getvalue(), "花名册.ods"))
    assert "损坏" in error["message"]
    assert fingerprint() == registry


def test_odt_is_not_a_spreadsheet(admin, registry):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        z.writestr("content.xml", "<x/>")
    error = _only_error(admin, upload(out.getvalue(), "花名册.odt"))
    assert "不是表格" in error["message"]
