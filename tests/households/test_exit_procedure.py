"""The exit procedure: 申请 → 村委会确定 → 民主评议 → 乡镇复核 → 县审批, each step by its own role."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.models import Role
from households import choices
from households.eligibility import eligibility_recompute
from households.exit.services import (
    exit_application_advance,
    exit_application_create,
    exit_applications_advance_batch,
    exit_applications_create_for_village,
    exit_objection_record,
    exit_objection_resolve,
)
from households.models import ExitApplication
from tests.factories import AssessmentFactory, NaturalVillageFactory, UserFactory, make_household

pytestmark = pytest.mark.django_db

DAY = datetime.date(2016, 11, 1)
APPROVE = choices.Decision.APPROVE


def household_with_income(place, per_head: int):
    household = make_household(natural_village=place)
    AssessmentFactory(household=household, year=2016, wage_income=per_head * 2, operating_income=0)
    return household


def advance(application, user, on=DAY, decision=APPROVE, comment="同意"):
    return exit_application_advance(
        application=application, user=user, decision=decision, comment=comment, on=on
    )


def to_township_verified(application, people):
    advance(application, people["village"])  # 村委会确定
    advance(application, people["village"])  # 民主评议, 公示 starts
    advance(application, people["township"], on=DAY + datetime.timedelta(days=7))  # 乡镇复核, 公示 again
    return application


def test_a_household_goes_through_all_five_steps_and_exits(place, people):
    household = household_with_income(place, 4000)
    application = exit_application_create(household=household, year=2016, user=people["village"])

    to_township_verified(application, people)
    advance(application, people["county"], on=DAY + datetime.timedelta(days=14))

    household.refresh_from_db()
    application.refresh_from_db()
    assert (household.status, household.exit_year) == (choices.Status.EXITED, 2016)
    assert application.state == choices.ExitState.COUNTY_APPROVED
    steps = list(application.steps.values_list("state", "actor__role"))
    assert steps == [
        ("applied", "village_official"),
        ("village_confirmed", "village_official"),
        ("assembly_reviewed", "village_official"),
        ("township_verified", "township_official"),
        ("county_approved", "county_admin"),
    ]


def test_the_next_step_waits_for_the_public_notice_to_end(place, people, settings):
    settings.PUBLIC_NOTICE_DAYS = 7
    application = exit_application_create(
        household=household_with_income(place, 4000), year=2016, user=people["village"]
    )
    advance(application, people["village"])
    advance(application, people["village"])  # 民主评议 on 11-01: notice runs to 11-07

    application.refresh_from_db()
    assert application.notice_ends_on == datetime.date(2016, 11, 7)
    with pytest.raises(ValidationError, match="公示期至 2016年11月7日"):
        advance(application, people["township"], on=datetime.date(2016, 11, 7))
    advance(application, people["township"], on=datetime.date(2016, 11, 8))


def test_a_step_by_the_wrong_role_is_refused_and_changes_nothing(place, people):
    application = exit_application_create(
        household=household_with_income(place, 4000), year=2016, user=people["village"]
    )
    with pytest.raises(ValidationError, match="由村委会工作人员办理"):
        advance(application, people["township"])
    application.refresh_from_db()
    assert application.state == choices.ExitState.APPLIED
    assert application.steps.count() == 1


def test_an_official_out_of_scope_gets_not_found(place, people):
    application = exit_application_create(
        household=household_with_income(place, 4000), year=2016, user=people["village"]
    )
    stranger = UserFactory(role=Role.VILLAGE_OFFICIAL, village=NaturalVillageFactory().village)
    with pytest.raises(Http404):
        advance(application, stranger)


def test_county_approval_of_a_household_below_the_line_is_refused_with_the_reasons(place, people):
    household = household_with_income(place, 2700)
    application = exit_application_create(household=household, year=2016, user=people["village"])
    to_township_verified(application, people)

    with pytest.raises(ValidationError) as refused:
        advance(application, people["county"], on=DAY + datetime.timedelta(days=14))

    assert "人均纯收入 2,700 元 低于 2016 年标准 2,952 元" in refused.value.messages[0]
    household.refresh_from_db()
    application.refresh_from_db()
    assert household.status == choices.Status.POOR
    assert application.state == choices.ExitState.TOWNSHIP_VERIFIED


def test_any_step_may_reject_but_only_with_a_reason(place, people):
    application = exit_application_create(
        household=household_with_income(place, 4000), year=2016, user=people["village"]
    )
    with pytest.raises(ValidationError, match="必须填写理由"):
        advance(application, people["village"], decision=choices.Decision.REJECT, comment=" ")

    advance(application, people["village"], decision=choices.Decision.REJECT, comment="家庭收入核实不准")

    application.refresh_from_db()
    assert application.state == choices.ExitState.REJECTED
    with pytest.raises(ValidationError, match="不能再办理"):
        advance(application, people["village"])


def test_unresolved_objections_hold_the_next_step(place, people):
    application = exit_application_create(
        household=household_with_income(place, 4000), year=2016, user=people["village"]
    )
    advance(application, people["village"])
    advance(application, people["village"])
    objection = exit_objection_record(
        application=application,
        user=people["village"],
        content="该户有轿车",
        on=DAY + datetime.timedelta(days=2),
    )
    later = DAY + datetime.timedelta(days=8)

    with pytest.raises(ValidationError, match="1 条异议尚未处理"):
        advance(application, people["township"], on=later)
    exit_objection_resolve(objection=objection, user=people["township"], resolution="经核实为借用车辆")
    advance(application, people["township"], on=later)


def test_an_open_application_cannot_be_made_twice_and_exited_households_cannot_apply(place, people):
    household = household_with_income(place, 4000)
    exit_application_create(household=household, year=2016, user=people["village"])
    with pytest.raises(ValidationError, match="正在办理"):
        exit_application_create(household=household, year=2016, user=people["village"])

    exited = make_household(natural_village=place, status=choices.Status.EXITED, exit_year=2015)
    with pytest.raises(ValidationError, match="只有未脱贫或返贫户"):
        exit_application_create(household=exited, year=2016, user=people["village"])


def test_batches_check_each_household(place, people):
    rich = household_with_income(place, 4000)
    poor = household_with_income(place, 2000)
    eligibility_recompute()

    created = exit_applications_create_for_village(user=people["village"], year=2016)
    assert created.done == [rich.pk]  # only eligible households are put forward

    exit_application_create(household=poor, year=2016, user=people["village"])
    applications = ExitApplication.objects.order_by("id")
    for application in applications:
        to_township_verified(application, people)
    result = exit_applications_advance_batch(
        user=people["county"], applications=applications, on=DAY + datetime.timedelta(days=14)
    )

    assert result.done == [rich.pk]
    assert "低于 2016 年标准" in result.refused[poor.pk]


def test_an_application_needs_an_assessment_of_its_year_and_not_a_future_year(place, people):
    household = household_with_income(place, 4000)  # assessed for 2016 only
    with pytest.raises(ValidationError, match="没有 2015 年收入与保障情况记录"):
        exit_application_create(household=household, year=2015, user=people["village"])
    with pytest.raises(ValidationError, match="还未到"):
        exit_application_create(
            household=household, year=datetime.date.today().year + 1, user=people["village"]
        )
    assert not ExitApplication.objects.exists()


def test_a_household_removed_during_the_procedure_cannot_be_approved(place, people):
    household = household_with_income(place, 4000)
    application = exit_application_create(household=household, year=2016, user=people["village"])
    to_township_verified(application, people)
    household.status, household.removed_reason = choices.Status.REMOVED, "识别不精准"
    household.save()

    with pytest.raises(ValidationError, match="已清退"):
        advance(application, people["county"], on=DAY + datetime.timedelta(days=14))
    household.refresh_from_db()
    assert household.status == choices.Status.REMOVED


def test_a_village_puts_forward_only_the_chosen_households_each_checked(place, people):
    chosen, other = household_with_income(place, 4000), household_with_income(place, 4000)
    stranger = household_with_income(NaturalVillageFactory(), 4000)  # another village

    result = exit_applications_create_for_village(
        user=people["village"], year=2016, household_ids=[chosen.pk, stranger.pk]
    )

    assert result.done == [chosen.pk]
    assert "不在您的管辖范围内" in result.refused[stranger.pk]
    assert not ExitApplication.objects.filter(household__in=[other, stranger]).exists()
