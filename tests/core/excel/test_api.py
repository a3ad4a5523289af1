"""The roster API (DESIGN.md §7): imports/ (multipart file, dry_run, roster), imports/{id}/commit/,
exports/households/. Bad files answer 400 with the errors in Chinese, never 500; others' imports 404."""

import io
import zipfile

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import Role
from core.models import ImportRecord, Job
from households.models import Household, Member
from tests.core.excel.helpers import member_row, named, workbook
from tests.factories import NaturalVillageFactory, UserFactory, make_household, make_id_number

pytestmark = pytest.mark.django_db

IMPORTS = "/api/v1/imports/"
EXPORT = "/api/v1/exports/households/"


def family(place, number: str = "N1") -> io.BytesIO:
    hh = {"number": number, "nv": place}
    rows = [
        member_row(hh, 身份证号=make_id_number(sex="male")),
        member_row(hh, 姓名="李秀英", 身份证号=make_id_number(sex="female"), 与户主关系="配偶", 性别="女"),
    ]
    return workbook(rows)


@pytest.fixture
def api(admin):
    client = APIClient()
    client.force_authenticate(admin)
    return client


def test_dry_run_then_commit(api, place, django_capture_on_commit_callbacks):
    response = api.post(IMPORTS, {"file": family(place)}, format="multipart")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["state"] == "checked" and data["dry_run"] is True and data["job"] is None
    result = data["result"]
    assert {"created", "updated", "unchanged", "errors"} <= set(result)
    assert result["created"] == 1 + 2 and result["errors"] == [] and data["roster"] == "households"
    assert Household.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{IMPORTS}{data['id']}/commit/")
    assert response.status_code == 200 and response.json()["state"] == "committed"
    assert Member.objects.count() == 2
    # twice: refused, with the reason
    response = api.post(f"{IMPORTS}{data['id']}/commit/")
    assert response.status_code == 400 and "已经导入" in str(response.json())
    listed = api.get(IMPORTS).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == data["id"]


def test_import_without_dry_run(api, place):
    response = api.post(IMPORTS, {"file": family(place), "dry_run": "false"}, format="multipart")
    assert response.status_code == 201 and response.json()["state"] == "committed"
    assert Household.objects.count() == 1


def test_errors_in_the_result_and_a_400(api, place):
    rows = [member_row({"number": "N1", "nv": place}, 身份证号="1234", 与户主关系="表弟")]
    response = api.post(IMPORTS, {"file": workbook(rows)}, format="multipart")
    assert response.status_code == 400
    data = response.json()
    errors = data["result"]["errors"]
    assert {tuple(e) for e in errors} == {("sheet", "row", "column", "message")}  # in this order
    assert {e["column"] for e in errors} >= {"身份证号", "与户主关系"} and data["has_error_file"]
    assert "未写入任何数据" in data["detail"]
    marked = api.get(f"{IMPORTS}{data['id']}/error-file/")
    wb = load_workbook(io.BytesIO(b"".join(marked.streaming_content)))
    assert wb.sheetnames[0] == "错误清单" and wb["成员"]["G2"].comment is not None


def test_a_large_file_answers_its_job(api, place, settings, django_capture_on_commit_callbacks):
    settings.ROSTER_ASYNC_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(IMPORTS, {"file": family(place)}, format="multipart")
    assert response.status_code == 202
    job = response.json()["job"]
    assert job["kind"] == "roster_import"
    followed = api.get(f"/api/v1/jobs/{job['id']}/").json()
    assert followed["state"] == "done" and followed["progress"] == 100
    assert followed["result"]["created"] == 3 and followed["result"]["errors"] == []
    assert api.get(f"{IMPORTS}{response.json()['id']}/").json()["state"] == "checked"


def _zip(entries: dict[str, bytes]) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return named(out.getvalue())


