"""The household exit procedure (DESIGN.md §3; the source's 贫困户申请 → 村委会确定脱贫名单 →
村民代表大会评议 → 乡复核验收 → 县审批认定).

An application moves 申请 → 村委会确定 → 民主评议 → 乡镇复核 → 县审批. A public notice (公示) of
PUBLIC_NOTICE_DAYS follows 民主评议 and 乡镇复核; objections are recorded during it, and the next step
waits for it to end with no objection left unresolved. Each step is taken only by the role that owns it,
in its scope, and records who, when, the decision and a comment; any step may reject with a reason.
County approval re-checks eligibility now and is refused with the reasons when the household does not
qualify; approval sets the household 已脱贫 with the exit year.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.access import Access
from households.choices import POOR_STATUSES, Decision, ExitState, Status
from households.eligibility import household_decision
from households.models import ExitApplication, ExitObjection, ExitStep, Household
from households.services import figures_refresh_enqueue


@dataclass(frozen=True)
class Step:
    source: str  # the state an application must be in
    target: str  # the state approval moves it to
    role: str  # the role that owns the step
    label: str
    starts_notice: bool = False


# 申请 is creating the application: the village committee records it (and owns the first step too).
APPLICATION = Step("", ExitState.APPLIED, Role.VILLAGE_OFFICIAL, _("贫困户申请"))
# The procedure, in order, after 申请.
STEPS = (
    Step(ExitState.APPLIED, ExitState.VILLAGE_CONFIRMED, Role.VILLAGE_OFFICIAL, _("村委会确定脱贫名单")),
    Step(
        ExitState.VILLAGE_CONFIRMED,
        ExitState.ASSEMBLY_REVIEWED,
        Role.VILLAGE_OFFICIAL,
        _("村民代表大会评议"),
        starts_notice=True,
    ),
    Step(
        ExitState.ASSEMBLY_REVIEWED,
        ExitState.TOWNSHIP_VERIFIED,
        Role.TOWNSHIP_OFFICIAL,
        _("乡镇复核验收"),
        starts_notice=True,
    ),
    Step(ExitState.TOWNSHIP_VERIFIED, ExitState.COUNTY_APPROVED, Role.COUNTY_ADMIN, _("县审批认定")),
)
STEP_BY_SOURCE = {step.source: step for step in STEPS}
ROLE_LABELS = dict(Role.choices)


def today() -> datetime.date:
    return timezone.localdate()


def next_step(application: ExitApplication) -> Step | None:
    return STEP_BY_SOURCE.get(application.state)


def notice_open(application: ExitApplication, *, on: datetime.date | None = None) -> bool:
    """公示 runs through notice_ends_on inclusive."""
    return application.notice_ends_on is not None and (on or today()) <= application.notice_ends_on


@transaction.atomic
def exit_application_create(*, household: Household, year: int, user, comment: str = "") -> ExitApplication:
    """贫困户申请, recorded by the village committee for one household."""
    access = Access.for_user(user)
    household = access.get_or_404(Household.objects.select_for_update(), pk=household.pk)
    if not access.may_take_step(APPLICATION):
        raise ValidationError(_("脱贫申请由村委会工作人员登记。"))
    if household.status not in POOR_STATUSES:
        raise ValidationError(
            _("该户状态为“{status}”，只有未脱贫或返贫户可以申请脱贫。").format(
                status=household.get_status_display()
            )
        )
    if (
        ExitApplication.objects.filter(household=household)
        .exclude(state__in=[ExitState.COUNTY_APPROVED, ExitState.REJECTED])
        .exists()
    ):
        raise ValidationError(_("该户已有正在办理的脱贫申请。"))
    if year > today().year:
        raise ValidationError({"year": _("脱贫年度 {year} 年还未到。").format(year=year)})
    if not household.assessments.filter(year=year).exists():
        raise ValidationError(
            {"year": _("该户没有 {year} 年收入与保障情况记录，请先填报再申请。").format(year=year)}
        )
    application = ExitApplication.objects.create(household=household, year=year)
    ExitStep.objects.create(
        application=application,
        state=ExitState.APPLIED,
        decision=Decision.APPROVE,
        comment=comment or "贫困户申请",
        actor=user,
    )
    return application


EXIT_TEXT_MAX = 2000  # characters of a step's comment, an objection or its resolution
RAISED_BY_MAX = 50  # ExitObjection.raised_by


class StaleExitStep(ValidationError):
    """The decision names a state the application has left (a double submit, or two officials at once)."""

    def __init__(self, message: str):
        super().__init__(message, code="stale_step")


def _check_length(field: str, label: str, value: str, limit: int = EXIT_TEXT_MAX) -> None:
    if len(value or "") > limit:
        raise ValidationError(
            {
                field: _("{label}不能超过 {limit} 字（现为 {count} 字）。").format(
                    label=label, limit=limit, count=len(value)
                )
            }
        )


@transaction.atomic
def exit_application_advance(
    *,
    application: ExitApplication,
    user,
    decision: str,
    comment: str = "",
    on: datetime.date | None = None,
    step: str | None = None,
) -> ExitApplication:
    """Take the application's next step: approve moves it on, reject (with a reason) ends it.

    ``step`` is the state being decided (the application's state when the form or client read it): when
    given and the application has moved on since, nothing is recorded (a second submit decides nothing)."""
    access = Access.for_user(user)
    application = access.get_or_404(ExitApplication.objects.select_for_update(), pk=application.pk)
    on = on or today()
    if step is not None and step != application.state:
        seen = dict(ExitState.choices).get(step, step)
        raise StaleExitStep(
            _("该申请已办理到“{state}”，您提交的是“{seen}”时的决定，未予办理；请刷新页面后查看。").format(
                state=application.get_state_display(), seen=seen
            )
        )
    _check_length("comment", _("意见"), comment)
    step = next_step(application)
    if step is None:
        raise ValidationError(
            _("该申请已结束（{state}），不能再办理。").format(state=application.get_state_display())
        )
    if decision not in Decision.values:
        raise ValidationError({"decision": _("决定应为 approve（同意）或 reject（不同意）。")})
    if not access.may_take_step(step):
        raise ValidationError(
            _("“{step}”由{role}办理，您的角色是{your_role}。").format(
                step=step.label,
                role=gettext(ROLE_LABELS[step.role]),
                your_role=gettext(ROLE_LABELS.get(user.role, user.role)),
            )
        )
    if decision == Decision.REJECT:
        if not comment.strip():
            raise ValidationError({"comment": _("退回时必须填写理由。")})
        application.state = ExitState.REJECTED
        application.notice_ends_on = None
        application.save(update_fields=["state", "notice_ends_on", "updated_at"])
        ExitStep.objects.create(
            application=application, state=step.target, decision=decision, comment=comment, actor=user
        )
        return application

    if application.household.status not in POOR_STATUSES:
        raise ValidationError(
            _("该户现为“{status}”，不能继续办理脱贫程序；请退回本申请。").format(
                status=application.household.get_status_display()
            )
        )
    if notice_open(application, on=on):
        ends = application.notice_ends_on
        raise ValidationError(
            _("公示期至 {year}年{month}月{day}日，期满后才能办理“{step}”。").format(
                year=ends.year, month=ends.month, day=ends.day, step=step.label
            )
        )
    unresolved = application.objections.filter(resolution="").count()
    if unresolved:
        raise ValidationError(
            _("公示期间有 {unresolved} 条异议尚未处理，处理后才能继续。").format(unresolved=unresolved)
        )
    household = application.household
    if step.target == ExitState.COUNTY_APPROVED:
        verdict = household_decision(household, application.year)
        if verdict is None:
            raise ValidationError(
                _("该户没有 {year} 年收入与保障情况记录，不能审批脱贫。").format(year=application.year)
            )
        if not verdict.eligible:
            raise ValidationError(_("该户不符合脱贫条件，不能审批：") + "；".join(verdict.reasons) + "。")
        household.status, household.exit_year, household.needs_return_review = (
            Status.EXITED,
            application.year,
            False,
        )
        household.save()
        figures_refresh_enqueue(user=user)  # the dashboards' summary table counts this exit
    application.state = step.target
    application.notice_ends_on = (
        on + datetime.timedelta(days=settings.PUBLIC_NOTICE_DAYS - 1) if step.starts_notice else None
    )
    application.save(update_fields=["state", "notice_ends_on", "updated_at"])
    ExitStep.objects.create(
        application=application, state=step.target, decision=decision, comment=comment, actor=user
    )
    return application


@transaction.atomic
def exit_objection_record(
    *, application: ExitApplication, user, content: str, raised_by: str = "", on: datetime.date | None = None
) -> ExitObjection:
    """An objection raised during a public notice."""
    access = Access.for_user(user)
    application = access.get_or_404(ExitApplication.objects, pk=application.pk)
    if not access.may_change_model(ExitObjection):
        raise ValidationError(_("您的角色不能记录公示异议。"))
    if not notice_open(application, on=on):
        raise ValidationError(_("该申请当前不在公示期内。"))
    if not content.strip():
        raise ValidationError({"content": _("请填写异议内容。")})
    _check_length("content", _("异议内容"), content)
    _check_length("raised_by", _("反映人"), raised_by, RAISED_BY_MAX)
    return ExitObjection.objects.create(
        application=application, recorded_by=user, content=content, raised_by=raised_by
    )


@transaction.atomic
def exit_objection_resolve(*, objection: ExitObjection, user, resolution: str) -> ExitObjection:
    access = Access.for_user(user)
    objection = access.get_or_404(ExitObjection.objects, pk=objection.pk)
    if not access.may_change_model(ExitObjection):
        raise ValidationError(_("您的角色不能处理公示异议。"))
    if not resolution.strip():
        raise ValidationError({"resolution": _("请填写处理结果。")})
    _check_length("resolution", _("处理结果"), resolution)
    objection.resolution = resolution
    objection.save(update_fields=["resolution"])
    return objection


@dataclass
class BatchResult:
    done: list[int]
    refused: dict[int, str]  # household id -> the reason, in words


def exit_applications_create_for_village(
    *, user, year: int, household_ids: list[int] | None = None
) -> BatchResult:
    """A village puts its list forward: the chosen households, or (None) every eligible poor household.

    Each goes through exit_application_create on its own, so one refusal does not stop the others.
    """
    access = Access.for_user(user)
    result = BatchResult([], {})
    if household_ids is None:
        households = access.visible(
            Household.objects.filter(status__in=POOR_STATUSES, eligible=True, eligibility_year=year)
        ).order_by("household_number")
    else:
        found = access.visible(Household.objects.filter(pk__in=household_ids)).in_bulk()
        for pk in household_ids:
            if pk not in found:
                result.refused[pk] = _("未找到该户，或不在您的管辖范围内。")
        households = [found[pk] for pk in household_ids if pk in found]
    for household in households:
        try:
            exit_application_create(household=household, year=year, user=user)
            result.done.append(household.pk)
        except ValidationError as exc:
            result.refused[household.pk] = "；".join(getattr(exc, "messages", [str(exc)]))
    return result


def exit_applications_advance_batch(
    *,
    user,
    applications,
    decision: str = Decision.APPROVE,
    comment: str = "",
    on: datetime.date | None = None,
) -> BatchResult:
    """Take the next step on many applications (e.g. the county approving a township's verified list);
    each household is still checked on its own, and one refusal does not stop the others."""
    result = BatchResult([], {})
    for application in applications:
        try:
            exit_application_advance(
                application=application, user=user, decision=decision, comment=comment, on=on
            )
            result.done.append(application.household_id)
        except ValidationError as exc:
            result.refused[application.household_id] = "；".join(getattr(exc, "messages", [str(exc)]))
    return result
