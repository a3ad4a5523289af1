"""The household roster end to end: dry run, commit, idempotence, export round trip, error workbook,
template, the job path for large files, history, and query counts that do not grow per row."""

import io

import pytest
from openpyxl import load_workbook

from accounts.models import Role
from core.models import ImportRecord, Job
from core.rosters.imports import import_result, roster_import, roster_import_commit
from households import choices
from households.models import Assessment, Household, Member
from households.roster_io import household_roster_import, household_roster_template, households_export
from tests.core.excel.helpers import assessment_row, fingerprint, member_row, workbook
from tests.factories import (
    AssessmentFactory,
    NaturalVillageFactory,
    UserFactory,
    make_household,
    make_id_number,
)


def roster(place, households: int, *, prefix="N", size=3, assessments=True):
    members, rows = [], []
    for n in range(households):
        hh = {"number": f"{prefix}{n:05d}", "nv": place}
        members.append(member_row(hh, 姓名="王建华", 身份证号=make_id_number(sex="male")))
        members.append(
            member_row(hh, 姓名="李秀英", 身份证号=make_id_number(sex="female"), 与户主关系="配偶", 性别="女")
        )
        for _ in range(size - 2):
            members.append(
                member_row(hh, 姓名="王小龙", 身份证号=make_id_number(sex="male"), 与户主关系="之子")
            )
        rows.append(assessment_row(hh["number"]))
    return workbook(members, rows if assessments else None)


def test_dry_run_writes_nothing(admin, place):
    make_household(natural_village=place)
    before = fingerprint()
    outcome = household_roster_import(user=admin, source=roster(place, 5), dry_run=True)
    assert not outcome.errors
    assert outcome.counts == {
        "households": {"created": 5, "updated": 0, "unchanged": 0},
        "members": {"created": 15, "updated": 0, "unchanged": 0},
        "assessments": {"created": 5, "updated": 0, "unchanged": 0},
    }
    assert fingerprint() == before


def test_commit_then_the_same_file_again_changes_nothing(admin, place):
    source = roster(place, 4)
    first = household_roster_import(user=admin, source=source, dry_run=False)
    assert first.written and first.totals()["created"] == 4 + 12 + 4
    household = Household.objects.get(household_number="N00000")
    assert (household.village_id, household.township_id) == (place.village_id, place.village.township_id)
    assert (household.head_name, household.head_initials) == ("王建华", "wjh")
    assert household.members.filter(relation=choices.Relation.HEAD).count() == 1
    assert Assessment.objects.filter(household=household, year=2016).exists()
    after_first = fingerprint()
    source.seek(0)
    second = household_roster_import(user=admin, source=source, dry_run=False)
    assert (
        second.totals()["unchanged"] == 20 and second.totals()["created"] == second.totals()["updated"] == 0
    )
    assert fingerprint() == after_first  # not even a history row


def test_changes_are_updates_with_history(admin, place):
    household = make_household(household_number="R0001", natural_village=place)
    head, spouse = household.members.order_by("id")
    hh = {"number": "R0001", "nv": place}
    # 户主 changes hands in the file: the old head becomes 配偶, the spouse becomes 户主
    rows = [
        member_row(hh, 姓名="张三", 身份证号=head.id_number, 与户主关系="配偶", 联系电话="13900000000"),
        member_row(
            hh, 姓名="李四妹", 身份证号=spouse.id_number, 与户主关系="户主", 性别="女", 联系电话="13900000000"
        ),
    ]
    for row in rows:
        row["贫困户状态"] = "未脱贫"
    outcome = household_roster_import(user=admin, source=workbook(rows), dry_run=False)
    assert not outcome.errors, outcome.errors.as_list()
    assert outcome.counts["households"]["updated"] == 1 and outcome.counts["members"]["updated"] == 2
    household.refresh_from_db()
    assert (household.head_name, household.head_initials, household.phone) == ("李四妹", "lsm", "13900000000")
    spouse.refresh_from_db()
    assert spouse.relation == choices.Relation.HEAD
    last = spouse.history.first()
    assert (
        last.history_user == admin and last.history_change_reason == "花名册导入" and last.history_type == "~"
    )


