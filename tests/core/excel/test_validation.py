"""Each validation rule of the household roster, with a workbook broken in that one way.

Every case checks the error's sheet, row, column and message, and that the registry is byte-for-byte
unchanged afterwards (row counts and an md5 over the ordered rows of the tables and their history).
"""

import datetime

import pytest
from openpyxl.styles import Font

from accounts.models import Role
from households import choices
from households.roster_io import household_roster_import
from tests.core.excel.helpers import (
    ASSESSMENT_HEADERS,
    MEMBER_HEADERS,
    assessment_row,
    fingerprint,
    member_row,
    patch_sheet,
    workbook,
)
from tests.factories import (
    NaturalVillageFactory,
    UserFactory,
    VillageFactory,
    make_household,
    make_id_number,
    member_data,
)


@pytest.fixture
def ctx(db, place, admin):
    """A registered household (R0001, 张三 head + 李四妹 spouse) in ``place``, and a new one to import."""
    registered = make_household(household_number="R0001", natural_village=place)
    head, spouse = registered.members.order_by("id")
    new = {"number": "N0001", "nv": place}
    return {
        "place": place,
        "admin": admin,
        "registered": registered,
        "head_id": head.id_number,
        "spouse_id": spouse.id_number,
        "new": new,
        "male": make_id_number(sex="male"),
        "female": make_id_number(sex="female"),
    }


def family(c, **head_overrides):
    """A valid new household: a head and a spouse."""
    return [
        member_row(c["new"], **{"姓名": "王建华", "身份证号": c["male"], **head_overrides}),
        member_row(c["new"], 姓名="李秀英", 身份证号=c["female"], 与户主关系="配偶", 性别="女"),
    ]


def bad_id(check=False, birth=False, length=False):
    first17 = "53232819700101123"
    if birth:
        first17 = "53232819701332123"
    if length:
        return first17
    from core.idnumbers import check_char

    right = check_char(first17) if not birth else "0"
    return first17 + (("0" if right != "0" else "1") if check else right)


def _two_heads(c):
    rows = family(c)
    rows[1]["与户主关系"] = "户主"
    return workbook(rows)


def _merged_header(c):
    return workbook(family(c), edit=lambda wb: wb["成员"].merge_cells("A1:B1"))


def _merged_data(c):
    return workbook(family(c), edit=lambda wb: wb["成员"].merge_cells("A2:A3"))


def _formula_no_value(c):
    def edit(wb):
        wb["成员"]["Q2"] = "=2000+14"

    return workbook(family(c), edit=edit)


def _error_value(c):
    def edit(wb):
        wb["成员"]["Q2"] = "#N/A"

    return workbook(family(c), edit=edit)


def _unnamed_column(c):
    def edit(wb):
        wb["成员"]["V2"] = "备注内容"

    return workbook(family(c), edit=edit)


def _outside(role):
    def build(c):
        return workbook(family(c))

    return build


