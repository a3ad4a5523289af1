"""The engine's parts on their own: parsers, normalisation, header matching, the reader."""

import datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from core.excel.columns import CellError
from core.excel.normalise import compact, key, strip
from core.excel.parsers import Amount, Bool, Date, Enum, IdNumber, Integer, MultiEnum, Text
from core.excel.reader import FORMULA_NO_VALUE, column_index, column_letter
from core.excel.reader import WorkbookReader as XlsxReader
from households import choices
from tests.core.excel.helpers import patch_sheet, saved, workbook


@pytest.mark.parametrize(
    "raw",
    [datetime.datetime(2016, 7, 14), "2016-07-14", "2016/7/14", "2016年7月14日", "2016.7.14", "20160714", 42565,
     "２０１６－０７－１４".replace("－", "-"), " 2016-07-14 "],
)  # fmt: skip
def test_dates(raw):
    assert Date().parse(raw) == datetime.date(2016, 7, 14)


@pytest.mark.parametrize("raw", ["2016-02-30", "14/07/2016", "昨天"])
def test_bad_dates(raw):
    with pytest.raises(CellError):
        Date().parse(raw)


def test_numbers():
    assert (
        Integer().parse("２０１４") == 2014
        and Integer().parse(2014.0) == 2014
        and Integer().parse("2014年") == 2014
    )
    with pytest.raises(CellError, match="应为整数"):
        Integer().parse(2014.5)
    assert Amount().parse("1,234.5") == Decimal("1234.50") and Amount().parse(0.1 + 0.2) == Decimal("0.30")
    with pytest.raises(CellError, match="负数"):
        Amount().parse(-1)
    with pytest.raises(CellError, match="应为数字"):
        Amount().parse("NaN")


def test_enums_and_bools():
    relation = Enum(choices.Relation)
    assert relation.parse(" 户主 ") == "head" and relation.to_cell("head") == "户主"
    assert Enum(choices.MigrantWork).parse("乡(镇)内务工") == "in_township"  # half-width brackets
    assert Enum(choices.Attribute, aliases=choices.ALIASES).parse("五保贫困户") == "tekun"
    assert MultiEnum(choices.Health).parse("残疾，长期慢性病") == ["chronic", "disabled"]
    assert [Bool().parse(v) for v in ("是", "否", True, 0, "√")] == [True, False, True, False, True]


def test_text_and_ids():
    assert Text(20, code=True).parse(" 138 0000 0000 ") == "13800000000"
    assert Text(20, code=True).parse(5323280010010001.0) == "5323280010010001"
    assert IdNumber().parse(" 53232819700101101x ") == "53232819700101101X"


def test_normalise():
    assert strip("\u3000张三\u00a0") == "张三"
    assert compact("５３２３ ２８") == "532328"
    assert key("身份证号　") == key(" 身份证号") == "身份证号"


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 701)] == ["A", "Z", "AA", "ZZ"]
    assert all(column_index(column_letter(i)) == i for i in range(1000))


def test_reader_values_gaps_and_shared_strings():
    def edit(wb):
        ws = wb["成员"]
        ws["A5"] = "右"
        ws["D5"] = 3.5
        ws["E5"] = True
        ws["F5"] = datetime.datetime(2016, 7, 14)

    source = workbook([], member_headers=["户编号"], edit=edit)
    with XlsxReader(source) as reader:
        rows = list(reader.rows("成员"))
    assert rows[0] == (1, ["户编号"])
    assert rows[1] == (5, ["右", None, None, 3.5, True, datetime.datetime(2016, 7, 14)])


def test_reader_inline_strings_and_cached_formulas():
    source = patch_sheet(
        workbook([], member_headers=["户编号", "年度"]),
        [('<c r="B1" t="inlineStr"><is><t>年度</t></is></c>', '<c r="B1" t="inlineStr"><is><r><t>年</t></r><r><t>度</t></r></is></c>'
          '<c r="C1" t="str"><f>A1&amp;"x"</f><v>户编号x</v></c>')],
    )  # fmt: skip
    with XlsxReader(source) as reader:
        assert list(reader.rows("成员")) == [(1, ["户编号", "年度", "户编号x"])]


def test_repeated_texts_are_parsed_once_but_every_bad_cell_is_reported(place):
    from core.excel.engine import read_sheet
    from core.excel.errors import Errors
    from households.rosters import MEMBERS
    from tests.core.excel.helpers import member_row

    rows = [member_row({"number": f"N{i}", "nv": place}, 民族="火星族", 健康状况="残疾") for i in range(3)]
    errors = Errors()
    with XlsxReader(workbook(rows)) as reader:
        data = read_sheet(reader, MEMBERS, errors)
    assert [e.row for e in errors.items if e.column == "民族"] == [2, 3, 4]
    health = [values[data.index("health")] for _, values in data.rows]
    assert health[0] == health[1] == ["disabled"] and health[0] is not health[1]  # lists are not shared


