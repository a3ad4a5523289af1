"""The roster pages in the browser's shoes: the clerk's whole flow (template → fill → dry run → preview →
errors and the red error workbook → fix → commit), the job path with its progress bar, who sees whose
imports, the household list's export (filtered, masked, as a job when large) and the round trip of a
generated county."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from core.models import ImportRecord, Job
from demo.generation import ensure_geography, generate_households
from households.eligibility import eligibility_recompute
from households.models import Assessment, Household, Member
from tests.core.excel.helpers import fingerprint, member_row, workbook
from tests.factories import NaturalVillageFactory, UserFactory, make_household, make_id_number

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _fill(template: bytes, place, households: int = 2, **overrides) -> io.BytesIO:
    """The downloaded template, filled in as a clerk would: by header, under the template's own header row."""
    wb = load_workbook(io.BytesIO(template))
    members, assessments = wb["成员"], wb["年度收入"]
    m_headers = [c.value for c in members[1]]
    a_headers = [c.value for c in assessments[1]]
    # Row by row from row 2: the template's columns are formatted further down, so append() would go past them.
    m_row, a_row = 2, 2
    for n in range(households):
        hh = {"number": f"YM{n:04d}", "nv": place}
        head = member_row(hh, 姓名=f"户主{n}", 身份证号=make_id_number(sex="male"), **overrides)
        spouse = member_row(
            hh, 姓名=f"配偶{n}", 身份证号=make_id_number(sex="female"), 与户主关系="配偶", 性别="女"
        )
        for row in (head, spouse):
            for column, header in enumerate(m_headers, 1):
                members.cell(row=m_row, column=column, value=row.get(header))
            m_row += 1
        income = {"户编号": hh["number"], "年度": 2016, "工资性收入": 6000, "生产经营性支出": 500}
        for column, header in enumerate(a_headers, 1):
            zero = header in ("生产经营性收入", "财产性收入", "转移性收入")
            assessments.cell(row=a_row, column=column, value=0 if zero else income.get(header, "是"))
        a_row += 1
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "我的花名册.xlsx"
    return out


def _upload(client, source, *, dry_run=True, roster="households"):
    data = {"roster": roster, "file": source}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("rosters:upload"), data)


def test_the_clerks_whole_flow(client, clerk, place):
    client.force_login(clerk)
    page = client.get(reverse("households:rosters"), follow=True)
    assert (
        page.status_code == 200 and "贫困户花名册（成员、年度收入）" in page.text and "下载模板" in page.text
    )
    assert 'name="dry_run"' in page.text and "checked" in page.text  # 仅校验 is the default

    template = client.get(reverse("rosters:template", args=["households"]))
    assert template.status_code == 200 and "attachment" in template["Content-Disposition"]
    template = _body(template)

    # a broken file: an unknown relation → errors on the page, the error workbook with the red cell
    response = _upload(client, _fill(template, place, 与户主关系="表弟"))
    record = ImportRecord.objects.get()
    assert response.status_code == 302 and response.url == reverse("rosters:import", args=[record.pk])
    page = client.get(response.url)
    assert record.created_by == clerk and record.state == ImportRecord.State.FAILED
    assert "发现 2 处错误" in page.text and "不是可选值" in page.text and "确认导入" not in page.text
    assert "与户主关系" in page.text and "下载错误标注工作簿" in page.text
    marked = client.get(reverse("rosters:import-errors", args=[record.pk]))
    wb = load_workbook(io.BytesIO(_body(marked)))
    assert wb.sheetnames[0] == "错误清单"
    column = [c.value for c in wb["成员"][1]].index("与户主关系") + 1
    bad = wb["成员"].cell(row=2, column=column)
    assert bad.value == "表弟" and bad.fill.fgColor.rgb.endswith("FF9999") and bad.comment is not None
    assert Household.objects.count() == 0

    # fixed: the preview counts, nothing written yet
    response = _upload(client, _fill(template, place))
    record = ImportRecord.objects.latest("id")
    page = client.get(response.url)
    assert record.state == ImportRecord.State.CHECKED
    assert "校验通过" in page.text and "确认导入" in page.text
    assert [(r["label"], r["created"]) for r in page.context["count_rows"]] == [
        ("贫困户", 2),
        ("家庭成员", 4),
        ("年度收入", 2),
    ]
    assert Household.objects.count() == 0

    # commit: the same page shows the result
    response = client.post(reverse("rosters:import-commit", args=[record.pk]), follow=True)
    assert response.status_code == 200 and "已导入" in response.text and "导入结果" in response.text
    record.refresh_from_db()
    assert record.state == ImportRecord.State.COMMITTED and record.committed_at is not None
    assert Household.objects.count() == 2 and Member.objects.count() == 4 and Assessment.objects.count() == 2
    # committing twice does nothing more
    response = client.post(reverse("rosters:import-commit", args=[record.pk]), follow=True)
    assert "已经导入" in response.text and Member.objects.count() == 4

    # the uploads are kept and listed with their state
    index = client.get(reverse("rosters:index"))
    assert index.text.count("我的花名册.xlsx") == 2 and "我的导入记录" in index.text
    original = client.get(reverse("rosters:import-file", args=[record.pk]))
    assert load_workbook(io.BytesIO(_body(original)))["成员"]["A2"].value == "YM0000"


