from households.models import Assessment, Household, Member
from households.roster_io import household_roster_import
from tests.core.excel.helpers import assessment_row, member_row, workbook
from tests.factories import make_id_number


def test_smoke(admin, place):
    hh = {"number": "H001", "nv": place}
    rows = [
        member_row(hh, 姓名="张三", 身份证号=make_id_number(sex="male")),
        member_row(hh, 姓名="李四妹", 身份证号=make_id_number(sex="female"), 与户主关系="配偶", 性别="女"),
    ]
    f = workbook(rows, [assessment_row("H001")])
    out = household_roster_import(user=admin, source=f, dry_run=False)
    print(out.result())
    assert not out.errors
    assert Household.objects.count() == 1 and Member.objects.count() == 2 and Assessment.objects.count() == 1
    f.seek(0)
    out = household_roster_import(user=admin, source=f, dry_run=False)
    print(out.result())
    assert out.totals()["unchanged"] == 4