def test_a_shared_formula_cell_without_a_value_is_found():
    """Only the cell that holds a shared formula has an end tag (</f>); the cells sharing it are
    <f t="shared" si="0"/>. The scan for markers finds the first, then every cell is located."""
    from core.excel.reader import FORMULA_NO_VALUE

    def edit(wb):
        ws = wb["成员"]
        ws["A2"], ws["B2"], ws["A3"], ws["B3"] = "x", 2016, "y", 2017

    source = patch_sheet(
        workbook([], member_headers=["户编号", "年度"], edit=edit),
        [
            (
                '<c r="B2" t="n"><v>2016</v></c>',
                '<c r="B2"><f t="shared" ref="B2:B3" si="0">2000+16</f><v>2016</v></c>',
            ),
            ('<c r="B3" t="n"><v>2017</v></c>', '<c r="B3"><f t="shared" si="0"/></c>'),
        ],
    )
    with XlsxReader(source) as reader:
        rows = list(reader.rows("成员"))
    assert rows[1] == (2, ["x", 2016])
    assert rows[2] == (3, ["y", FORMULA_NO_VALUE])


def test_an_error_cell_is_never_taken_for_the_same_text(place):
    """The engine remembers parsed texts; an error value (#N/A) that reads like a remembered text is
    still an error, and True in a number column is not the remembered 1."""
    from core.excel.engine import read_sheet
    from core.excel.errors import Errors
    from core.excel.reader import ExcelError
    from households.rosters import ASSESSMENTS, MEMBERS
    from tests.core.excel.helpers import assessment_row, member_row

    assert ExcelError("#N/A") != "#N/A" and "#N/A" != ExcelError("#N/A")
    assert ExcelError("#N/A") == ExcelError("#N/A") and len({ExcelError("#N/A"), "#N/A"}) == 2

    def edit(wb):
        ws = wb["成员"]
        ws["E2"], ws["E3"] = "#N/A", "#N/A"  # openpyxl writes both as error cells
        ws["E2"].data_type = "s"  # the first one as a text

    rows = [member_row({"number": f"N{i}", "nv": place}) for i in range(2)]
    source = workbook(
        rows, [assessment_row("N0", 工资性收入=1), assessment_row("N1", 工资性收入=True)], edit=edit
    )
    errors = Errors()
    with XlsxReader(source) as reader:
        members = read_sheet(reader, MEMBERS, errors)
        read_sheet(reader, ASSESSMENTS, errors)
    assert members.rows[0][1][members.index("name")] == "#N/A"
    found = [e for e in errors.sorted() if e.column in ("姓名", "工资性收入")]
    assert [(e.sheet, e.row, e.column) for e in found] == [("年度收入", 3, "工资性收入"), ("成员", 3, "姓名")]
    assert "应为数字" in found[0].message and "错误值 #N/A" in found[1].message


def test_a_null_character_is_a_cell_error_not_a_database_error():
    """An .xls can hold a NUL in a text cell; PostgreSQL cannot store one (Django's forms refuse it)."""
    import pytest
    from django.utils import translation

    from core.excel.columns import CellError
    from core.excel.parsers import Text

    with translation.override("zh-hans"), pytest.raises(CellError, match="空字符"):
        Text(50).parse("张\x00三")
    with translation.override("en"), pytest.raises(CellError, match="null character"):
        Text(30, code=True).parse("N\x000001")
    assert Text(50).parse(" 张三 ") == "张三"


def test_blank_rows_and_columns_above_and_left_of_the_table_keep_every_row_number(place):
    """calamine hands back the empty rows above the first used one but not the empty columns left of the
    first used one: errors and error cells must still name the sheet's own rows."""
    from core.excel.engine import read_sheet
    from core.excel.errors import Errors
    from households.rosters import MEMBERS
    from tests.core.excel.helpers import member_row

    def edit(wb):
        ws = wb["成员"]
        ws.insert_rows(1, amount=2)  # the headers on row 3, the members on rows 4 and 5
        ws["E5"] = "#N/A"  # an error cell in the second member's 姓名

    rows = [
        member_row({"number": f"N{i}", "nv": place}, 民族="火星族" if i == 0 else "汉族") for i in range(2)
    ]
    errors = Errors()
    with XlsxReader(workbook(rows, edit=edit)) as reader:
        data = read_sheet(reader, MEMBERS, errors)
    assert data.header_row == 3 and [number for number, _ in data.rows] == [4, 5]
    found = [e for e in errors.sorted() if e.column in ("民族", "姓名")]
    assert [(e.row, e.column) for e in found] == [(4, "民族"), (5, "姓名")]
    assert "错误值 #N/A" in found[1].message

    def shifted(wb):
        ws = wb.active
        ws.title = "表"
        ws["C4"], ws["D4"], ws["C6"] = "户编号", "年度", "=1+1"  # a formula without a value on row 6

    wb = Workbook()
    shifted(wb)
    with XlsxReader(saved(wb)) as reader:
        assert list(reader.rows("表")) == [
            (4, [None, None, "户编号", "年度"]),
            (6, [None, None, FORMULA_NO_VALUE]),
        ]