def test_direct_import_without_dry_run(client, clerk, place):
    client.force_login(clerk)
    template = _body(client.get(reverse("rosters:template", args=["households"])))
    response = _upload(client, _fill(template, place, households=1), dry_run=False)
    page = client.get(response.url)
    assert "已导入" in page.text and Household.objects.count() == 1


def test_upload_form_errors_are_shown_not_raised(client, clerk):
    client.force_login(clerk)
    response = client.post(reverse("rosters:upload"), {"roster": "households", "dry_run": "on"})
    assert response.status_code == 400 and "请选择要上传的 Excel 文件" in response.text
    empty = io.BytesIO(b"")
    empty.name = "空.xlsx"
    response = _upload(client, empty)
    assert response.status_code == 400 and "空" in response.text
    response = client.post(reverse("rosters:upload"), {"roster": "nope", "file": workbook([])})
    assert response.status_code == 400
    # a file that is no workbook at all: kept, with a message, no error workbook
    csv = io.BytesIO(b"a,b\n1,2\n")
    csv.name = "名单.xlsx"
    page = client.get(_upload(client, csv).url)
    assert "CSV" in page.text and "下载错误标注工作簿" not in page.text
    assert ImportRecord.objects.get().state == ImportRecord.State.FAILED


def test_long_error_lists_are_paginated(client, clerk, place):
    client.force_login(clerk)
    rows = [member_row({"number": f"N{n}", "nv": place}, 身份证号="1234") for n in range(60)]
    page = client.get(_upload(client, workbook(rows)).url)
    assert len(page.context["errors_page"].object_list) == 50 and "errors_page=2" in page.text
    second = client.get(page.request["PATH_INFO"], {"errors_page": 2})
    assert len(second.context["errors_page"].object_list) == 10


def test_a_big_file_runs_as_a_job_with_a_progress_bar(
    client, clerk, place, settings, django_capture_on_commit_callbacks
):
    settings.ROSTER_ASYNC_ROWS = 10
    client.force_login(clerk)
    template = _body(client.get(reverse("rosters:template", args=["households"])))
    # Queued, not yet run: the page shows the progress bar that polls the status every 2 s.
    response = _upload(client, _fill(template, place, households=8))
    record = ImportRecord.objects.get()
    assert record.job is not None and record.job.state == Job.State.QUEUED
    page = client.get(response.url)
    status_url = reverse("rosters:import-status", args=[record.pk])
    assert 'role="progressbar"' in page.text and f'hx-get="{status_url}"' in page.text
    assert 'hx-trigger="every 2s"' in page.text
    Job.objects.filter(pk=record.job.pk).update(state=Job.State.RUNNING, progress=40)
    fragment = client.get(status_url)
    assert fragment.status_code == 200 and "40%" in fragment.text and "<html" not in fragment.text

    # With the job run (the broker's part), the status asks for a reload and the page shows the result.
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, _fill(template, place, households=8))
    record = ImportRecord.objects.latest("id")
    assert record.job.state == Job.State.DONE and record.state == ImportRecord.State.CHECKED
    assert record.job.result["created"] == 8 + 16 + 8
    finished = client.get(reverse("rosters:import-status", args=[record.pk]))
    assert finished.status_code == 204 and finished["HX-Refresh"] == "true"
    page = client.get(response.url)
    assert "progressbar" not in page.text and "校验通过" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("rosters:import-commit", args=[record.pk]), follow=True)
    assert 'role="progressbar"' in page.text  # the commit runs as a job too: its progress first
    record.refresh_from_db()
    assert record.state == ImportRecord.State.COMMITTED and "已导入" in client.get(response.url).text
    assert Member.objects.count() == 16


