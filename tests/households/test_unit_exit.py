"""Village and township exit (出列 / 摘帽) as a procedure: 乡镇申请 (公示, objections) → 县审批认定.

A village may be proposed by its township when its poverty incidence is under the threshold and every
indicator is met; a township proposes itself when its own incidence is under the threshold. County
approval re-checks and sets the unit's exit year; every refusal names what is missing.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.models import Role
from core.access import Access
from households import choices
from households.units import procedure
from households.units.models import UnitExitApplication, UnitExitState
from households.units.services import (
    IndicatorInput,
    UnitExitConflict,
    unit_exit_advance,
    unit_exit_objection_record,
    unit_exit_objection_resolve,
    unit_exit_propose,
    village_indicators_record,
)
from tests.factories import UserFactory, VillageFactory
from tests.households.unit_exit_data import build_people, build_place, indicator
from villages.models import VillageIndicatorStatus

pytestmark = pytest.mark.django_db

DAY = datetime.date(2016, 11, 1)
AFTER_NOTICE = DAY + datetime.timedelta(days=7)  # a 7-day 公示 from DAY runs through 11月7日
APPROVE, REJECT = choices.Decision.APPROVE, choices.Decision.REJECT
PROPOSED = UnitExitState.PROPOSED


@pytest.fixture
def place():
    return build_place()


@pytest.fixture
def people(place):
    return build_people(place)


def propose(unit, user, year=2016, on=DAY, comment=""):
    return unit_exit_propose(unit=unit, year=year, user=user, comment=comment, on=on)


def advance(application, user, on=AFTER_NOTICE, decision=APPROVE, comment="同意", step=PROPOSED):
    return unit_exit_advance(
        application=application, user=user, step=step, decision=decision, comment=comment, on=on
    )


def refusal(call) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.messages


# -- proposing ------------------------------------------------------------------------------------------


def test_a_township_proposes_a_ready_village_and_the_public_notice_starts(place, people):
    application = propose(place["jia_cun"], people["township"], comment="经乡镇审核，达到出列标准")

    assert (application.level, application.state, application.year) == ("village", PROPOSED, 2016)
    assert application.notice_ends_on == datetime.date(2016, 11, 7)  # PUBLIC_NOTICE_DAYS = 7, inclusive
    step = application.steps.get()
    assert (step.state, step.decision, step.actor, step.comment) == (
        PROPOSED,
        APPROVE,
        people["township"],
        "经乡镇审核，达到出列标准",
    )
    # What the proposal was based on is kept with the step.
    figures, *checks = step.checks
    assert (figures["poor_persons"], figures["population"]) == (2, 200)
    assert {c["code"]: c["met"] for c in checks}["incidence"] is True
    assert place["jia_cun"].exit_year is None  # nothing is set before county approval


def test_a_village_over_the_threshold_is_refused_with_the_figure(place, people):
    messages = refusal(lambda: propose(place["yi_cun"], people["township"]))

    # 30 of 500 is 6 %; at most 14 of 500 may be poor to be below 3 %.
    assert messages == ["贫困发生率 6.00%，未低于 3%（还需减少贫困人口 16 人）"]
    assert not UnitExitApplication.objects.exists()


def test_a_refusal_names_each_missing_indicator(place, people):
    village = place["jia_cun"]
    VillageIndicatorStatus.objects.filter(village=village, indicator=indicator("power")).update(met=False)
    VillageIndicatorStatus.objects.filter(village=village, indicator=indicator("broadband")).delete()
    VillageIndicatorStatus.objects.filter(village=village, indicator=indicator("road")).update(
        met=False, note="还差 3 公里"
    )

    messages = refusal(lambda: propose(village, people["township"]))

    assert messages == [
        "通硬化路到乡镇：未达标（还差 3 公里）",
        "通动力电（三相电）：未达标",
        "村委会通宽带：未填报",
    ]


def test_only_the_township_proposes_and_only_its_own_villages(place, people):
    role_refusal = "“乡镇申请”由乡镇干部办理，您的角色是"
    assert refusal(lambda: propose(place["jia_cun"], people["village"]))[0].startswith(role_refusal)
    assert refusal(lambda: propose(place["jia_cun"], people["county"]))[0].startswith(role_refusal)
    with pytest.raises(Http404):  # another township's village: as if it did not exist
        propose(place["jia_cun"], people["other_township"])


def test_a_unit_that_is_not_poor_already_out_or_already_proposed_is_refused(place, people):
    township = people["township"]
    rich = VillageFactory(township=place["jia"], name="富村", registered_rural_population=100)
    assert refusal(lambda: propose(rich, township)) == ["富村不是贫困村，没有出列任务。"]

    propose(place["jia_cun"], township)
    assert refusal(lambda: propose(place["jia_cun"], township)) == ["该村已有正在办理的出列申请。"]

    place["yi_cun"].exit_year = 2015
    place["yi_cun"].save()
    assert refusal(lambda: propose(place["yi_cun"], township)) == ["乙村已于 2015 年出列。"]
    assert refusal(lambda: propose(place["jia_cun"], township, year=2017)) == [
        "出列年度应在 2014 年至 2016 年之间。"
    ]


# -- the notice, objections and county approval -------------------------------------------------------


def test_the_county_approves_after_the_notice_and_its_objections_and_sets_the_exit_year(place, people):
    village = place["jia_cun"]
    application = propose(village, people["township"])

    during = DAY + datetime.timedelta(days=3)
    assert refusal(lambda: advance(application, people["county"], on=during)) == [
        "公示期至 2016年11月7日，期满后才能办理“县审批认定”。"
    ]
    objection = unit_exit_objection_record(
        application=application,
        user=people["village"],
        content="村里还有两户未通电",
        raised_by="王五",
        on=during,
    )
    assert refusal(lambda: advance(application, people["county"])) == [
        "公示期间有 1 条异议尚未处理，处理后才能继续。"
    ]
    unit_exit_objection_resolve(objection=objection, user=people["township"], resolution="经核实已通电")

    advance(application, people["county"], comment="经县扶贫开发领导小组审定，同意出列")

    village.refresh_from_db()
    application.refresh_from_db()
    assert village.exit_year == 2016  # set by the service, never typed
    assert (application.state, application.notice_ends_on) == (UnitExitState.COUNTY_APPROVED, None)
    steps = list(application.steps.values_list("state", "decision", "actor__role"))
    assert steps == [
        ("proposed", "approve", "township_official"),
        ("county_approved", "approve", "county_admin"),
    ]
    assert application.history.count() >= 2  # audit history of the application


def test_objections_are_recorded_only_during_the_notice(place, people):
    application = propose(place["jia_cun"], people["township"])
    assert refusal(
        lambda: unit_exit_objection_record(
            application=application, user=people["township"], content="异议", on=AFTER_NOTICE
        )
    ) == ["该申请当前不在公示期内。"]
    assert refusal(
        lambda: unit_exit_objection_record(
            application=application, user=people["inspector"], content="异议", on=DAY
        )
    ) == ["您的角色不能记录公示异议。"]


def test_county_approval_re_checks_the_criteria(place, people):
    village = place["jia_cun"]
    application = propose(village, people["township"])
    VillageIndicatorStatus.objects.filter(village=village, indicator=indicator("power")).update(
        met=False, note="变压器损坏"
    )

    assert refusal(lambda: advance(application, people["county"])) == [
        "通动力电（三相电）：未达标（变压器损坏）"
    ]
    village.refresh_from_db()
    application.refresh_from_db()
    assert (village.exit_year, application.state) == (None, PROPOSED)


def test_only_the_county_approves(place, people):
    application = propose(place["jia_cun"], people["township"])
    assert refusal(lambda: advance(application, people["township"]))[0].startswith(
        "“县审批认定”由县扶贫办管理员办理"
    )


def test_a_rejection_needs_a_reason_and_ends_the_application(place, people):
    application = propose(place["jia_cun"], people["township"])
    with pytest.raises(ValidationError) as exc:
        advance(application, people["county"], decision=REJECT, comment=" ")
    assert exc.value.message_dict == {"comment": ["退回时必须填写理由。"]}

    # During the notice the county may still reject.
    advance(application, people["county"], on=DAY, decision=REJECT, comment="宽带未真正入村")

    application.refresh_from_db()
    assert application.state == UnitExitState.REJECTED
    assert application.steps.last().comment == "宽带未真正入村"
    assert refusal(lambda: advance(application, people["county"], step="rejected")) == [
        "该申请已结束（已退回），不能再办理。"
    ]
    propose(place["jia_cun"], people["township"])  # a rejected unit may be proposed again


def test_a_stale_step_is_a_conflict(place, people):
    application = propose(place["jia_cun"], people["township"])
    advance(application, people["county"])

    with pytest.raises(UnitExitConflict) as exc:  # the same approval sent twice
        advance(application, people["county"])
    assert exc.value.messages == ["该申请已不在“乡镇申请”这一步，现为“县审批认定”，请刷新后查看。"]


# -- a township's own exit (摘帽) ------------------------------------------------------------------------


def test_a_township_follows_the_same_procedure(place, people):
    township = place["jia"]
    application = propose(township, people["township"])
    assert (application.level, application.village) == ("township", None)
    assert application.steps.get().checks[0]["incidence"] == pytest.approx(32 / 2000)

    advance(application, people["county"])

    township.refresh_from_db()
    assert township.exit_year == 2016
    place["jia_cun"].refresh_from_db()
    assert place["jia_cun"].exit_year is None  # its villages exit on their own


def test_a_township_over_the_threshold_is_refused(place, people):
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=place["ding"])
    assert refusal(lambda: propose(place["ding"], official)) == [
        "贫困发生率 10.00%，未低于 3%（还需减少贫困人口 8 人）"
    ]
    with pytest.raises(Http404):
        propose(place["ding"], people["township"])


# -- recording indicators -------------------------------------------------------------------------------


def test_the_township_records_its_villages_indicators(place, people):
    village, power, road = place["yi_cun"], indicator("power"), indicator("road")

    village_indicators_record(
        village=village,
        user=people["township"],
        statuses={power.pk: IndicatorInput(met=False, note="正在架设"), road.pk: IndicatorInput(met=True)},
    )

    statuses = {
        s.indicator.code: (s.met, s.note) for s in VillageIndicatorStatus.objects.filter(village=village)
    }
    assert statuses["power"] == (False, "正在架设")
    assert statuses["road"] == (True, "")


def test_indicators_are_recorded_by_the_township_in_scope_and_only_recorded_ones(place, people):
    power = indicator("power")
    statuses = {power.pk: IndicatorInput(met=False)}
    with pytest.raises(Http404):
        village_indicators_record(village=place["yi_cun"], user=people["other_township"], statuses=statuses)
    assert refusal(
        lambda: village_indicators_record(village=place["jia_cun"], user=people["village"], statuses=statuses)
    ) == ["出列指标由乡镇干部填报，您不能修改甲乡甲村的指标。"]
    incidence = indicator("incidence")  # measured from the registry, never typed
    assert refusal(
        lambda: village_indicators_record(
            village=place["jia_cun"],
            user=people["township"],
            statuses={incidence.pk: IndicatorInput(met=True)},
        )
    ) == [f"指标（编号 {incidence.pk}）不是本省启用的村级填报指标，不能填报。"]


def test_access_says_who_takes_each_step(people):
    takes = {
        name: (
            Access.for_user(user).may_take_step(procedure.PROPOSE),
            Access.for_user(user).may_take_step(procedure.APPROVE),
        )
        for name, user in people.items()
    }
    assert takes == {
        "township": (True, False),
        "other_township": (True, False),  # in its own township: the unit's scope is checked by the service
        "village": (False, False),
        "county": (False, True),
        "inspector": (False, False),
    }
