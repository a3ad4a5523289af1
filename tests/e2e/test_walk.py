"""Issue 12, the walk: the product's key pages in headless Chromium against the live server on PostgreSQL,
background jobs in a real Celery worker (when REDIS_URL is set; inline otherwise).

Each demo login (demo_accounts) signs in and sees its home; a broken roster is refused and its error
workbook opens in openpyxl, a good one is checked and imported; the dashboards of the county, a township
and a village, the exit report and the map; an export of the registry, made by the worker, imports back
unchanged. The five exit steps and the offline revisits on a 360 px phone are walked by
test_exit_procedure.py and test_offline_revisits.py. Every page is watched (conftest.Problems): a
JavaScript error, a failed request or an unexpected error answer fails the test. A screenshot of each key
page goes to E2E_ARTIFACTS (artifacts/e2e/ by default).
"""

import datetime
import re

import pytest
from celery.contrib.testing.worker import start_worker
from openpyxl import Workbook, load_workbook

from core.excel.writers import ERROR_FILL
from core.models import ImportRecord
from demo.accounts import DEMO_PASSWORD, demo_accounts_ensure
from households import choices
from households.eligibility import eligibility_recompute
from households.models import Household
from households.rosters import MEMBERS
from households.services import village_figures_refresh
from poverty_tracker.celery import app as celery_app
from tests.e2e.browser import MARKS, OFFICE
from tests.factories import (
    AssessmentFactory,
    CadreFactory,
    NaturalVillageFactory,
    PairingFactory,
    RevisitRoundFactory,
    TownshipFactory,
    VillageFactory,
    make_household,
    make_id_number,
    member_data,
)

# celery_worker: tasks go through Redis to the worker below instead of running inline (tests/conftest.py).
pytestmark = [*MARKS, pytest.mark.celery_worker]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
HOMES = {
    # demo login: what its home shows (DESIGN.md §8: the dashboard of its scope; a cadre's households)
    "admin": ("/", "元谋县"),
    "jiangyi": ("/", "姜驿乡"),
    "laocheng": ("/", "老城乡"),
    "boheng": ("/", "波亨村"),
    "cadre": ("/", "邓文明"),  # served the phone's household list
    "inspector": ("/", "元谋县"),
}


@pytest.fixture
def worker():
    """A real Celery worker on REDIS_URL, or nothing when tasks run inline (no REDIS_URL)."""
    if celery_app.conf.task_always_eager:
        yield None
        return
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as w:
        yield w


@pytest.fixture
def county(settings, tmp_path):
    """The demo county's named places and logins, with a few households (load_demo takes minutes)."""
    settings.MEDIA_ROOT = tmp_path
    # Small files go through the worker as large ones do: the walk shows the progress pages.
    settings.ROSTER_ASYNC_ROWS = 2
    settings.ROSTER_EXPORT_ASYNC_HOUSEHOLDS = 1
    laocheng = TownshipFactory(name="老城乡", county__name="元谋县")
    TownshipFactory(name="姜驿乡", county=laocheng.county)
    boheng = VillageFactory(name="波亨村", township=laocheng)
    place = NaturalVillageFactory(
        village=boheng, name="波亨一组", latitude="25.712000", longitude="101.873000"
    )
    cadre = CadreFactory(name="夏霞娟")
    households = []
    for head, income in (("邓文明", 9000), ("李正华", 4800), ("朱辉", 5000)):
        household = make_household(
            natural_village=place,
            members=[
                member_data(name=head),
                member_data(choices.Relation.SPOUSE, sex="female", name=f"{head}妻"),
            ],
        )
        AssessmentFactory(household=household, year=2016, wage_income=income, operating_income=0)
        PairingFactory(cadre=cadre, household=household, started_on=datetime.date(2016, 1, 4))
        households.append(household)
    today = datetime.date.today()
    RevisitRoundFactory(
        year=today.year, number=1, starts_on=today - datetime.timedelta(days=5), ends_on=today
    )
    accounts = {a.user.username: a.user for a in demo_accounts_ensure()}
    eligibility_recompute()
    village_figures_refresh()
    return {"place": place, "households": households, "accounts": accounts}


def sign_in(browser, base: str, username: str, **context):
    page = browser.new_context(**(context or OFFICE)).new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    return page


def settled(page):
    """Waits until the page and its scripts' requests are done (charts drawn, map tiles asked for)."""
    page.wait_for_load_state("networkidle")
    return page


def test_each_demo_login_signs_in_and_sees_its_home(live_server, county, browser, shot):
    for username, (path, shown) in HOMES.items():
        page = sign_in(browser, live_server.url, username, **(PHONE if username == "cadre" else OFFICE))
        page.wait_for_url(f"{live_server.url}{path}")
        assert shown in settled(page).inner_text("body"), username
        shot(page, f"home-{username}")
        page.context.close()