def test_others_cannot_see_or_download_an_import(client, clerk, place):
    client.force_login(clerk)
    rows = [member_row({"number": "N1", "nv": place}, 身份证号="1234")]
    record_url = _upload(client, workbook(rows)).url
    record = ImportRecord.objects.get()
    other = UserFactory(role=Role.VILLAGE_OFFICIAL, village=NaturalVillageFactory().village)
    client.force_login(other)
    for name in ("rosters:import", "rosters:import-status", "rosters:import-file", "rosters:import-errors"):
        assert client.get(reverse(name, args=[record.pk])).status_code == 404, name
    assert client.post(reverse("rosters:import-commit", args=[record.pk])).status_code == 404
    # Not listed: its link (looking for its text "N1" met it in the page's random CSRF token now and then).
    assert record_url not in client.get(reverse("rosters:index")).text
    # the county admin sees every import, but commits only their own uploads
    admin = UserFactory(role=Role.COUNTY_ADMIN)
    client.force_login(admin)
    assert client.get(record_url).status_code == 200
    index = client.get(reverse("rosters:index")).text
    assert "全部导入记录" in index and record_url in index


def test_only_the_uploader_commits(client, clerk, place):
    client.force_login(clerk)
    template = _body(client.get(reverse("rosters:template", args=["households"])))
    record_url = _upload(client, _fill(template, place, households=1)).url
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    page = client.get(record_url)
    assert "只有上传人可以确认导入" in page.text
    record = ImportRecord.objects.get()
    page = client.post(reverse("rosters:import-commit", args=[record.pk]), follow=True)
    assert "只能导入自己上传的文件" in page.text and Household.objects.count() == 0


def test_roles_that_do_not_import(client, place):
    inspector = UserFactory(role=Role.INSPECTOR)
    client.force_login(inspector)
    page = client.get(reverse("rosters:index"))
    assert page.status_code == 200 and 'name="file"' not in page.text
    assert reverse("rosters:template", args=["households"]) not in page.text
    assert client.get(reverse("rosters:template", args=["households"])).status_code == 404
    response = client.post(reverse("rosters:upload"), {"roster": "households", "file": workbook([])})
    assert response.status_code == 404 and not ImportRecord.objects.exists()


# -- exports ------------------------------------------------------------------------------------------------


def _export_rows(response) -> list[tuple]:
    wb = load_workbook(io.BytesIO(_body(response)))
    return list(wb["成员"].iter_rows(min_row=2, values_only=True))


def test_household_list_has_an_export_button_with_its_filters(client, place):
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    page = client.get(reverse("households:list"), {"township": place.village.township_id, "page": 1})
    url = reverse("rosters:export", args=["households"])
    assert f'href="{url}?township={place.village.township_id}"' in page.text


def test_export_of_a_filtered_list_masks_ids_for_an_inspector(client, place):
    mine = make_household(natural_village=place, household_number="A001")
    make_household(natural_village=NaturalVillageFactory(), household_number="B001")  # another township
    client.force_login(UserFactory(role=Role.INSPECTOR))
    url = reverse("rosters:export", args=["households"])
    response = client.get(url, {"township": place.village.township_id})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    rows = _export_rows(response)
    assert {r[0] for r in rows} == {"A001"} and len(rows) == mine.members.count()
    assert all("*" in r[5] for r in rows)
    # an official in scope sees whole ID numbers
    client.force_login(UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=place.village.township))
    rows = _export_rows(client.get(url))
    assert {r[0] for r in rows} == {"A001"} and not any("*" in r[5] for r in rows)


