"""The project roster: projects matched by (项目名称, 乡镇, 年度), a progress entry per (project, 填报日期)."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import Role
from projects.models import ProgressEntry, Project
from projects.roster_io import project_roster_import, project_roster_template, projects_export
from projects.rosters import PROJECTS
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
from tests.factories import NaturalVillageFactory, UserFactory, VillageFactory

SHEET = PROJECTS.name


@pytest.fixture
def ctx(db, place, admin):
    return {
        "place": place,
        "township": place.village.township,
        "village": place.village,
        "admin": admin,
        "official": UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=place.village.township),
    }


def row(ctx, **overrides):
    values = {
        "项目名称": "村组道路硬化",
        "类别": "道路",
        "乡镇": ctx["township"].name,
        "行政村": ctx["village"].name,
        "年度": 2016,
        "计划投资（元）": 500000,
        "状态": "在建",
        "填报日期": "2016-06-30",
        "累计完成投资（元）": 120000,
    }
    values.update(overrides)
    return values


def good_rows(ctx):
    return [
        row(ctx),
        row(ctx, 填报日期="2016-09-30", **{"累计完成投资（元）": 380000.5}),
        row(ctx, 项目名称="核桃产业基地", 类别="产业发展", 行政村=None, 状态=None, 填报日期=None,
            **{"累计完成投资（元）": None, "计划投资（元）": None}),
    ]  # fmt: skip


def run(user, rows, *, dry_run=False, **kw):
    return project_roster_import(user=user, source=sheet_workbook(PROJECTS, rows, **kw), dry_run=dry_run)


def test_template_has_drop_downs_in_scope_and_instructions(ctx):
    other = NaturalVillageFactory()
    wb = template_book(project_roster_template, ctx["official"])
    assert wb.sheetnames[:2] == [SHEET, "填写说明"]
    assert validated_columns(wb[SHEET]) == {"B", "C", "D", "G"}  # 类别, 乡镇, 行政村, 状态
    assert choices_of(wb, SHEET, "乡镇") == [ctx["township"].name]
    assert other.village.name not in choices_of(wb, SHEET, "行政村")
    assert "整村推进" in choices_of(wb, SHEET, "类别")
    assert "项目名称" in instructions_text(wb)


def test_a_good_file_imports_and_again_changes_nothing(ctx):
    first = run(ctx["official"], good_rows(ctx))
    assert first.written and not first.errors, first.errors.as_list()
    assert first.totals()["projects"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert first.totals()["progress"] == {"created": 2, "updated": 0, "unchanged": 0}
    road = Project.objects.get(name="村组道路硬化")
    assert (road.township, road.village, road.state, road.planned_investment) == (
        ctx["township"], ctx["village"], "building", Decimal("500000.00"),
    )  # fmt: skip
    assert list(road.progress.order_by("recorded_on").values_list("invested_to_date", flat=True)) == [
        Decimal("120000.00"), Decimal("380000.50"),
    ]  # fmt: skip
    walnut = Project.objects.get(name="核桃产业基地")
    assert (walnut.village, walnut.state, walnut.planned_investment) == (None, "planned", 0)
    after = fingerprint("projects")
    second = run(ctx["official"], good_rows(ctx))
    assert second.totals()["unchanged"] == 4 and not second.errors
    assert fingerprint("projects") == after


def test_dry_run_writes_nothing(ctx):
    before = fingerprint("projects")
    outcome = run(ctx["official"], good_rows(ctx), dry_run=True)
    assert not outcome.errors and outcome.totals()["created"] == 4
    assert fingerprint("projects") == before


@pytest.mark.parametrize(
    "cell", [datetime.datetime(2016, 7, 14), "2016-07-14", "2016/7/14", "2016年7月14日"], ids=str
)
def test_dates_in_every_accepted_form(ctx, cell):
    outcome = run(ctx["admin"], [row(ctx, 填报日期=cell)])
    assert not outcome.errors, outcome.errors.as_list()
    assert ProgressEntry.objects.get().recorded_on == datetime.date(2016, 7, 14)


def test_changes_are_updates(ctx):
    run(ctx["official"], good_rows(ctx))
    rows = good_rows(ctx)
    for r in rows[:2]:
        r["状态"] = "完工"
    rows[1]["累计完成投资（元）"] = 500000
    outcome = run(ctx["official"], rows)
    assert outcome.totals()["projects"] == {"created": 0, "updated": 1, "unchanged": 1}
    assert outcome.totals()["progress"] == {"created": 0, "updated": 1, "unchanged": 1}
    assert Project.objects.get(name="村组道路硬化").state == "completed"


def _other_township(ctx):
    return VillageFactory().township.name


BROKEN = [
    ("unknown_township", {"乡镇": "无此乡"}, "乡镇", "不存在"),
    ("township_out_of_scope", {"乡镇": _other_township}, "乡镇", "不在您的管辖范围内"),
    ("village_elsewhere", {"项目名称": "另一项目", "行政村": lambda c: VillageFactory().name}, "行政村", "不在"),
    ("county_level_by_official", {"乡镇": None, "行政村": None}, "乡镇", "只有县扶贫办可以导入"),
    ("bad_category", {"类别": "修路"}, "类别", "不是可选值"),
    ("bad_state", {"状态": "进行中"}, "状态", "不是可选值"),
    ("negative_investment", {"计划投资（元）": -100}, "计划投资（元）", "不能为负数"),
    ("not_a_number", {"累计完成投资（元）": "五十万"}, "累计完成投资（元）", "应为数字"),
    ("year_not_a_year", {"年度": "去年"}, "年度", "应为年份"),
    ("date_not_a_date", {"填报日期": "六月底"}, "填报日期", "日期格式无法识别"),
    ("date_impossible", {"填报日期": "2016年2月30日"}, "填报日期", "不是有效日期"),
    ("invested_without_date", {"填报日期": None}, "填报日期", "须填写填报日期"),
    ("date_without_invested", {"累计完成投资（元）": None}, "累计完成投资（元）", "须填写累计完成投资"),
    ("project_rows_disagree", {"填报日期": "2016-12-31", "类别": "水利"}, "类别", "与第 2 行不一致"),
    ("duplicate_progress_date", {}, "填报日期", "与第 2 行重复"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "column", "message"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_broken_rows(ctx, overrides, column, message):
    overrides = {k: v(ctx) if callable(v) else v for k, v in overrides.items()}
    before = fingerprint("projects")
    outcome = run(ctx["official"], [row(ctx), row(ctx, **overrides)])
    assert_one_error(outcome, SHEET, 3, column, message)
    assert fingerprint("projects") == before


def test_county_level_projects_by_the_county(ctx):
    outcome = run(ctx["admin"], [row(ctx, 乡镇=None, 行政村=None, 项目名称="全县饮水安全工程", 类别="饮水")])
    assert not outcome.errors, outcome.errors.as_list()
    assert Project.objects.get().township is None


def test_export_imports_back_unchanged(ctx):
    run(ctx["official"], good_rows(ctx))
    run(ctx["admin"], [row(ctx, 乡镇=None, 行政村=None, 项目名称="全县饮水安全工程", 类别="饮水", 年度=2017)])
    stream, written = export_stream(projects_export, ctx["admin"])
    assert written == {"rows": 4, "projects": 3, "masked": False}
    before = fingerprint("projects")
    outcome = project_roster_import(user=ctx["admin"], source=stream, dry_run=False)
    assert not outcome.errors, outcome.errors.as_list()
    assert outcome.totals()["unchanged"] == 3 + 3
    assert fingerprint("projects") == before
    _, written = export_stream(projects_export, ctx["official"])
    assert written["projects"] == 2  # the county's own project is not in the township's scope


def test_queries_do_not_grow_per_row(ctx):
    counted = []
    for n, prefix in ((3, "甲"), (30, "乙")):
        run(ctx["admin"], [row(ctx, 项目名称=f"{prefix}0")])  # one registered project with progress
        rows = [
            row(ctx, 项目名称=f"{prefix}{k}", 填报日期=d)
            for k in range(n)
            for d in ("2016-06-30", "2016-09-30")
        ]
        source = sheet_workbook(PROJECTS, rows)
        queries, outcome = count_queries(
            lambda s=source: project_roster_import(user=ctx["admin"], source=s, dry_run=False)
        )
        assert outcome.written, outcome.errors.as_list()
        counted.append(queries)
    assert counted[0] == counted[1] and counted[0] < 20
