"""Issue 9 (village and township exit): on a 360 px phone screen, a township official records an
indicator, follows the exit report's 申请出列 link and proposes the village; the county admin approves once
the 公示 is over, and the village's exit year is set. No page of the procedure scrolls sideways.

Headless Chromium (Debian's /usr/bin/chromium) against pytest-django's live server; the notice is ended
by moving its last day into the past (the stand-in for seven days of waiting).
"""

import datetime
import os

from households.units.models import UnitExitApplication
from tests.e2e.browser import MARKS, sign_in
from tests.households.unit_exit_data import build_people, build_place, indicator
from villages.models import VillageIndicatorStatus

SCREENSHOTS = os.environ.get("UNIT_EXIT_SCREENSHOTS")  # a directory, to look at the pages by eye

pytestmark = MARKS


class Phone:
    """One official's session on a 360 px wide screen."""

    def __init__(self, browser, base, user):
        self.context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
        self.page = self.context.new_page()
        self.base = base
        sign_in(self.page, base, user)

    def open(self, path, name=""):
        self.page.goto(self.base + path)
        self.check_width(name or path)

    def check_width(self, name):
        self.page.wait_for_load_state()
        if SCREENSHOTS:
            self.page.screenshot(
                path=os.path.join(SCREENSHOTS, f"{name.strip('/').replace('/', '_')}.png"), full_page=True
            )
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{name} is {width} px wide"


def test_a_village_exits_through_the_procedure_on_a_phone(live_server, browser):
    place = build_place()
    people = build_people(place)
    village = place["jia_cun"]
    township = Phone(browser, live_server.url, people["township"])

    # 出列指标: one indicator changed on the village's form (and set back, so the village stays ready).
    township.open("/villages/exit/indicators/", "indicators")
    power = indicator("power")
    card = township.page.locator(f"#village-{village.pk}")
    card.locator(f"input[name='v{village.pk}-note_{power.pk}']").fill("2016年已通三相电")
    card.locator("button[type=submit]").click()
    township.check_width("indicators-saved")
    assert VillageIndicatorStatus.objects.get(village=village, indicator=power).note == "2016年已通三相电"

    # 申请出列 from the exit report.
    township.open("/villages/exit/", "exit-report")
    township.page.click(f"a[href='/villages/exit/apply/village/{village.pk}/']")
    township.check_width("apply")
    township.page.fill("input[name=year]", "2016")
    township.page.click("button:has-text('提交出列申请')")
    township.check_width("detail-proposed")
    application = UnitExitApplication.objects.get(village=village)
    assert "公示中" in township.page.inner_text("body")

    # 县审批认定, once the notice is over.
    UnitExitApplication.objects.filter(pk=application.pk).update(
        notice_ends_on=datetime.date.today() - datetime.timedelta(days=1)
    )
    county = Phone(browser, live_server.url, people["county"])
    county.open(f"/villages/exit/applications/{application.pk}/", "detail-county")
    county.page.fill("form[action$='/advance/'] textarea[name=comment]", "经县扶贫开发领导小组审定，同意出列")
    county.page.click("button[name=decision][value=approve]")
    county.check_width("detail-approved")
    assert "甲乡甲村已审批出列，出列年度 2016 年。" in county.page.inner_text("body")
    village.refresh_from_db()
    assert village.exit_year == 2016
    county.open("/villages/exit/applications/", "list")
