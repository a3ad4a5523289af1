"""The monitoring procedure: 发现 → 村级核实 → 乡镇审核 → 县级确认（纳入监测）→ 风险消除公示 → 风险消除."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from households import choices as hh
from monitoring.choices import FoundBy, Kind, State
from monitoring.models import MonitoringLine, MonitoringObject
from monitoring.services import (
    StaleStep,
    candidate_raise,
    monitoring_line_set,
    monitoring_object_advance,
    monitoring_objection_record,
    monitoring_objection_resolve,
)
from tests.factories import NaturalVillageFactory, UserFactory, make_household
from tests.monitoring.helpers import assess

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 1)


@pytest.fixture
def line(db):
    return MonitoringLine.objects.update_or_create(
        province_code="530000", year=2024, defaults={"income_line": 7000, "stable_months": 6}
    )[0]


def exited(place):
    household = make_household(natural_village=place)
    household.status, household.exit_year = hh.Status.EXITED, 2019
    household.save()
    return household


def go(obj, user, on=DAY, decision="approve", comment="同意", **kw):
    return monitoring_object_advance(obj=obj, user=user, decision=decision, comment=comment, on=on, **kw)


def to_monitored(obj, people):
    go(obj, people["village"])
    go(obj, people["township"])
    return go(obj, people["county"], help_measures="落实医疗救助，安排公益岗位")


def test_the_whole_procedure_with_the_stable_months_and_the_notice(place, people, line):
    household = exited(place)
    assess(household, 2024, 9000)
    obj = candidate_raise(
        household=household,
        risk_types=["因病"],
        found_by=FoundBy.VISIT,
        reason="户主住院",
        user=people["village"],
        on=DAY,
    )
    assert obj.kind == Kind.UNSTABLE
    to_monitored(obj, people)
    obj.refresh_from_db()
    assert (obj.state, obj.monitored_on, obj.help_measures) == (
        State.MONITORED,
        DAY,
        "落实医疗救助，安排公益岗位",
    )

    with pytest.raises(ValidationError) as error:
        go(obj, people["township"], on=DAY + datetime.timedelta(days=30))
    assert "2025年9月1日起才能风险消除" in str(error.value)

    later = datetime.date(2025, 9, 1)
    go(obj, people["township"], on=later)  # 风险消除公示
    objection = monitoring_objection_record(obj=obj, user=people["village"], content="收入不实", on=later)
    with pytest.raises(ValidationError, match="公示期至 2025年9月7日"):
        go(obj, people["county"], on=later)
    with pytest.raises(ValidationError, match="1 条异议尚未处理"):
        go(obj, people["county"], on=later + datetime.timedelta(days=7))
    monitoring_objection_resolve(objection=objection, user=people["township"], resolution="经核实收入属实")
    go(obj, people["county"], on=later + datetime.timedelta(days=7))
    obj.refresh_from_db()
    assert obj.state == State.CLEARED and obj.cleared_on == later + datetime.timedelta(days=7)
    assert list(obj.steps.values_list("state", "actor__role")) == [
        (State.VILLAGE_CHECKED, "village_official"),
        (State.TOWNSHIP_REVIEWED, "township_official"),
        (State.MONITORED, "county_admin"),
        (State.CLEARING, "township_official"),
        (State.CLEARED, "county_admin"),
    ]
    assert obj.history.count() >= 6


def test_each_step_is_taken_only_by_its_role(place, people, line):
    obj = candidate_raise(
        household=exited(place), risk_types=["因灾"], found_by=FoundBy.DECLARED, reason="房屋受损"
    )
    with pytest.raises(ValidationError) as error:
        go(obj, people["township"])
    assert "“村级核实”由村委会工作人员办理，您的角色是乡镇干部" in str(error.value)


def test_the_county_confirms_only_with_help_measures(place, people, line):
    obj = candidate_raise(
        household=exited(place), risk_types=["因灾"], found_by=FoundBy.DECLARED, reason="房屋受损"
    )
    go(obj, people["village"])
    go(obj, people["township"])
    with pytest.raises(ValidationError, match="必须填写帮扶措施"):
        go(obj, people["county"])


def test_clearing_is_refused_when_the_guarantees_or_income_fail(place, people, line):
    household = exited(place)
    assess(household, 2024, 6000, housing_secure=False)
    obj = candidate_raise(household=household, risk_types=["因病"], found_by=FoundBy.VISIT, reason="大病")
    to_monitored(obj, people)
    with pytest.raises(ValidationError) as error:
        go(obj, people["township"], on=datetime.date(2026, 1, 1))
    assert "人均纯收入 6,000 元，未高于监测标准 7,000 元" in str(error.value)
    assert "住房安全有保障未达到" in str(error.value)


def test_a_stale_step_is_refused(place, people, line):
    obj = candidate_raise(household=exited(place), risk_types=["因病"], found_by=FoundBy.VISIT, reason="大病")
    go(obj, people["village"], expected_state=State.FOUND)
    with pytest.raises(StaleStep):
        go(obj, people["township"], expected_state=State.FOUND)


def test_a_rejection_needs_a_reason_and_ends_the_candidate(place, people, line):
    obj = candidate_raise(household=exited(place), risk_types=["因病"], found_by=FoundBy.VISIT, reason="大病")
    with pytest.raises(ValidationError, match="退回时必须填写理由"):
        go(obj, people["village"], decision="reject", comment="")
    go(obj, people["village"], decision="reject", comment="入户核实收入稳定")
    obj.refresh_from_db()
    assert obj.state == State.REJECTED


def test_out_of_scope_is_404(place, people, line):
    elsewhere = UserFactory(role="village_official", village=NaturalVillageFactory().village)
    obj = candidate_raise(household=exited(place), risk_types=["因病"], found_by=FoundBy.VISIT, reason="大病")
    with pytest.raises(Http404):
        go(obj, elsewhere)


def test_kinds_follow_the_household(place):
    general = make_household(natural_village=place, household_number="YB1", status=hh.Status.GENERAL)
    poor = make_household(natural_village=place)
    assert (
        candidate_raise(household=general, risk_types=["因病"], found_by="declared", reason="x").kind
        == Kind.MARGINAL
    )
    with pytest.raises(ValidationError, match="只能作为突发严重困难户"):
        candidate_raise(household=poor, risk_types=["因病"], found_by="declared", reason="x")
    sudden = candidate_raise(
        household=poor, risk_types=["因意外事故"], found_by="declared", reason="x", kind=Kind.SUDDEN
    )
    assert sudden.kind == Kind.SUDDEN
    # A second candidate for an open object adds to it instead.
    assert (
        candidate_raise(
            household=poor, risk_types=["因灾"], found_by="declared", reason="y", kind=Kind.SUDDEN
        )
        is None
    )
    assert MonitoringObject.objects.get(pk=sudden.pk).risk_types == ["因意外事故", "因灾"]


def test_only_the_county_admin_sets_monitoring_lines(people):
    with pytest.raises(ValidationError, match="只有县扶贫办管理员"):
        monitoring_line_set(user=people["township"], province_code="530000", year=2025, income_line=7500)
    line = monitoring_line_set(user=people["county"], province_code="530000", year=2025, income_line=7500)
    assert line.stable_months == 6
