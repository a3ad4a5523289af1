"""Issue 13, done when: in a browser, a cadre raises a risk on a revisit, the village official checks it, the
township reviews it and the county confirms it. The household then shows as 脱贫不稳定户 with a plan, and
after the stable months its risk is cleared through the public notice.

Headless Chromium (Debian's /usr/bin/chromium) against pytest-django's live server: the cadre on a 360 px
phone (the real form, outbox and sync loop), the officials at desks. Two stand-ins for waiting: the household's
income is recorded as stable since seven months ago (through the page's form), and the 公示 is ended by moving
its last day into the past, as the exit procedure's walk does.
"""

import datetime
from decimal import Decimal

import pytest

from accounts.models import Role
from households import choices
from households.models import HelpPlan, Household
from monitoring.choices import FoundBy, Kind, State
from monitoring.models import MonitoringLine, MonitoringObject
from monitoring.services import add_months
from tests.e2e.browser import MARKS, OFFICE, sign_in
from tests.factories import (
    CadreFactory,
    NaturalVillageFactory,
    PairingFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
    make_household,
    member_data,
)
from tests.monitoring.helpers import assess

pytestmark = MARKS


@pytest.fixture
def county():
    today = datetime.date.today()
    township = TownshipFactory(name="老城乡")
    place = NaturalVillageFactory(village=VillageFactory(name="波亨村", township=township))
    household = make_household(
        natural_village=place,
        members=[
            member_data(name="邓文明"),
            member_data(choices.Relation.SPOUSE, sex="female", name="邓文明妻"),
        ],
    )
    Household.objects.filter(pk=household.pk).update(status=choices.Status.EXITED, exit_year=2016)
    # Income well above the monitoring line, all six guarantees met: what 风险消除 asks for.
    MonitoringLine.objects.update_or_create(
        province_code="530000", year=2020, defaults={"income_line": Decimal(6000), "stable_months": 6}
    )
    assess(household, today.year - 1, 9000)
    HelpPlan.objects.create(
        household=household, year=today.year, cause_analysis="因病", plan="医疗救助，公益岗位"
    )
    cadre = CadreFactory(name="夏霞娟")
    PairingFactory(cadre=cadre, household=household, started_on=datetime.date(2016, 1, 4))
    return {
        "household": household,
        "cadre": UserFactory(username="cadre-e2e", role=Role.CADRE, cadre=cadre),
        "village": UserFactory(username="boheng-e2e", role=Role.VILLAGE_OFFICIAL, village=place.village),
        "township": UserFactory(username="laocheng-e2e", role=Role.TOWNSHIP_OFFICIAL, township=township),
        "admin": UserFactory(username="admin-e2e", role=Role.COUNTY_ADMIN),
    }


class Desk:
    """One official's browser session."""

    def __init__(self, browser, base, user):
        self.context = browser.new_context(**OFFICE)
        self.page = self.context.new_page()
        self.base = base
        sign_in(self.page, base, user)

    def open(self, path):
        self.page.goto(self.base + path)
        return self.page

    def open_object(self, household):
        """From the monitoring list, the household's object."""
        self.open("/monitoring/")
        self.page.click(f"text={household.household_number}")
        self.page.wait_for_load_state()

    def advance(self, comment, help_measures=""):
        form = "form[action$='/advance/']"
        self.page.select_option(f"{form} select[name=decision]", "approve")
        self.page.fill(f"{form} textarea[name=comment]", comment)
        if help_measures:
            self.page.fill(f"{form} textarea[name=help_measures]", help_measures)
        self.page.click(f"{form} button")
        self.page.wait_for_load_state()
        return self.state()

    def state(self):
        return self.page.inner_text("[data-state]").strip()


def phone_markers(page):
    return [m.strip() for m in page.locator("[data-marker]").all_inner_texts()]