def test_export_imports_back_unchanged(admin, place):
    household_roster_import(user=admin, source=roster(place, 3), dry_run=False)
    household = make_household(natural_village=place)  # made through the service, not the importer
    AssessmentFactory(household=household, wage_income=1234.5, property_income=0)
    stream = io.BytesIO()
    written = households_export(user=admin, queryset=Household.objects.all(), stream=stream)
    assert written == {"households": 4, "members": 11, "assessments": 4, "masked": False}
    before = fingerprint()
    stream.seek(0)
    outcome = household_roster_import(user=admin, source=stream, dry_run=False)
    assert not outcome.errors, outcome.errors.as_list()
    assert outcome.totals()["unchanged"] == 4 + 11 + 4
    assert fingerprint() == before


def test_export_respects_scope_and_masks_ids(place):
    mine = make_household(natural_village=place)
    make_household(natural_village=NaturalVillageFactory())  # another township
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=place.village.township)
    stream = io.BytesIO()
    assert (
        households_export(user=official, queryset=Household.objects.all(), stream=stream)["households"] == 1
    )
    inspector = UserFactory(role=Role.INSPECTOR)
    stream = io.BytesIO()
    written = households_export(user=inspector, queryset=Household.objects.filter(pk=mine.pk), stream=stream)
    assert written["masked"]
    wb = load_workbook(stream)
    ids = [r[5] for r in wb["成员"].iter_rows(min_row=2, values_only=True)]
    assert all("*" in i and len(i) == 18 for i in ids)
    notes = " ".join(str(c) for row in wb["填写说明"].iter_rows(values_only=True) for c in row if c)
    assert "不能再导入" in notes
    # and a masked file does not import
    stream.seek(0)
    admin = UserFactory(role=Role.COUNTY_ADMIN)
    outcome = household_roster_import(user=admin, source=stream, dry_run=True)
    assert any("含 *" in e["message"] for e in outcome.errors.as_list())