CASES = [
    # (id, build(ctx) -> workbook, expected sheet, row, column, message part)
    ("required_cell", lambda c: workbook(family(c, 姓名=None)), "成员", 2, "姓名", "不能为空"),
    ("required_cell_spaces", lambda c: workbook(family(c, 姓名="　 ")), "成员", 2, "姓名", "不能为空"),
    (
        "unknown_header",
        lambda c: workbook(family(c), member_headers=[*MEMBER_HEADERS, "备注"]),
        "成员",
        1,
        "备注",
        "未知的列",
    ),
    (
        "duplicate_header",
        lambda c: workbook(family(c), member_headers=[*MEMBER_HEADERS, "姓名"]),
        "成员",
        1,
        "姓名",
        "重复",
    ),
    (
        "missing_required_column",
        lambda c: workbook(family(c), member_headers=[h for h in MEMBER_HEADERS if h != "身份证号"]),
        "成员",
        1,
        "身份证号",
        "缺少必填列",
    ),
    (
        "id_check_digit",
        lambda c: workbook(family(c, 身份证号=bad_id(check=True))),
        "成员",
        2,
        "身份证号",
        "校验位",
    ),
    (
        "id_birth_date",
        lambda c: workbook(family(c, 身份证号=bad_id(birth=True))),
        "成员",
        2,
        "身份证号",
        "出生日期",
    ),
    (
        "id_length",
        lambda c: workbook(family(c, 身份证号=bad_id(length=True))),
        "成员",
        2,
        "身份证号",
        "18 位",
    ),
    (
        "id_as_number",
        lambda c: workbook(family(c, 身份证号=float(c["male"][:17]))),
        "成员",
        2,
        "身份证号",
        "存成了数字",
    ),
    (
        "id_masked",
        lambda c: workbook(family(c, 身份证号=c["male"][:6] + "********" + c["male"][-4:])),
        "成员",
        2,
        "身份证号",
        "含 *",
    ),
    ("sex_against_id", lambda c: workbook(family(c, 性别="女")), "成员", 2, "性别", "不符"),
    (
        "id_in_another_household",
        lambda c: workbook(family(c, 身份证号=c["head_id"])),
        "成员",
        2,
        "身份证号",
        "已登记在其他户（户编号 R0001）",
    ),
    (
        "id_twice_in_file",
        lambda c: workbook(
            [*family(c), member_row(c["new"], 姓名="重复", 身份证号=c["male"], 与户主关系="之子")]
        ),
        "成员",
        4,
        "身份证号",
        "与第 2 行重复",
    ),
    ("no_head", lambda c: workbook(family(c, 与户主关系="之子")), "成员", 2, "与户主关系", "没有户主"),
    ("two_heads", _two_heads, "成员", 3, "与户主关系", "2 名户主"),
    (
        "registered_head_not_in_file",
        lambda c: workbook(
            [
                member_row(
                    {"number": "R0001", "nv": c["place"]},
                    姓名="新户主",
                    身份证号=c["male"],
                    与户主关系="户主",
                )
            ]
        ),
        "成员",
        2,
        "与户主关系",
        "已登记户主 张三",
    ),
    (
        "household_columns_disagree",
        lambda c: workbook([family(c)[0], {**family(c)[1], "贫困户属性": "低保贫困户"}]),
        "成员",
        3,
        "贫困户属性",
        "与本户（户编号 N0001）第 2 行不一致",
    ),
    ("township_unknown", lambda c: workbook(family(c, 乡镇="不存在乡")), "成员", 2, "乡镇", "不存在"),
    ("village_unknown", lambda c: workbook(family(c, 行政村="不存在村")), "成员", 2, "行政村", "不在"),
    (
        "natural_village_unknown",
        lambda c: workbook(family(c, 自然村="不存在组")),
        "成员",
        2,
        "自然村",
        "不在",
    ),
    (
        "enum_not_in_list",
        lambda c: workbook(family(c, 与户主关系="表弟")),
        "成员",
        2,
        "与户主关系",
        "不是可选值",
    ),
    (
        "health_not_in_list",
        lambda c: workbook(family(c, 健康状况="健康、感冒")),
        "成员",
        2,
        "健康状况",
        "“感冒”不是可选值",
    ),
    ("ethnicity_not_in_list", lambda c: workbook(family(c, 民族="火星族")), "成员", 2, "民族", "不是可选值"),
    ("ethnicity_blank", lambda c: workbook(family(c, 民族=None)), "成员", 2, "民族", "不能为空"),
    (
        "year_not_a_number",
        lambda c: workbook(family(c, 识别年度="二〇一四")),
        "成员",
        2,
        "识别年度",
        "应为年份",
    ),
    (
        "year_out_of_range",
        lambda c: workbook(family(c, 识别年度=2012)),
        "成员",
        2,
        "识别年度",
        "不能小于 2013",
    ),
    ("text_too_long", lambda c: workbook(family(c, 姓名="长" * 51)), "成员", 2, "姓名", "不能超过 50 个字符"),
    (
        "phone_not_a_number",
        lambda c: workbook(family(c, 联系电话="一三八")),
        "成员",
        2,
        "联系电话",
        "只能包含数字",
    ),
    (
        "exited_without_year",
        lambda c: workbook(family(c, 贫困户状态="已脱贫")),
        "成员",
        2,
        "脱贫年度",
        "必须填写脱贫年度",
    ),
    (
        "exit_before_identified",
        lambda c: workbook(
            [{**r, "贫困户状态": "已脱贫", "脱贫年度": 2014, "识别年度": 2015} for r in family(c)]
        ),
        "成员",
        2,
        "脱贫年度",
        "早于识别年度",
    ),
    (
        "status_change_on_registered",
        lambda c: workbook(
            [
                member_row(
                    {"number": "R0001", "nv": c["place"]},
                    姓名="张三",
                    身份证号=c["head_id"],
                    贫困户状态="已脱贫",
                    脱贫年度=2016,
                ),
            ]
        ),
        "成员",
        2,
        "贫困户状态",
        "不能通过导入变更",
    ),
    ("formula_without_value", _formula_no_value, "成员", 2, "识别年度", "公式"),
    ("excel_error_value", _error_value, "成员", 2, "识别年度", "错误值 #N/A"),
    ("merged_header", _merged_header, "成员", 1, "户编号", "合并单元格"),
    ("merged_data_cells", _merged_data, "成员", 2, "A", "合并单元格"),
    ("data_without_header", _unnamed_column, "成员", 1, "V", "没有表头"),
    # 年度收入
    (
        "negative_amount",
        lambda c: workbook(family(c), [assessment_row("N0001", 工资性收入=-5)]),
        "年度收入",
        2,
        "工资性收入",
        "不能为负数",
    ),
    (
        "amount_not_a_number",
        lambda c: workbook(family(c), [assessment_row("N0001", 财产性收入="五百")]),
        "年度收入",
        2,
        "财产性收入",
        "应为数字",
    ),
    (
        "bool_not_yes_no",
        lambda c: workbook(family(c), [assessment_row("N0001", 不愁吃="还行")]),
        "年度收入",
        2,
        "不愁吃",
        "是",
    ),
    (
        "assessment_unknown_household",
        lambda c: workbook(None, [assessment_row("X9999")]),
        "年度收入",
        2,
        "户编号",
        "未登记",
    ),
    (
        "assessment_twice",
        lambda c: workbook(None, [assessment_row("R0001"), assessment_row("R0001")]),
        "年度收入",
        3,
        "年度",
        "与第 2 行重复",
    ),
    (
        "assessment_year_without_line",
        lambda c: workbook(None, [assessment_row("R0001", 年度=2030)]),
        "年度收入",
        2,
        "年度",
        "尚未设定扶贫标准",
    ),
    (
        "assessment_missing_column",
        lambda c: workbook(None, [assessment_row("R0001")], assessment_headers=ASSESSMENT_HEADERS[:-1]),
        "年度收入",
        1,
        "饮水安全有保障",
        "缺少必填列",
    ),
]


