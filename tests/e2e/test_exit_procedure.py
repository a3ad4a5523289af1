"""Issue 3, done when: a village official, a township official and the county admin take a household from
未脱贫 to 已脱贫 through all five steps in the browser; a household below the line cannot be approved, and
the refusal says why.

Headless Chromium (Debian's /usr/bin/chromium) against pytest-django's live server. The 公示 after
民主评议 and 乡镇复核 lasts PUBLIC_NOTICE_DAYS; the test checks that approval waits for it, then lets the
notice end by moving its last day into the past (the only stand-in here: seven days of waiting).
"""

import datetime

import pytest

from accounts.models import Role
from households import choices
from households.eligibility import eligibility_recompute
from households.models import ExitApplication
from tests.e2e.browser import MARKS, OFFICE, sign_in
from tests.factories import (
    AssessmentFactory,
    NaturalVillageFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
    make_household,
    member_data,
)

pytestmark = MARKS


@pytest.fixture
def county():
    township = TownshipFactory(name="老城乡")
    place = NaturalVillageFactory(village=VillageFactory(name="波亨村", township=township))

    def household(head: str, per_head: int):
        h = make_household(
            natural_village=place,
            members=[
                member_data(name=head),
                member_data(choices.Relation.SPOUSE, sex="female", name=f"{head}妻"),
            ],
        )
        AssessmentFactory(household=h, year=2016, wage_income=per_head * 2, operating_income=0)
        return h

    data = {
        "above": household("邓文明", 4000),
        "below": household("朱辉", 2700),
        "village": UserFactory(username="boheng-e2e", role=Role.VILLAGE_OFFICIAL, village=place.village),
        "township": UserFactory(username="laocheng-e2e", role=Role.TOWNSHIP_OFFICIAL, township=township),
        "county": UserFactory(username="admin-e2e", role=Role.COUNTY_ADMIN),
    }
    eligibility_recompute()
    return data


class Desk:
    """One official's browser session."""

    def __init__(self, browser, base, user):
        self.context = browser.new_context(**OFFICE)
        self.page = self.context.new_page()
        self.base = base
        sign_in(self.page, base, user)

    def open(self, path):
        self.page.goto(self.base + path)

    def approve(self, application, comment):
        self.open(f"/households/exit/{application.pk}/")
        self.page.fill("form[action$='/advance/'] textarea[name=comment]", comment)
        self.page.click("button[name=decision][value=approve]")
        self.page.wait_for_load_state()
        return self.page.inner_text("body")


def end_notice(application):
    ExitApplication.objects.filter(pk=application.pk).update(
        notice_ends_on=datetime.date.today() - datetime.timedelta(days=1)
    )


def apply(desk, household):
    desk.open(f"/households/exit/apply/{household.pk}/")
    desk.page.fill("input[name=year]", "2016")
    desk.page.click("button:has-text('登记脱贫申请')")
    desk.page.wait_for_load_state()
    return ExitApplication.objects.get(household=household)


def through_township(application, village, township):
    village.approve(application, "村委会确定")
    village.approve(application, "村民代表大会评议通过")
    # 公示 runs: the township's approval waits for it.
    township.open(f"/households/exit/{application.pk}/")
    assert township.page.locator("button[name=decision][value=approve]").is_disabled()
    end_notice(application)
    township.approve(application, "乡复核验收合格")
    end_notice(application)


def test_three_officials_take_a_household_out_of_poverty_in_five_steps(live_server, county, browser, shot):
    base = live_server.url
    village = Desk(browser, base, county["village"])
    township = Desk(browser, base, county["township"])
    admin = Desk(browser, base, county["county"])

    application = apply(village, county["above"])
    shot(village.page, "exit-applied")
    through_township(application, village, township)
    shot(township.page, "exit-township-verified")
    text = admin.approve(application, "县审批认定")
    shot(admin.page, "exit-county-approved")

    household = county["above"]
    household.refresh_from_db()
    assert (household.status, household.exit_year) == (choices.Status.EXITED, 2016)
    application.refresh_from_db()
    assert application.state == choices.ExitState.COUNTY_APPROVED
    assert list(application.steps.values_list("actor__username", flat=True)) == [
        "boheng-e2e",
        "boheng-e2e",
        "boheng-e2e",
        "laocheng-e2e",
        "admin-e2e",
    ]
    assert "已审批" in text or "县审批" in text


def test_a_household_below_the_line_is_refused_at_the_county_with_the_reason(
    live_server, county, browser, problems
):
    problems.expect(400, r"/households/exit/\d+/advance/$")  # the refusal, with its reasons
    base = live_server.url
    village = Desk(browser, base, county["village"])
    township = Desk(browser, base, county["township"])
    admin = Desk(browser, base, county["county"])

    application = apply(village, county["below"])
    through_township(application, village, township)
    text = admin.approve(application, "县审批认定")

    assert "不符合脱贫条件，不能审批" in text
    assert "人均纯收入 2,700 元 低于 2016 年标准 2,952 元" in text
    household = county["below"]
    household.refresh_from_db()
    application.refresh_from_db()
    assert household.status == choices.Status.POOR
    assert application.state == choices.ExitState.TOWNSHIP_VERIFIED
