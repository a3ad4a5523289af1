"""The training-participant roster: matched by (training, 身份证号); the member is found by ID number in the
user's scope and the name must agree with the registry; ID numbers are masked for those who may not see them."""

import pytest

from accounts.models import Role
from projects.models import Training
from projects.roster_io import training_export, training_roster_import, training_roster_template
from projects.rosters import PARTICIPANTS
from tests.core.excel.roster_helpers import (
    assert_one_error,
    choices_of,
    count_queries,
    export_stream,
    fingerprint,
    instructions_text,
    rows_of,
    sheet_workbook,
    template_book,
    validated_columns,
)
from tests.factories import NaturalVillageFactory, UserFactory, make_household, make_id_number

SHEET = PARTICIPANTS.name
COURSE = "核桃种植技能培训"


@pytest.fixture
def ctx(db, place, admin):
    township = place.village.township
    household = make_household(household_number="C0001", natural_village=place)
    head, spouse = household.members.order_by("id")
    return {
        "place": place,
        "admin": admin,
        "training": Training.objects.create(name=COURSE, kind="skills", year=2016, township=township),
        "head": head,
        "spouse": spouse,
        "official": UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=township),
    }


def row(member, **overrides):
    values = {"培训名称": COURSE, "年度": 2016, "身份证号": member.id_number, "姓名": member.name}
    values.update(overrides)
    return values


def run(user, rows, *, dry_run=False, **kw):
    return training_roster_import(user=user, source=sheet_workbook(PARTICIPANTS, rows, **kw), dry_run=dry_run)


def test_template_has_drop_downs_and_instructions(ctx):
    Training.objects.create(
        name="别乡培训", kind="guidance", year=2016, township=NaturalVillageFactory().village.township
    )
    wb = template_book(training_roster_template, ctx["official"])
    assert wb.sheetnames[:2] == [SHEET, "填写说明"]
    assert validated_columns(wb[SHEET]) == {"A"}
    assert choices_of(wb, SHEET, "培训名称") == [COURSE]
    assert wb[SHEET]["C2"].number_format == "@"  # ID numbers kept as text
    assert "身份证号" in instructions_text(wb)


def test_a_good_file_imports_and_again_changes_nothing(ctx):
    rows = [row(ctx["head"]), row(ctx["spouse"], 身份证号=ctx["spouse"].id_number.lower() + " ")]
    first = run(ctx["official"], rows)
    assert first.written and not first.errors, first.errors.as_list()
    assert first.totals()["participants"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert set(ctx["training"].participants.all()) == {ctx["head"], ctx["spouse"]}
    after = fingerprint("training")
    second = run(ctx["official"], rows)
    assert second.totals()["unchanged"] == 2 and not second.errors
    assert fingerprint("training") == after


def test_dry_run_writes_nothing(ctx):
    before = fingerprint("training")
    outcome = run(ctx["official"], [row(ctx["head"])], dry_run=True)
    assert not outcome.errors and outcome.totals()["created"] == 1
    assert fingerprint("training") == before


def _foreign_member(ctx):
    return make_household(natural_village=NaturalVillageFactory()).members.first().id_number


BROKEN = [
    ("unregistered_id", lambda c: {"身份证号": make_id_number()}, "身份证号", "不是已登记的贫困户成员"),
    ("member_out_of_scope", lambda c: {"身份证号": _foreign_member(c), "姓名": "张三"}, "身份证号", "不在您的管辖范围内"),
    ("name_disagrees", lambda c: {"姓名": "张三丰"}, "姓名", "不一致"),
    ("bad_check_digit", lambda c: {"身份证号": c["head"].id_number[:17] + ("0" if c["head"].id_number[17] != "0" else "1")},
     "身份证号", "校验位错误"),
    ("masked_id", lambda c: {"身份证号": "532328********1234"}, "身份证号", "含 *"),
    ("id_as_number", lambda c: {"身份证号": 532328197001011234}, "身份证号", "存成了数字"),
    ("unknown_training", lambda c: {"培训名称": "无此培训"}, "培训名称", "未登记"),
    ("training_out_of_scope", lambda c: {"培训名称": Training.objects.create(
        name="别乡培训", kind="skills", year=2016, township=NaturalVillageFactory().village.township).name},
     "培训名称", "不在您的管辖范围内"),
    ("wrong_year", lambda c: {"年度": 2017}, "培训名称", "未登记"),
    ("year_not_a_number", lambda c: {"年度": "今年"}, "年度", "应为年份"),
    ("negative_year", lambda c: {"年度": -2016}, "年度", "不能小于"),
    ("duplicate", lambda c: {"身份证号": c["spouse"].id_number, "姓名": c["spouse"].name}, "身份证号", "与第 2 行重复"),
    ("name_missing", lambda c: {"姓名": None}, "姓名", "不能为空"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "column", "message"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_broken_rows(ctx, overrides, column, message):
    overrides = overrides(ctx)
    before = fingerprint("training")
    outcome = run(ctx["official"], [row(ctx["spouse"]), row(ctx["head"], **overrides)])
    assert_one_error(outcome, SHEET, 3, column, message)
    assert fingerprint("training") == before


def test_export_imports_back_unchanged(ctx):
    run(ctx["official"], [row(ctx["head"]), row(ctx["spouse"])])
    stream, written = export_stream(training_export, ctx["official"])
    assert written == {"participants": 2, "masked": False}
    before = fingerprint("training")
    outcome = training_roster_import(user=ctx["official"], source=stream, dry_run=False)
    assert not outcome.errors, outcome.errors.as_list()
    assert outcome.totals()["unchanged"] == 2
    assert fingerprint("training") == before


def test_inspectors_get_masked_id_numbers_that_do_not_import(ctx):
    run(ctx["official"], [row(ctx["head"])])
    inspector = UserFactory(role=Role.INSPECTOR)
    stream, written = export_stream(training_export, inspector)
    assert written == {"participants": 1, "masked": True}
    ((course, year, id_number, name),) = rows_of(stream, SHEET)
    assert (course, year, name) == (COURSE, 2016, ctx["head"].name)
    assert id_number == ctx["head"].id_number[:6] + "********" + ctx["head"].id_number[-4:]
    stream.seek(0)
    from openpyxl import load_workbook

    assert "不能再导入" in instructions_text(load_workbook(stream))
    stream.seek(0)
    outcome = training_roster_import(user=ctx["admin"], source=stream, dry_run=False)
    assert any("含 *" in e["message"] for e in outcome.errors.as_list()) and not outcome.written


def test_inspectors_do_not_import(ctx):
    outcome = run(UserFactory(role=Role.INSPECTOR), [row(ctx["head"])])
    assert "不能导入" in outcome.errors.as_list()[0]["message"]


def test_queries_do_not_grow_per_row(ctx):
    counted = []
    for n, prefix in ((2, "F"), (20, "M")):
        members = [
            m
            for k in range(n)
            for m in make_household(
                household_number=f"{prefix}{k:04d}", natural_village=ctx["place"]
            ).members.all()
        ]
        run(ctx["admin"], [row(members[0])])  # one already taking part
        source = sheet_workbook(PARTICIPANTS, [row(m) for m in members])
        queries, outcome = count_queries(
            lambda s=source: training_roster_import(user=ctx["admin"], source=s, dry_run=False)
        )
        assert outcome.written and outcome.totals()["unchanged"] == 1, outcome.errors.as_list()
        counted.append(queries)
    assert counted[0] == counted[1] and counted[0] < 15
