"""The relocation roster (易地扶贫搬迁): matched by 户编号, with the 25 m² per person rule as a cell error."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import Role
from projects.models import Relocation, RelocationSite
from projects.roster_io import relocation_roster_import, relocation_roster_template, relocations_export
from projects.rosters import RELOCATIONS
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
from tests.factories import NaturalVillageFactory, UserFactory, make_household

SHEET = RELOCATIONS.name


@pytest.fixture
def ctx(db, place, admin):
    township = place.village.township
    return {
        "place": place,
        "admin": admin,
        "site": RelocationSite.objects.create(name="金沙江安置点", township=township, year=2016),
        "h1": make_household(household_number="B0001", natural_village=place),
        "h2": make_household(household_number="B0002", natural_village=place),
        "official": UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=township),
    }


def row(**overrides):
    values = {
        "安置点": "金沙江安置点",
        "户编号": "B0001",
        "搬迁类型": "建档立卡搬迁户",
        "搬迁人数": 2,
        "住房面积": 50,
        "入住时间": "2016-10-01",
    }
    values.update(overrides)
    return values


def good_rows():
    return [row(), row(户编号="B0002", 搬迁类型="同步搬迁户", 搬迁人数=2, 住房面积=80.5, 入住时间=None)]


def run(user, rows, *, dry_run=False, **kw):
    return relocation_roster_import(
        user=user, source=sheet_workbook(RELOCATIONS, rows, **kw), dry_run=dry_run
    )


def test_template_has_drop_downs_and_instructions(ctx):
    RelocationSite.objects.create(
        name="别处安置点", township=NaturalVillageFactory().village.township, year=2016
    )
    wb = template_book(relocation_roster_template, ctx["official"])
    assert wb.sheetnames[:2] == [SHEET, "填写说明"]
    assert validated_columns(wb[SHEET]) == {"A", "C"}  # 安置点, 搬迁类型
    assert choices_of(wb, SHEET, "安置点") == ["金沙江安置点"]
    assert choices_of(wb, SHEET, "搬迁类型") == ["建档立卡搬迁户", "同步搬迁户"]
    assert "25 平方米" in instructions_text(wb)


def test_a_good_file_imports_and_again_changes_nothing(ctx):
    first = run(ctx["official"], good_rows())
    assert first.written and not first.errors, first.errors.as_list()
    assert first.totals()["relocations"] == {"created": 2, "updated": 0, "unchanged": 0}
    moved = Relocation.objects.get(household=ctx["h1"])
    assert (moved.site, moved.kind, moved.persons, moved.housing_area, moved.moved_in_on) == (
        ctx["site"], "registered", 2, Decimal("50.00"), datetime.date(2016, 10, 1),
    )  # fmt: skip
    # 同步搬迁户 are not held to 25 m² per person
    assert Relocation.objects.get(household=ctx["h2"]).housing_area == Decimal("80.50")
    after = fingerprint("relocations")
    second = run(ctx["official"], good_rows())
    assert second.totals()["unchanged"] == 2 and not second.errors
    assert fingerprint("relocations") == after


def test_dry_run_writes_nothing(ctx):
    before = fingerprint("relocations")
    outcome = run(ctx["official"], good_rows(), dry_run=True)
    assert not outcome.errors and outcome.totals()["created"] == 2
    assert fingerprint("relocations") == before


@pytest.mark.parametrize(
    "cell", [datetime.datetime(2016, 7, 14), "2016-07-14", "2016/7/14", "2016年7月14日"], ids=str
)
def test_dates_in_every_accepted_form(ctx, cell):
    outcome = run(ctx["admin"], [row(入住时间=cell)])
    assert not outcome.errors, outcome.errors.as_list()
    assert Relocation.objects.get().moved_in_on == datetime.date(2016, 7, 14)


def test_a_change_is_an_update(ctx):
    run(ctx["official"], good_rows())
    outcome = run(ctx["official"], [row(搬迁人数=3, 住房面积=75)])
    assert outcome.totals()["relocations"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert Relocation.objects.get(household=ctx["h1"]).persons == 3


def _foreign(ctx):
    make_household(household_number="X0001", natural_village=NaturalVillageFactory())


BROKEN = [
    ("over_25_square_metres", {"住房面积": 60}, None, "住房面积", "人均住房面积不得超过 25 平方米"),
    ("unknown_household", {"户编号": "NOPE"}, None, "户编号", "未登记"),
    ("household_out_of_scope", {"户编号": "X0001"}, _foreign, "户编号", "不在您的管辖范围内"),
    ("unknown_site", {"安置点": "无此安置点"}, None, "安置点", "未登记"),
    ("bad_kind", {"搬迁类型": "自主搬迁户"}, None, "搬迁类型", "不是可选值"),
    ("negative_area", {"住房面积": -20}, None, "住房面积", "不能为负数"),
    ("area_not_a_number", {"住房面积": "五十"}, None, "住房面积", "应为数字"),
    ("no_persons", {"搬迁人数": 0}, None, "搬迁人数", "不能小于 1"),
    ("persons_not_a_number", {"搬迁人数": "两人"}, None, "搬迁人数", "应为人数"),
    ("date_not_a_date", {"入住时间": "国庆"}, None, "入住时间", "日期格式无法识别"),
    ("date_impossible", {"入住时间": "2016-11-31"}, None, "入住时间", "不是有效日期"),
    ("duplicate_household", {"户编号": "B0002", "住房面积": 40}, None, "户编号", "与第 2 行重复"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "setup", "column", "message"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_broken_rows(ctx, overrides, setup, column, message):
    if setup:
        setup(ctx)
    before = fingerprint("relocations")
    outcome = run(ctx["official"], [row(户编号="B0002"), row(**overrides)])
    assert_one_error(outcome, SHEET, 3, column, message)
    assert fingerprint("relocations") == before


def test_export_imports_back_unchanged(ctx):
    run(ctx["official"], good_rows())
    stream, written = export_stream(relocations_export, ctx["official"])
    assert written == {"relocations": 2, "masked": False}
    before = fingerprint("relocations")
    outcome = relocation_roster_import(user=ctx["official"], source=stream, dry_run=False)
    assert not outcome.errors, outcome.errors.as_list()
    assert outcome.totals()["unchanged"] == 2
    assert fingerprint("relocations") == before


def test_queries_do_not_grow_per_row(ctx):
    counted = []
    for n, prefix in ((3, "F"), (30, "M")):
        numbers = [
            make_household(household_number=f"{prefix}{k:04d}", natural_village=ctx["place"]).household_number
            for k in range(n)
        ]
        run(ctx["admin"], [row(户编号=numbers[0])])  # one registered, to be updated
        source = sheet_workbook(RELOCATIONS, [row(户编号=x, 住房面积=45) for x in numbers])
        queries, outcome = count_queries(
            lambda s=source: relocation_roster_import(user=ctx["admin"], source=s, dry_run=False)
        )
        assert outcome.written and outcome.totals()["updated"] == 1, outcome.errors.as_list()
        counted.append(queries)
    assert counted[0] == counted[1] and counted[0] < 20
