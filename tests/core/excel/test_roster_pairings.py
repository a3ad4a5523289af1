"""The pairing roster (挂包帮结对): template, import (pair, re-pair, end, new cadres), idempotence, dry run,
errors that leave the tables as they were, export round trip and a query count that does not grow per row."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from assignments.models import Cadre, Pairing
from assignments.roster_io import pairing_roster_import, pairing_roster_template, pairings_export
from assignments.rosters import PAIRINGS
from core.excel.registry import roster_entry
from tests.core.excel.roster_helpers import (
    assert_one_error,
    choices_of,
    count_queries,
    export_stream,
    fingerprint,
    instructions_text,
    sheet_workbook,
    template_book,
    validated_columns,
)
from tests.factories import (
    CadreFactory,
    NaturalVillageFactory,
    PairingFactory,
    UserFactory,
    WorkUnitFactory,
    WorkUnitVillageFactory,
    make_household,
)

SHEET = PAIRINGS.name


@pytest.fixture
def ctx(db, place, admin):
    unit = WorkUnitFactory(name="县财政局")
    WorkUnitVillageFactory(unit=unit, village=place.village)
    return {
        "place": place,
        "admin": admin,
        "unit": unit,
        "li": CadreFactory(name="李明", unit=unit, phone="13900000001"),
        "wang": CadreFactory(name="王芳", unit=unit, phone="13900000002"),
        "h1": make_household(household_number="P0001", natural_village=place),
        "h2": make_household(household_number="P0002", natural_village=place),
        "official": UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=place.village.township),
    }


def row(number="P0001", cadre="李明", **overrides):
    values = {
        "挂联单位": "县财政局",
        "干部": cadre,
        "联系电话": None,
        "户编号": number,
        "开始日期": "2016-03-01",
    }
    values.update(overrides)
    return values


def run(user, rows, *, dry_run=False, **kw):
    return pairing_roster_import(user=user, source=sheet_workbook(PAIRINGS, rows, **kw), dry_run=dry_run)


def test_registered_with_the_registry():
    entry = roster_entry("pairings")
    assert entry.roles == ("county_admin", "township_official") and entry.title == "挂包帮结对花名册"


def test_template_has_units_drop_down_and_instructions(ctx):
    NaturalVillageFactory()  # another township's village, and a unit that works only there
    WorkUnitVillageFactory(unit=WorkUnitFactory(name="县水务局"), village=NaturalVillageFactory().village)
    wb = template_book(pairing_roster_template, ctx["official"])
    assert wb.sheetnames[:2] == [SHEET, "填写说明"] and wb["选项"].sheet_state == "hidden"
    assert [c.value for c in wb[SHEET][1]] == PAIRINGS.headers
    assert validated_columns(wb[SHEET]) == {"A"}
    assert choices_of(wb, SHEET, "挂联单位") == ["县财政局"]  # only the units working in the scope
    assert "一户同时只能有一名在帮干部" in instructions_text(wb)


def test_a_good_file_imports_and_again_changes_nothing(ctx):
    rows = [row("P0001", "李明"), row("P0002", "王芳", 开始日期=None, 联系电话="13900000002")]
    first = run(ctx["admin"], rows)
    assert first.written and not first.errors, first.errors.as_list()
    assert first.totals()["pairings"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert Pairing.objects.get(household=ctx["h1"]).started_on == datetime.date(2016, 3, 1)
    assert Pairing.objects.get(household=ctx["h2"], cadre=ctx["wang"]).started_on == timezone.localdate()
    history = Pairing.objects.get(household=ctx["h1"]).history.first()
    assert history.history_user == ctx["admin"] and history.history_change_reason == "花名册导入"
    after = fingerprint("pairings")
    second = run(ctx["admin"], rows)
    assert second.totals()["unchanged"] == 2 and second.totals()["created"] == second.totals()["updated"] == 0
    assert fingerprint("pairings") == after


def test_dry_run_writes_nothing(ctx):
    before = fingerprint("pairings")
    outcome = run(ctx["admin"], [row()], dry_run=True)
    assert not outcome.errors and not outcome.written
    assert outcome.totals()["created"] == 1
    assert fingerprint("pairings") == before


@pytest.mark.parametrize(
    "cell", [datetime.datetime(2016, 7, 14), "2016-07-14", "2016/7/14", "2016年7月14日"], ids=str
)
def test_dates_in_every_accepted_form(ctx, cell):
    outcome = run(ctx["official"], [row(开始日期=cell)])
    assert not outcome.errors, outcome.errors.as_list()
    assert Pairing.objects.get(household=ctx["h1"]).started_on == datetime.date(2016, 7, 14)


def test_re_pairing_ends_the_previous_pairing(ctx):
    old = PairingFactory(cadre=ctx["li"], household=ctx["h1"], started_on=datetime.date(2016, 1, 1))
    outcome = run(ctx["official"], [row(cadre="王芳", 开始日期="2016-06-01")])
    assert not outcome.errors, outcome.errors.as_list()
    assert outcome.totals()["pairings"] == {"created": 1, "updated": 1, "unchanged": 0}
    old.refresh_from_db()
    assert old.ended_on == datetime.date(2016, 6, 1)
    assert Pairing.objects.get(household=ctx["h1"], ended_on__isnull=True).cadre == ctx["wang"]
    assert old.history.first().history_type == "~"


def test_an_end_date_ends_the_active_pairing(ctx):
    active = PairingFactory(cadre=ctx["li"], household=ctx["h1"], started_on=datetime.date(2016, 1, 1))
    outcome = run(ctx["official"], [row(开始日期=None, 结束日期="2016年12月31日")])
    assert not outcome.errors, outcome.errors.as_list()
    active.refresh_from_db()
    assert active.ended_on == datetime.date(2016, 12, 31)


def test_county_creates_a_cadre_given_a_phone(ctx):
    outcome = run(
        ctx["admin"],
        [row(cadre="赵新", 联系电话="13700000000"), row("P0002", "赵新", 联系电话="13700000000")],
    )
    assert not outcome.errors, outcome.errors.as_list()
    assert outcome.totals()["cadres"] == {"created": 1, "updated": 0, "unchanged": 0}
    cadre = Cadre.objects.get(name="赵新")
    assert cadre.unit == ctx["unit"] and cadre.phone == "13700000000" and cadre.pairings.count() == 2


def test_a_township_official_does_not_create_cadres(ctx):
    before = fingerprint("pairings")
    outcome = run(ctx["official"], [row(cadre="赵新", 联系电话="13700000000")])
    assert_one_error(outcome, SHEET, 2, "干部", "新增干部请联系县扶贫办")
    assert fingerprint("pairings") == before


def _other_township_household(ctx):
    make_household(household_number="X0001", natural_village=NaturalVillageFactory())


BROKEN = [
    ("unknown_household", {"户编号": "NOPE"}, None, "户编号", "未登记"),
    ("household_out_of_scope", {"户编号": "X0001"}, _other_township_household, "户编号", "不在您的管辖范围内"),
    ("unknown_unit", {"挂联单位": "县不存在局"}, None, "挂联单位", "未登记"),
    ("unit_not_linked", {"挂联单位": "县水务局"}, lambda c: CadreFactory(name="李明", unit=WorkUnitFactory(name="县水务局")),
     "挂联单位", "未挂联"),
    ("unknown_cadre", {"干部": "无名氏"}, None, "干部", "没有干部"),
    ("bad_phone", {"联系电话": "12345"}, None, "联系电话", "格式不对"),
    ("phone_differs", {"联系电话": "13911112222"}, None, "联系电话", "不一致"),
    ("date_not_a_date", {"开始日期": "去年"}, None, "开始日期", "日期格式无法识别"),
    ("date_impossible", {"开始日期": "2016-02-30"}, None, "开始日期", "不是有效日期"),
    ("date_impossible_chinese", {"开始日期": "2016年13月1日"}, None, "开始日期", "不是有效日期"),
    ("end_before_start", {"结束日期": "2016-01-01"}, None, "结束日期", "不能早于开始日期"),
    ("inactive_cadre", {}, lambda c: Cadre.objects.filter(name="李明").update(active=False), "干部", "不在岗"),
    ("starts_before_current", {"干部": "王芳", "开始日期": "2015-06-01"},
     lambda c: PairingFactory(cadre=c["li"], household=c["h1"]), "开始日期", "不能早于原结对"),
    ("missing_required", {"干部": None}, None, "干部", "不能为空"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "setup", "column", "message"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_broken_rows(ctx, overrides, setup, column, message):
    if setup:
        setup(ctx)
    before = fingerprint("pairings")
    outcome = run(ctx["official"], [row("P0002", "王芳"), row(**overrides)])
    assert_one_error(outcome, SHEET, 3, column, message)
    assert outcome.totals()["created"] <= 2  # counted in the preview, never written
    assert fingerprint("pairings") == before


def test_two_active_cadres_for_one_household(ctx):
    before = fingerprint("pairings")
    outcome = run(ctx["official"], [row(), row(cadre="王芳")])
    assert_one_error(outcome, SHEET, 3, "干部", "一户只能有一名在帮干部")
    assert fingerprint("pairings") == before


def test_unknown_header_and_inspector(ctx):
    outcome = run(ctx["admin"], [row()], headers=[*PAIRINGS.headers, "备注"])
    assert_one_error(outcome, SHEET, 1, "备注", "未知的列")
    inspector = UserFactory(role=Role.INSPECTOR)
    outcome = run(inspector, [row()])
    assert "不能导入" in outcome.errors.as_list()[0]["message"]


def test_export_imports_back_unchanged(ctx):
    PairingFactory(cadre=ctx["li"], household=ctx["h1"], started_on=datetime.date(2016, 1, 1))
    run(ctx["admin"], [row(cadre="王芳", 开始日期="2016-05-01"), row("P0002", "李明")])  # a re-pairing
    assert Pairing.objects.count() == 3
    stream, written = export_stream(pairings_export, ctx["official"])
    assert written == {"pairings": 3, "masked": False}
    before = fingerprint("pairings")
    outcome = pairing_roster_import(user=ctx["official"], source=stream, dry_run=False)
    assert not outcome.errors, outcome.errors.as_list()
    assert outcome.totals()["unchanged"] == 3
    assert fingerprint("pairings") == before


def test_export_follows_scope(ctx):
    PairingFactory(cadre=ctx["li"], household=ctx["h1"])
    PairingFactory(cadre=ctx["li"], household=make_household(natural_village=NaturalVillageFactory()))
    _, written = export_stream(pairings_export, ctx["official"])
    assert written["pairings"] == 1


def test_queries_do_not_grow_per_row(ctx):
    def households(n, prefix):
        return [
            make_household(household_number=f"{prefix}{k:04d}", natural_village=ctx["place"])
            for k in range(n)
        ]

    few, many = households(3, "F"), households(30, "M")
    for h in few[:1] + many[:10]:  # some re-pairings too
        PairingFactory(cadre=ctx["li"], household=h, started_on=datetime.date(2016, 1, 1))

    def file(hs):
        return sheet_workbook(PAIRINGS, [row(h.household_number, "王芳") for h in hs])

    counted = []
    for hs in (few, many):
        n, outcome = count_queries(
            lambda hs=hs: pairing_roster_import(user=ctx["admin"], source=file(hs), dry_run=False)
        )
        assert outcome.written, outcome.errors.as_list()
        counted.append(n)
    assert counted[0] == counted[1] and counted[0] < 25