def test_a_large_export_runs_as_a_job_with_a_download_link(
    client, place, settings, django_capture_on_commit_callbacks
):
    settings.ROSTER_EXPORT_ASYNC_HOUSEHOLDS = 1
    for n in range(2):
        make_household(natural_village=place, household_number=f"A00{n}")
    admin = UserFactory(role=Role.COUNTY_ADMIN)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("rosters:export", args=["households"]))
    job = Job.objects.get(kind="roster_export")
    assert response.status_code == 302 and response.url == reverse("rosters:export-job", args=[job.pk])
    page = client.get(response.url)
    download = reverse("rosters:export-download", args=[job.pk])
    assert "导出完成" in page.text and download in page.text
    assert {r[0] for r in _export_rows(client.get(download))} == {"A000", "A001"}
    # someone else's export is not theirs to see
    client.force_login(UserFactory(role=Role.VILLAGE_OFFICIAL, village=place.village))
    assert client.get(download).status_code == 404
    assert client.get(reverse("rosters:export-job", args=[job.pk])).status_code == 404


def test_a_running_export_shows_its_progress(client, place, settings):
    settings.ROSTER_EXPORT_ASYNC_HOUSEHOLDS = 0
    make_household(natural_village=place)
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    page = client.get(reverse("rosters:export", args=["households"]), follow=True)
    job = Job.objects.get(kind="roster_export")
    assert job.state == Job.State.QUEUED and 'role="progressbar"' in page.text
    assert client.get(reverse("rosters:export-download", args=[job.pk])).status_code == 404


def test_export_then_reimport_of_a_generated_county_changes_nothing(
    client, django_capture_on_commit_callbacks
):
    ensure_geography(townships=2, villages=2, natural_villages=2)
    generate_households(count=150)
    # 健康状况 stored out of the roster's order (as forms and the demo data may): still the same value
    Member.objects.filter(pk=Member.objects.order_by("pk").values("pk")[:1]).update(
        health=["disabled", "chronic"]
    )
    eligibility_recompute(trigger="manual")
    admin = UserFactory(role=Role.COUNTY_ADMIN)
    client.force_login(admin)
    exported = _body(client.get(reverse("rosters:export", args=["households"])))
    before = fingerprint()
    source = io.BytesIO(exported)
    source.name = "导出.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        record_url = _upload(client, source).url
    record = ImportRecord.objects.get()
    assert record.state == ImportRecord.State.CHECKED, record.errors[:3]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("rosters:import-commit", args=[record.pk]))
    record.refresh_from_db()
    assert record.state == ImportRecord.State.COMMITTED
    assert record.counts["created"] == record.counts["updated"] == 0
    assert record.counts["households"]["unchanged"] == 150
    assert fingerprint() == before
    assert "已导入" in client.get(record_url).text


def test_template_and_export_need_a_known_roster(client):
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    assert client.get(reverse("rosters:template", args=["nope"])).status_code == 404
    assert client.get(reverse("rosters:export", args=["nope"])).status_code == 404
    assert client.get(reverse("rosters:import", args=[999])).status_code == 404
    assert client.get(reverse("rosters:export-job", args=[999])).status_code == 404


def test_a_member_that_exists_elsewhere_shows_in_the_preview(client, clerk, place):
    # a registered person in another household: the page names the conflict, the import writes nothing
    other = make_household(natural_village=place, household_number="X1")
    taken = other.members.first().id_number
    client.force_login(clerk)
    rows = [member_row({"number": "N1", "nv": place}, 身份证号=taken)]
    page = client.get(_upload(client, workbook(rows)).url)
    assert "已登记在其他户" in page.text and Household.objects.count() == 1


def test_an_exported_file_is_sized_by_its_bytes(client, place, settings, django_capture_on_commit_callbacks):
    # A streamed export declares no sheet dimension: its size decides whether it runs as a job.
    settings.ROSTER_ASYNC_ROWS = 10
    for n in range(3):
        make_household(natural_village=place, household_number=f"A00{n}")
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    source = io.BytesIO(_body(client.get(reverse("rosters:export", args=["households"]))))
    source.name = "导出.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, source)
    record = ImportRecord.objects.get()
    assert record.job is not None and record.state == ImportRecord.State.CHECKED
    assert record.counts["households"]["unchanged"] == 3
