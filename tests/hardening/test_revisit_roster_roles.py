"""Issue 11, finding 8: only those the access rule lets change revisits import the revisit roster."""

import datetime

from accounts.models import Role
from assignments.models import Revisit
from assignments.roster_io import revisit_roster_import
from assignments.rosters import REVISITS
from core.access import Access
from core.excel.registry import roster_entries
from tests.core.excel.roster_helpers import sheet_workbook
from tests.core.excel.test_roster_revisits import ctx, row  # noqa: F401  (fixture)
from tests.factories import RevisitFactory, UserFactory


def test_a_township_official_neither_creates_nor_overwrites_cadres_revisits(ctx):  # noqa: F811
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=ctx["place"].village.township)
    assert not Access.for_user(official).may_import(roster_entries()["revisits"])
    stored = RevisitFactory(
        household=ctx["h1"], cadre=ctx["li"], visited_on=datetime.date(2016, 3, 1), situation="干部本人记录"
    )
    rows = [row(基本情况="乡镇改写"), row(走访日期="2016-04-01")]
    outcome = revisit_roster_import(user=official, source=sheet_workbook(REVISITS, rows), dry_run=False)
    assert "不能导入" in outcome.errors.as_list()[0]["message"]
    stored.refresh_from_db()
    assert stored.situation == "干部本人记录" and Revisit.objects.count() == 1


def test_the_county_admin_still_enters_paper_records(ctx):  # noqa: F811
    outcome = revisit_roster_import(
        user=ctx["admin"], source=sheet_workbook(REVISITS, [row()]), dry_run=False
    )
    assert not outcome.errors.as_list() and Revisit.objects.count() == 1
