"""The one roster export (xlsxwriter, constant memory): drop-downs, instructions, text stays text."""

import io

from openpyxl import load_workbook

from households.models import Household, Member
from households.roster_io import households_export
from tests.core.excel.roster_helpers import validated_columns
from tests.factories import make_household


def test_export_has_drop_downs_instructions_and_hidden_choices(admin, place):
    make_household(natural_village=place)
    stream = io.BytesIO()
    written = households_export(user=admin, queryset=Household.objects.all(), stream=stream)
    assert written["members"] == 2
    wb = load_workbook(io.BytesIO(stream.getvalue()))
    assert wb.sheetnames == ["成员", "年度收入", "填写说明", "选项"]
    assert wb["选项"].sheet_state == "hidden"
    assert {"G", "H"} <= validated_columns(wb["成员"])  # 与户主关系, 性别
    assert wb["成员"].freeze_panes == "A2"
    assert "本文件可修改后直接导入" in " ".join(
        str(c) for row in wb["填写说明"].iter_rows(values_only=True) for c in row if c
    )


def test_text_that_looks_like_a_formula_stays_text(admin, place):
    household = make_household(natural_village=place)
    Member.objects.filter(household=household).update(name="=1+1")
    stream = io.BytesIO()
    households_export(user=admin, queryset=Household.objects.all(), stream=stream)
    ws = load_workbook(io.BytesIO(stream.getvalue()))["成员"]
    assert ws["E2"].value == "=1+1" and ws["E2"].data_type == "s"