def test_a_risk_raised_on_a_revisit_is_checked_reviewed_confirmed_and_cleared(
    live_server, county, browser, problems
):
    problems.expect(400, r"/monitoring/\d+/advance/$")  # the county refused while the 公示 runs
    base = live_server.url
    household = county["household"]

    # -- the cadre, on a phone with signal, records a revisit that raises a risk --------------------------
    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    cadre = phone.new_page()
    errors = []
    cadre.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(cadre, base, county["cadre"], "/assignments/m/")
    assert phone_markers(cadre) == []
    cadre.click(f"li[data-household-id='{household.pk}'] a.btn-side")
    cadre.wait_for_selector("#revisit-form")
    assert cadre.input_value("select[name=household]") == str(household.pk)
    cadre.fill("textarea[name=situation]", "户主上月住院，家中收入减少。")
    cadre.fill("textarea[name=problems]", "医疗支出较大。")
    cadre.check("input[name=risk_types][value=因病]")
    cadre.fill("input[name=risk_note]", "户主住院手术，自付医疗费约2万元")
    cadre.click("#revisit-form button[type=submit]")
    cadre.wait_for_function("document.getElementById('form-msg').textContent.includes('待上传 1 条')")
    # With signal the sync loop sends it at once, and says so.
    cadre.wait_for_function(
        "document.getElementById('sync-note').textContent.includes('已上传 1 条走访记录')", timeout=30000
    )

    candidate = MonitoringObject.objects.get(household=household)
    assert (candidate.state, candidate.found_by, candidate.kind) == (
        State.FOUND,
        FoundBy.VISIT,
        Kind.UNSTABLE,
    )
    cadre.goto(f"{base}/assignments/m/")
    assert phone_markers(cadre) == ["脱贫不稳定户 · 发现"]

    # -- 村级核实, 乡镇审核, 县级确认 with the help measures ---------------------------------------------------
    village = Desk(browser, base, county["village"])
    village.open_object(household)
    assert "户主住院手术，自付医疗费约2万元" in village.page.inner_text("body")
    assert "干部走访排查" in village.page.inner_text("body")
    assert village.advance("已入户核实，情况属实") == "村级核实"

    township = Desk(browser, base, county["township"])
    township.open_object(household)
    assert township.advance("乡镇审核同意") == "乡镇审核"

    admin = Desk(browser, base, county["admin"])
    admin.open_object(household)
    assert admin.advance("县级确认纳入监测", help_measures="落实医疗救助，安排公益岗位") == "纳入监测"
    body = admin.page.inner_text("body")
    assert "邓文明户 · 脱贫不稳定户" in body
    assert "落实医疗救助，安排公益岗位" in body
    assert f"{datetime.date.today().year}年一户一策" in body  # the household's help plan

    # The household's page says so too, with its plan.
    admin.page.click(f"a:has-text('{household.household_number}')")
    admin.page.wait_for_load_state()
    section = admin.page.inner_text("#monitoring")
    assert "脱贫不稳定户" in section and "纳入监测" in section
    assert f"帮扶计划：{datetime.date.today().year}年一户一策" in section
    cadre.goto(f"{base}/assignments/m/households/{household.pk}/")
    assert phone_markers(cadre) == ["脱贫不稳定户 · 纳入监测"]

    # -- 风险消除: stable since seven months ago, 公示, then the county confirms ------------------------------
    township.open_object(household)
    stable_since = add_months(datetime.date.today(), -7)
    township.page.fill("input[name=stable_since]", stable_since.isoformat())
    township.page.click("form[action$='/stable-since/'] button")
    township.page.wait_for_load_state()
    assert "已登记收入稳定起始日期" in township.page.inner_text("body")
    assert township.advance("收入稳定超过6个月，两不愁三保障达标") == "风险消除公示"
    assert "公示截止" in township.page.inner_text("body")

    admin.open_object(household)
    admin.advance("风险消除")
    assert "期满后才能办理" in admin.page.inner_text("body")  # the notice runs: the county waits
    assert admin.state() == "风险消除公示"
    MonitoringObject.objects.filter(pk=candidate.pk).update(
        notice_ends_on=datetime.date.today() - datetime.timedelta(days=1)
    )
    admin.open_object(household)
    assert admin.advance("公示无异议，风险消除") == "风险消除"

    candidate.refresh_from_db()
    assert candidate.state == State.CLEARED and candidate.cleared_on == datetime.date.today()
    assert list(candidate.steps.values_list("actor__username", flat=True)) == [
        "boheng-e2e",
        "laocheng-e2e",
        "admin-e2e",
        "laocheng-e2e",
        "admin-e2e",
    ]

    # The county's dashboard counts it as cleared this year, and the figure's link lists it.
    admin.open("/")
    assert admin.page.inner_text("[data-figure=cleared_this_year]").strip() == "1"
    admin.page.click("[data-figure=cleared_this_year]")
    admin.page.wait_for_load_state()
    assert admin.page.get_attribute("[data-count]", "data-count") == "1"
    assert household.household_number in admin.page.inner_text("table")

    # The cadre's phone no longer marks the household.
    cadre.goto(f"{base}/assignments/m/")
    assert phone_markers(cadre) == []
    assert errors == []


def test_a_risk_recorded_with_no_signal_waits_in_the_outbox_and_raises_one_candidate(
    live_server, county, browser
):
    base = live_server.url
    household = county["household"]
    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    cadre = phone.new_page()
    errors = []
    cadre.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(cadre, base, county["cadre"], "/assignments/m/revisit/")
    cadre.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20000)

    phone.set_offline(True)
    cadre.wait_for_function("navigator.onLine === false")
    cadre.select_option("select[name=household]", str(household.pk))
    cadre.fill("textarea[name=situation]", "暴雨冲毁部分耕地。")
    cadre.check("input[name=risk_types][value=因灾]")
    cadre.check("input[name=risk_types][value=因产业项目失败]")
    cadre.fill("input[name=risk_note]", "芒果园被冲毁")
    cadre.click("#revisit-form button[type=submit]")
    cadre.wait_for_function("document.getElementById('form-msg').textContent.includes('待上传 1 条')")
    # The form is cleared for the next visit, risk included.
    assert cadre.locator("input[name=risk_types]:checked").count() == 0
    assert cadre.input_value("input[name=risk_note]") == ""

    # The outbox page (from the service worker) lists it with its risk.
    cadre.click("nav.tabs a:nth-child(3)")
    cadre.wait_for_selector("[data-outbox-item]")
    assert "风险：因灾、因产业项目失败" in cadre.inner_text("[data-outbox-item]")
    assert not MonitoringObject.objects.exists()
    sent = cadre.evaluate("PT.outbox.all().then(items => items[0])")

    phone.set_offline(False)
    cadre.wait_for_function(
        "document.querySelector('nav.tabs [data-outbox-count]').textContent === '0'", timeout=30000
    )
    candidate = MonitoringObject.objects.get(household=household)
    assert candidate.risk_types == ["因灾", "因产业项目失败"]
    assert candidate.reason.endswith("走访发现：芒果园被冲毁")

    # A phone that never heard the answer sends the same record again: still one revisit, one candidate.
    resent = cadre.evaluate("item => PT.outbox.put(item).then(() => PT.sync())", sent)
    assert resent == {"sent": 1, "problem": ""}  # the server answered 200 with the stored record
    assert MonitoringObject.objects.filter(household=household).count() == 1
    assert household.revisits.count() == 1
    assert errors == []