def test_preview_then_commit_through_import_records(admin, place, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record = roster_import(user=admin, file=roster(place, 2), dry_run=True)
    assert record.state == ImportRecord.State.CHECKED and record.dry_run
    assert record.counts["created"] == 2 + 6 + 2 and record.errors == []
    assert Household.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        record = roster_import_commit(user=admin, record=record)
    record.refresh_from_db()
    assert record.state == ImportRecord.State.COMMITTED and record.committed_at and not record.dry_run
    assert Household.objects.count() == 2 and Member.objects.count() == 6
    # the eligibility recompute ran after the import (tasks run inline in tests)
    job = Job.objects.get(kind="eligibility_recompute")
    assert job.params == {"trigger": "import"} and job.state == Job.State.DONE
    assert Assessment.objects.filter(eligible__isnull=False).count() == 2
    result = import_result(record)
    assert {"created", "updated", "unchanged", "errors"} <= set(result)


def test_errors_come_back_as_an_error_workbook(admin, place):
    rows = [
        member_row({"number": "N1", "nv": place}, 身份证号=make_id_number(), 与户主关系="表弟"),
        member_row({"number": "N2", "nv": place}, 身份证号="532328197001011234", 识别年度="去年"),
    ]
    record = roster_import(user=admin, file=workbook(rows), dry_run=True)
    assert record.state == ImportRecord.State.FAILED
    assert [(e["sheet"], e["row"], e["column"]) for e in record.errors] == [
        ("成员", 2, "与户主关系"),
        ("成员", 3, "身份证号"),
        ("成员", 3, "识别年度"),
    ]
    wb = load_workbook(record.error_file.path)
    assert wb.sheetnames[0] == "错误清单"
    listing = list(wb["错误清单"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[2], r[3]) for r in listing] == [
        ("成员", 2, "与户主关系"),
        ("成员", 3, "身份证号"),
        ("成员", 3, "识别年度"),
    ]
    ws = wb["成员"]
    bad = ws["G2"]
    assert (
        bad.value == "表弟" and bad.fill.fgColor.rgb.endswith("FF9999") and "不是可选值" in bad.comment.text
    )
    assert ws["Q3"].comment is not None and ws["A2"].comment is None
    assert ws["E2"].value == "张三"  # the rest of the upload comes back as it was


def test_large_file_runs_as_a_job_with_progress(admin, place, django_capture_on_commit_callbacks):
    source = roster(place, 525, size=4, assessments=False)  # 2,100 member rows: over ROSTER_ASYNC_ROWS
    with django_capture_on_commit_callbacks(execute=True):
        record = roster_import(user=admin, file=source, dry_run=True)
    record.refresh_from_db()
    job = record.job
    assert (
        job is not None
        and job.kind == "roster_import"
        and job.state == Job.State.DONE
        and job.progress == 100
    )
    assert record.state == ImportRecord.State.CHECKED
    assert set(job.result) >= {"created", "updated", "unchanged", "errors"}
    assert job.result["created"] == 525 + 2100 and job.result["errors"] == []
    assert Household.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        record = roster_import_commit(user=admin, record=record)
    record.refresh_from_db()
    assert record.state == ImportRecord.State.COMMITTED and record.job.state == Job.State.DONE
    assert Member.objects.count() == 2100


def test_job_result_lists_errors(admin, place, settings, django_capture_on_commit_callbacks):
    settings.ROSTER_ASYNC_ROWS = 1
    rows = [member_row({"number": "N1", "nv": place}, 身份证号="1234")] * 2
    with django_capture_on_commit_callbacks(execute=True):
        record = roster_import(user=admin, file=workbook(rows), dry_run=True)
    record.job.refresh_from_db()
    errors = record.job.result["errors"]
    assert errors and set(errors[0]) == {"sheet", "row", "column", "message"}
    assert errors[0]["sheet"] == "成员" and errors[0]["column"] == "身份证号"


@pytest.mark.parametrize("households", [5, 60])
def test_queries_do_not_grow_per_row(admin, place, households, django_assert_max_num_queries):
    # a registered household in the file too, so updates and history are part of the count
    make_household(household_number="N00000", natural_village=place)
    source = roster(place, households)
    with django_assert_max_num_queries(40):
        outcome = household_roster_import(user=admin, source=source, dry_run=False)
    assert outcome.written or outcome.errors


def test_template_has_drop_downs_instructions_and_scoped_places(place):
    other = NaturalVillageFactory()
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=place.village.township)
    stream = io.BytesIO()
    household_roster_template(user=official, stream=stream)
    wb = load_workbook(stream)
    assert wb.sheetnames[:3] == ["成员", "年度收入", "填写说明"] and wb["选项"].sheet_state == "hidden"
    ws = wb["成员"]
    assert [c.value for c in ws[1]][:3] == ["户编号", "乡镇", "行政村"]
    validated = {str(dv.sqref).split(":")[0] for dv in ws.data_validations.dataValidation}
    # 乡镇 行政村 自然村 与户主关系 性别 民族 文化程度 在校生状况 健康状况 劳动能力 务工状况 属性 原因 状态
    assert validated == {"B2", "C2", "D2", "G2", "H2", "I2", "J2", "K2", "L2", "M2", "N2", "O2", "P2", "S2"}
    lists = {c.value: c.column_letter for c in wb["选项"][1]}
    townships = [c.value for c in wb["选项"][lists["成员·乡镇"]][1:] if c.value]
    assert townships == [place.village.township.name] and other.village.township.name not in townships
    bools = {str(dv.sqref).split(":")[0] for dv in wb["年度收入"].data_validations.dataValidation}
    assert {"H2", "M2"} <= bools
    text = " ".join(str(c) for row in wb["填写说明"].iter_rows(values_only=True) for c in row if c)
    assert "身份证号" in text and "必填" in text


def test_export_job_writes_a_file(admin, place, django_capture_on_commit_callbacks):
    from core.jobs import job_enqueue
    from core.tasks import roster_export_task

    make_household(natural_village=place)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(
            kind="households_export",
            task=roster_export_task,
            params={"filters": {"township_id": place.village.township_id, "evil": 1}},
            created_by=admin,
        )
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.result["households"] == 1 and job.result["members"] == 2
    from django.core.files.storage import default_storage

    with default_storage.open(job.result["file"], "rb") as f:
        assert load_workbook(f).sheetnames[:2] == ["成员", "年度收入"]