def roster_file(rows: list[list], path) -> str:
    """A 成员 sheet with the roster's headers and ``rows``."""
    wb = Workbook()
    ws = wb.active
    ws.title = MEMBERS.name
    ws.append(MEMBERS.headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return str(path)


def member_row(number: str, name: str, id_number: str, relation="户主", sex="男") -> list:
    return [
        number, "老城乡", "波亨村", "波亨一组", name, id_number, relation, sex, "彝族", "小学", "非在校生",
        "健康", "普通劳动力", "乡（镇）内务工", "一般贫困户", "因病", 2016, "13900000000", "未脱贫", None,
    ]  # fmt: skip


def upload(page, base: str, path: str) -> None:
    page.goto(f"{base}/rosters/")
    page.set_input_files("#file-households", path)
    page.click("#file-households >> xpath=ancestor::form//button[@type='submit']")
    page.wait_for_url(re.compile(r"/rosters/imports/\d+/$"))
    # The worker checks the file; the page follows its progress and shows the result when it is done.
    page.wait_for_selector(".alert-danger, .alert-success", timeout=60000)
    settled(page)


def test_a_broken_roster_is_refused_with_its_error_workbook_then_a_good_one_imports(
    live_server, county, browser, worker, shot, tmp_path
):
    base = live_server.url
    page = sign_in(browser, base, "boheng")
    page.goto(f"{base}/rosters/")
    shot(settled(page), "rosters")

    broken = roster_file(
        [
            member_row("P000000901", "普文", "532328199001011235"),  # wrong check character
            member_row("P000000901", "普文妻", make_id_number(sex="female"), relation="配偶", sex="男"),
        ],
        tmp_path / "broken.xlsx",
    )
    upload(page, base, broken)
    assert "未写入任何数据" in page.inner_text(".alert-danger")
    shot(page, "import-broken")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载错误标注工作簿").click()
    errors_path = tmp_path / "errors.xlsx"
    download.value.save_as(errors_path)
    workbook = load_workbook(errors_path)
    listed = "\n".join(
        str(cell) for row in workbook.worksheets[0].iter_rows(values_only=True) for cell in row if cell
    )
    assert "身份证号" in listed and "性别" in listed
    members = workbook[MEMBERS.name]
    marked = [c for row in members.iter_rows(min_row=2) for c in row if c.comment is not None]
    assert marked and all(c.fill.fgColor.rgb.endswith(ERROR_FILL.fgColor.rgb[-6:]) for c in marked)
    assert not Household.objects.filter(household_number="P000000901").exists()

    good = roster_file(
        [
            member_row("P000000902", "普文", make_id_number(sex="male")),
            member_row("P000000902", "普文妻", make_id_number(sex="female"), relation="配偶", sex="女"),
        ],
        tmp_path / "good.xlsx",
    )
    upload(page, base, good)
    assert "校验通过" in page.inner_text(".alert-success")
    shot(page, "import-checked")
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("text=已导入。", timeout=60000)
    shot(settled(page), "import-committed")
    household = Household.objects.get(household_number="P000000902")
    assert household.members.count() == 2
    assert ImportRecord.objects.filter(state=ImportRecord.State.COMMITTED).count() == 1


def test_every_dashboard_and_the_map(live_server, county, browser, shot):
    base = live_server.url
    place = county["place"]
    page = sign_in(browser, base, "admin")
    for name, path in (
        ("county", "/villages/county/"),
        ("township", f"/villages/township/{place.village.township_id}/"),
        ("village", f"/villages/village/{place.village_id}/"),
        ("exit-report", "/villages/exit/"),
        ("map", "/villages/map/"),
        ("households", f"/households/?village={place.village_id}"),
        ("household", f"/households/{county['households'][0].pk}/"),
    ):
        page.goto(base + path)
        assert page.locator("h1").count() >= 1, path
        shot(settled(page), name)
    assert page.locator(".leaflet-container").count() == 0  # the household page, last
    page.goto(f"{base}/villages/map/")
    assert settled(page).locator(".leaflet-container").count() == 1


def test_an_export_made_by_the_worker_imports_back_unchanged(
    live_server, county, browser, worker, shot, tmp_path
):
    base = live_server.url
    page = sign_in(browser, base, "admin")
    page.goto(f"{base}/rosters/households/export/")
    page.wait_for_url(re.compile(r"/rosters/exports/\d+/$"))
    page.wait_for_selector("text=导出完成。", timeout=60000)
    shot(settled(page), "export-done")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载导出文件").click()
    exported = tmp_path / "export.xlsx"
    download.value.save_as(exported)
    rows = list(load_workbook(exported, read_only=True)[MEMBERS.name].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 6  # three households of two

    upload(page, base, str(exported))
    assert "校验通过" in page.inner_text(".alert-success")
    shot(page, "export-reimport-preview")
    counts = ImportRecord.objects.latest("id").counts
    assert (counts["created"], counts["updated"]) == (0, 0), counts
    assert counts["unchanged"] >= 3, counts