@pytest.mark.parametrize(
    ("build", "sheet", "row", "column", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rule(ctx, build, sheet, row, column, message):
    before = fingerprint()
    outcome = household_roster_import(user=ctx["admin"], source=build(ctx), dry_run=False)
    found = [
        e
        for e in outcome.errors.as_list()
        if e["sheet"] == sheet and e["row"] == row and e["column"] == column
    ]
    assert found, outcome.errors.as_list()
    assert any(message in e["message"] for e in found), found
    assert not outcome.written
    assert fingerprint() == before


def test_township_outside_scope(ctx):
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=VillageFactory().township)
    before = fingerprint()
    outcome = household_roster_import(user=official, source=workbook(family(ctx)), dry_run=False)
    (error,) = [e for e in outcome.errors.as_list() if e["column"] == "乡镇"]
    assert error["row"] == 2 and "不在您的管辖范围内" in error["message"]
    assert fingerprint() == before


def test_village_outside_scope(ctx):
    other = VillageFactory(township=ctx["place"].village.township)
    official = UserFactory(role=Role.VILLAGE_OFFICIAL, village=other)
    before = fingerprint()
    outcome = household_roster_import(user=official, source=workbook(family(ctx)), dry_run=False)
    (error,) = [e for e in outcome.errors.as_list() if e["column"] == "行政村"]
    assert "不在您的管辖范围内" in error["message"]
    assert fingerprint() == before


def test_registered_household_outside_scope(ctx):
    """A township official may not touch a household registered elsewhere, even by naming their own place."""
    mine = NaturalVillageFactory()
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=mine.village.township)
    rows = [member_row({"number": "R0001", "nv": mine}, 姓名="张三", 身份证号=ctx["head_id"])]
    before = fingerprint()
    outcome = household_roster_import(user=official, source=workbook(rows), dry_run=False)
    (error,) = outcome.errors.as_list()
    assert (error["row"], error["column"]) == (2, "户编号") and "管辖范围以外" in error["message"]
    assert fingerprint() == before


def test_role_that_cannot_import(ctx):
    inspector = UserFactory(role=Role.INSPECTOR)
    before = fingerprint()
    outcome = household_roster_import(user=inspector, source=workbook(family(ctx)), dry_run=False)
    assert "不能导入" in outcome.errors.as_list()[0]["message"]
    assert fingerprint() == before