BAD_FILES = {
    "csv": lambda place: named(b"a,b\n1,2\n", "名单.csv"),
    "text": lambda place: named("户编号 姓名\n".encode(), "名单.xlsx"),
    "xls": lambda place: named(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧格式.xls"),
    "not_a_workbook_zip": lambda place: _zip({"hello.txt": b"hi"}),
    "broken_zip": lambda place: named(b"PK\x03\x04broken"),
    "header_only": lambda place: workbook([]),
    "no_roster_sheet": lambda place: workbook([], edit=lambda wb: setattr(wb["成员"], "title", "Sheet1")),
    "unknown_header": lambda place: workbook([], member_headers=["户编号", "乱码"]),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_files_answer_400_in_chinese(api, place, kind):
    response = api.post(IMPORTS, {"file": BAD_FILES[kind](place)}, format="multipart")
    assert response.status_code == 400, (kind, response.status_code)
    errors = response.json()["result"]["errors"]
    assert errors and all(any("\u4e00" <= ch <= "\u9fff" for ch in e["message"]) for e in errors)
    assert Household.objects.count() == 0


def test_bad_requests_answer_400(api, settings):
    assert api.post(IMPORTS, {}, format="multipart").status_code == 400
    response = api.post(IMPORTS, {"file": named(b"", "空.xlsx")}, format="multipart")
    assert response.status_code == 400 and "空" in str(response.json())
    response = api.post(IMPORTS, {"file": workbook([]), "roster": "nope"}, format="multipart")
    assert response.status_code == 400 and "没有名为 nope 的花名册" in str(response.json())
    response = api.post(IMPORTS, {"file": workbook([]), "dry_run": "perhaps"}, format="multipart")
    assert response.status_code == 400
    settings.ROSTER_MAX_BYTES = 100
    response = api.post(IMPORTS, {"file": workbook([])}, format="multipart")
    assert response.status_code == 400 and "超过上限" in response.json()["result"]["errors"][0]["message"]
    assert api.post(f"{IMPORTS}999/commit/").status_code == 404


def test_others_imports_are_404_and_commit_is_the_uploaders(api, admin, place):
    record_id = api.post(IMPORTS, {"file": family(place)}, format="multipart").json()["id"]
    stranger = APIClient()
    stranger.force_authenticate(UserFactory(role=Role.VILLAGE_OFFICIAL, village=place.village))
    assert stranger.get(f"{IMPORTS}{record_id}/").status_code == 404
    assert stranger.post(f"{IMPORTS}{record_id}/commit/").status_code == 404
    assert stranger.get(f"{IMPORTS}{record_id}/error-file/").status_code == 404
    assert stranger.get(IMPORTS).json()["count"] == 0
    other_admin = APIClient()
    other_admin.force_authenticate(UserFactory(role=Role.COUNTY_ADMIN))
    assert other_admin.get(f"{IMPORTS}{record_id}/").status_code == 200
    response = other_admin.post(f"{IMPORTS}{record_id}/commit/")
    assert response.status_code == 403 and "自己上传" in response.json()["detail"]
    assert ImportRecord.objects.get().state == ImportRecord.State.CHECKED


def test_roles_that_do_not_import(place):
    client = APIClient()
    client.force_authenticate(UserFactory(role=Role.INSPECTOR))
    response = client.post(IMPORTS, {"file": family(place)}, format="multipart")
    assert response.status_code == 403 and not ImportRecord.objects.exists()
    assert APIClient().post(IMPORTS, {"file": family(place)}, format="multipart").status_code in (401, 403)


def test_export_of_filtered_households_masked_for_an_inspector(place):
    make_household(natural_village=place, household_number="A001")
    make_household(natural_village=NaturalVillageFactory(), household_number="B001")
    client = APIClient()
    client.force_authenticate(UserFactory(role=Role.INSPECTOR))
    response = client.get(EXPORT, {"township": place.village.township_id})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(wb["成员"].iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in rows} == {"A001"} and all("*" in r[5] for r in rows)
    assert client.get(EXPORT, {"status": "nonsense"}).status_code == 400
    assert client.get(EXPORT, {"township": "abc"}).status_code == 400


def test_export_imports_back_unchanged_through_the_api(api, place):
    for n in range(3):
        make_household(natural_village=place, household_number=f"A00{n}")
    response = api.get(EXPORT)
    source = named(b"".join(response.streaming_content))
    response = api.post(IMPORTS, {"file": source, "dry_run": "false"}, format="multipart")
    assert response.status_code == 201, response.json()
    result = response.json()["result"]
    assert result["created"] == result["updated"] == 0 and result["households"]["unchanged"] == 3
    assert not Job.objects.filter(kind="roster_import").exists()
