"""Issue 11, finding 11: an import error does not tell whether an ID number exists outside the user's scope."""

from accounts.models import Role
from households.roster_io import household_roster_import
from tests.core.excel.helpers import member_row, workbook
from tests.core.excel.test_validation import ctx, family  # noqa: F401  (fixture)
from tests.factories import NaturalVillageFactory, UserFactory


def test_an_id_number_registered_outside_the_scope_gets_a_neutral_message(ctx):  # noqa: F811
    mine = NaturalVillageFactory()
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=mine.village.township)
    new = {"number": "N0009", "nv": mine}
    rows = [member_row(new, 姓名="王建华", 身份证号=ctx["head_id"])]
    outcome = household_roster_import(user=official, source=workbook(rows), dry_run=True)
    (error,) = [e for e in outcome.errors.as_list() if e["column"] == "身份证号"]
    message = error["message"]
    assert "其他户" not in message and "以外" not in message and "已登记" not in message
    assert "不能导入" in message and "县扶贫办" in message
    assert ctx["head_id"] not in message  # masked as before