def test_one_bad_row_writes_nothing(ctx):
    """All or nothing: 50 good households and one bad cell, and nothing is written."""
    rows = []
    for n in range(50):
        hh = {"number": f"B{n:04d}", "nv": ctx["place"]}
        rows.append(member_row(hh, 姓名="户主", 身份证号=make_id_number()))
    rows.append(member_row({"number": "B9999", "nv": ctx["place"]}, 身份证号=bad_id(check=True)))
    before = fingerprint()
    outcome = household_roster_import(user=ctx["admin"], source=workbook(rows), dry_run=False)
    assert len(outcome.errors) == 1
    assert outcome.counts["households"]["created"] == 50  # the preview still counts what would happen
    assert fingerprint() == before


# -- normalised, not errors ---------------------------------------------------------------------------------


def test_full_width_and_spaces_are_normalised(ctx):
    full_width = ctx["male"].translate({0x30 + i: 0xFF10 + i for i in range(10)})
    rows = family(ctx, 身份证号=f" {full_width}　", 识别年度="２０１４", 姓名=" 王建华 ")
    rows[0]["与户主关系"] = " 户 主 "
    headers = [f" {h}　" if i % 2 else h.replace("户", "户") for i, h in enumerate(MEMBER_HEADERS)]
    outcome = household_roster_import(
        user=ctx["admin"], source=workbook(rows, member_headers=headers), dry_run=False
    )
    assert not outcome.errors, outcome.errors.as_list()
    household = ctx["registered"].__class__.objects.get(household_number="N0001")
    head = household.members.get(relation=choices.Relation.HEAD)
    assert (head.id_number, head.name, household.identified_year) == (ctx["male"], "王建华", 2014)


def test_aliases_title_rows_and_rows_past_the_data(ctx):
    rows = family(ctx, 性别="男性", 贫困户属性="五保贫困户")
    rows[1]["性别"] = "女性"
    rows[1]["贫困户属性"] = "五保贫困户"

    def edit(wb):
        ws = wb["成员"]
        for r in range(7, 40):  # formatted but empty rows past the data (title, blank, header, 2 rows)
            ws.cell(row=r, column=1).font = Font(bold=True)
            ws.cell(row=r, column=3).value = "  "

    source = workbook(rows, before=[["元谋县建档立卡贫困户花名册"], []], edit=edit)
    outcome = household_roster_import(user=ctx["admin"], source=source, dry_run=False)
    assert not outcome.errors, outcome.errors.as_list()
    household = ctx["registered"].__class__.objects.get(household_number="N0001")
    assert household.attribute == choices.Attribute.EXTREME
    assert outcome.counts["members"]["created"] == 2


def test_formula_with_cached_value_is_read(ctx):
    source = patch_sheet(
        workbook(family(ctx)),
        [('<c r="Q2" t="n"><v>2014</v></c>', '<c r="Q2"><f>2000+14</f><v>2014</v></c>')],
    )
    outcome = household_roster_import(user=ctx["admin"], source=source, dry_run=False)
    assert not outcome.errors, outcome.errors.as_list()


def test_sex_blank_is_taken_from_the_id(ctx):
    outcome = household_roster_import(
        user=ctx["admin"], source=workbook(family(ctx, 性别=None)), dry_run=False
    )
    assert not outcome.errors
    member = ctx["registered"].members.model.objects.get(id_number=ctx["male"])
    assert member.sex == choices.Sex.MALE


def test_date_cells_in_an_integer_column_are_reported(ctx):
    outcome = household_roster_import(
        user=ctx["admin"], source=workbook(family(ctx, 识别年度=datetime.datetime(2014, 1, 1))), dry_run=True
    )
    assert any("应为年份" in e["message"] for e in outcome.errors.as_list())


def test_member_data_factory_is_importable(ctx):
    """A member made by the factories (the real service) matches by ID number on import."""
    data = member_data(name="赵六")
    rows = [member_row({"number": "R0001", "nv": ctx["place"]}, 姓名="张三", 身份证号=ctx["head_id"])]
    rows.append(
        member_row(
            {"number": "R0001", "nv": ctx["place"]}, 姓名="赵六", 身份证号=data.id_number, 与户主关系="之子"
        )
    )
    outcome = household_roster_import(user=ctx["admin"], source=workbook(rows), dry_run=False)
    assert not outcome.errors, outcome.errors.as_list()
    members = outcome.counts["members"]
    assert members["created"] == 1 and members["updated"] + members["unchanged"] == 1
