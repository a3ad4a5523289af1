"""The 防返贫监测 procedure (DESIGN.md §2 "After exit", §3 "Monitoring line"), as services.

发现 → 村级核实 (village official, after a visit) → 乡镇审核 (township official) → 县级确认 (county admin: the
household is 纳入监测, with help measures or a help plan) → 风险消除. 风险消除 is proposed by the township
official once income has stayed above the monitoring line for the line's ``stable_months`` since
``stable_since`` and the latest assessment meets 两不愁三保障; a public notice (PUBLIC_NOTICE_DAYS) follows,
during which objections are recorded, and the county admin confirms after it with none unresolved.
Each step is taken only by the role that owns it (``Access.may_take_step``), in its scope; any step may
reject with a reason. Every change is kept by simple-history.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.models import Role
from core.access import Access
from households.choices import Status
from households.models import Household
from monitoring.choices import FoundBy, Kind, State
from monitoring.models import MonitoringLine, MonitoringObject, MonitoringObjection, MonitoringStep

APPROVE, REJECT = "approve", "reject"
ROLE_LABELS = dict(Role.choices)
GUARANTEES = (
    ("food_secure", gettext_lazy("不愁吃")),
    ("clothing_secure", gettext_lazy("不愁穿")),
    ("education_secure", gettext_lazy("义务教育有保障")),
    ("medical_secure", gettext_lazy("基本医疗有保障")),
    ("housing_secure", gettext_lazy("住房安全有保障")),
    ("water_secure", gettext_lazy("饮水安全有保障")),
)


@dataclass(frozen=True)
class Step:
    source: str
    target: str
    role: str  # the role that owns the step (asked of Access.may_take_step)
    label: str
    starts_notice: bool = False


# Raising a candidate: any official in scope, or the screening job / a cadre's revisit (no user check).
FOUND = Step("", State.FOUND, Role.VILLAGE_OFFICIAL, gettext_lazy("发现"))
STEPS = (
    Step(State.FOUND, State.VILLAGE_CHECKED, Role.VILLAGE_OFFICIAL, gettext_lazy("村级核实")),
    Step(State.VILLAGE_CHECKED, State.TOWNSHIP_REVIEWED, Role.TOWNSHIP_OFFICIAL, gettext_lazy("乡镇审核")),
    Step(State.TOWNSHIP_REVIEWED, State.MONITORED, Role.COUNTY_ADMIN, gettext_lazy("县级确认（纳入监测）")),
    Step(
        State.MONITORED,
        State.CLEARING,
        Role.TOWNSHIP_OFFICIAL,
        gettext_lazy("风险消除公示"),
        starts_notice=True,
    ),
    Step(State.CLEARING, State.CLEARED, Role.COUNTY_ADMIN, gettext_lazy("风险消除")),
)
STEP_BY_SOURCE = {step.source: step for step in STEPS}


def today() -> datetime.date:
    return timezone.localdate()


def next_step(obj: MonitoringObject) -> Step | None:
    return STEP_BY_SOURCE.get(obj.state)


def province_code(household: Household) -> str:
    return household.township.county.region_code[:2] + "0000"


def line_for(household: Household, year: int) -> MonitoringLine | None:
    """The monitoring line of the household's province for ``year`` (or the latest earlier one)."""
    return (
        MonitoringLine.objects.filter(province_code=province_code(household), year__lte=year)
        .order_by("-year")
        .first()
    )


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def kind_for(household: Household, requested: str | None) -> str:
    """The kind follows the household: a 一般农户 is 边缘易致贫户 unless hit by a sudden cost; an exited
    household is 脱贫不稳定户 unless sudden; 突发严重困难户 may be any household."""
    if requested == Kind.SUDDEN:
        return Kind.SUDDEN
    if household.status == Status.GENERAL:
        if requested not in (None, Kind.MARGINAL):
            raise ValidationError({"kind": gettext("一般农户只能作为边缘易致贫户或突发严重困难户纳入监测。")})
        return Kind.MARGINAL
    if household.status == Status.EXITED:
        if requested not in (None, Kind.UNSTABLE):
            raise ValidationError({"kind": gettext("已脱贫户只能作为脱贫不稳定户或突发严重困难户纳入监测。")})
        return Kind.UNSTABLE
    raise ValidationError(
        {
            "kind": gettext(
                "该户状态为“{status_display}”：未脱贫户仍按贫困户帮扶，只能作为突发严重困难户纳入监测。"
            ).format(status_display=household.get_status_display())
        }
    )


def _validate_risks(risk_types) -> list[str]:
    risks = [str(r).strip() for r in risk_types or [] if str(r).strip()]
    if not risks:
        raise ValidationError({"risk_types": gettext("请至少填写一项风险类型（如 因病、因灾）。")})
    return risks


def candidate_raise(
    *,
    household: Household,
    risk_types: list[str],
    found_by: str,
    reason: str,
    kind: str | None = None,
    user=None,
    on: datetime.date | None = None,
) -> MonitoringObject | None:
    """A candidate (发现). With a user, the household must be in their scope; the screening job and
    imports pass ``user=None`` after checking scope themselves. Answers None when the household is already
    an open monitoring object (the reason is added to it rather than raising a second one)."""
    if found_by not in FoundBy.values:
        raise ValidationError(
            {"found_by": gettext("发现方式应为 农户自主申报、干部走访排查 或 部门筛查预警。")}
        )
    if user is not None:
        household = Access.for_user(user).get_or_404(Household.objects, pk=household.pk)
    if household.status == Status.REMOVED:
        raise ValidationError(
            gettext("户 {household_number} 已清退，不能纳入监测。").format(
                household_number=household.household_number
            )
        )
    risks = _validate_risks(risk_types)
    kind = kind_for(household, kind)
    open_object = (
        MonitoringObject.objects.select_for_update()
        .filter(
            household=household,
            state__in=[s for s in State.values if s not in (State.CLEARED, State.REJECTED)],
        )
        .first()
    )
    if open_object is not None:
        added = [r for r in risks if r not in open_object.risk_types]
        if added or reason not in open_object.reason:
            open_object.risk_types = [*open_object.risk_types, *added]
            open_object.reason = "；".join(filter(None, [open_object.reason, reason]))
            open_object.save(update_fields=["risk_types", "reason", "updated_at"])
        return None
    return MonitoringObject.objects.create(
        household=household,
        kind=kind,
        risk_types=risks,
        found_by=found_by,
        reason=reason,
        identified_on=on or today(),
    )


def candidate_from_revisit(*, revisit) -> MonitoringObject | None:
    """A cadre's revisit that reports a risk raises a candidate (发现, 干部走访排查) for its household.

    Called by assignments.services.revisit_record inside its transaction, only when the revisit is first
    stored (a resend of the same client UUID stores nothing and calls nothing). The cadre's scope was
    checked there. The kind follows the household as the screening job reads it: an exited household is
    脱贫不稳定户, a 一般农户 边缘易致贫户, a household still poor 突发严重困难户. A 已清退 household raises
    nothing (the risk stays on the revisit)."""
    household = revisit.household
    if household.status == Status.REMOVED:
        return None
    kind = None if household.status in (Status.EXITED, Status.GENERAL) else Kind.SUDDEN
    note = revisit.risk_note or "、".join(revisit.risk_types)
    return candidate_raise(
        household=household,
        risk_types=list(revisit.risk_types),
        found_by=FoundBy.VISIT,
        reason=f"{revisit.visited_on:%Y-%m-%d} 走访发现：{note}",
        kind=kind,
        on=revisit.visited_on,
    )


def notice_open(obj: MonitoringObject, *, on: datetime.date | None = None) -> bool:
    return obj.notice_ends_on is not None and (on or today()) <= obj.notice_ends_on


def clearable_from(obj: MonitoringObject) -> datetime.date | None:
    """The first day 风险消除 may be proposed: stable_since + the line's stable months."""
    line = line_for(obj.household, (obj.stable_since or today()).year)
    months = line.stable_months if line else settings.MONITORING_STABLE_MONTHS
    start = obj.stable_since or obj.monitored_on
    return add_months(start, months) if start else None


def _clearing_refusals(obj: MonitoringObject, on: datetime.date) -> list[str]:
    reasons = []
    possible = clearable_from(obj)
    if possible is None or on < possible:
        since = obj.stable_since or obj.monitored_on
        reasons.append(
            gettext(
                "收入自 {since:%Y年%m月%d日} 起稳定未满规定月数，{year}年{month}月{day}日起才能风险消除"
            ).format(since=since, year=possible.year, month=possible.month, day=possible.day)
            if possible
            else gettext("尚未纳入监测")
        )
    assessment = obj.household.assessments.order_by("-year").first()
    if assessment is None:
        reasons.append(gettext("该户没有收入与保障情况记录，不能确认两不愁三保障"))
        return reasons
    line = line_for(obj.household, assessment.year)
    income = assessment.per_capita_net_income
    if line is not None and income is not None and Decimal(income) <= line.income_line:
        reasons.append(
            gettext("{year} 年人均纯收入 {income:,.0f} 元，未高于监测标准 {income_line:,.0f} 元").format(
                year=assessment.year, income=income, income_line=line.income_line
            )
        )
    unmet = [str(label) for field, label in GUARANTEES if not getattr(assessment, field)]
    if unmet:
        reasons.append(
            gettext("{year} 年{items}未达到").format(year=assessment.year, items=gettext("、").join(unmet))
        )
    return reasons


@transaction.atomic
def monitoring_object_advance(
    *,
    obj: MonitoringObject,
    user,
    decision: str,
    comment: str = "",
    help_measures: str = "",
    expected_state: str | None = None,
    on: datetime.date | None = None,
) -> MonitoringObject:
    """Take the object's next step: approve moves it on, reject (with a reason) ends it. ``expected_state``
    (from the form or API) guards against acting on a stale page: it must match the current state."""
    access = Access.for_user(user)
    obj = access.get_or_404(MonitoringObject.objects.select_for_update(), pk=obj.pk)
    on = on or today()
    if expected_state is not None and expected_state != obj.state:
        raise StaleStep(
            gettext("该监测对象已由他人办理，现为“{state_display}”，请刷新后再办理。").format(
                state_display=obj.get_state_display()
            )
        )
    step = next_step(obj)
    if step is None:
        raise ValidationError(
            gettext("该监测对象已结束（{state_display}），不能再办理。").format(
                state_display=obj.get_state_display()
            )
        )
    if decision not in (APPROVE, REJECT):
        raise ValidationError({"decision": gettext("决定应为 approve（同意）或 reject（不同意）。")})
    if not access.may_take_step(step):
        raise ValidationError(
            gettext("“{step_label}”由{role}办理，您的角色是{your_role}。").format(
                step_label=step.label,
                role=ROLE_LABELS[step.role],
                your_role=ROLE_LABELS.get(user.role, user.role),
            )
        )
    if decision == REJECT:
        if not comment.strip():
            raise ValidationError({"comment": gettext("退回时必须填写理由。")})
        # Rejecting 风险消除 keeps the household monitored; rejecting earlier ends the candidate.
        obj.state = State.MONITORED if step.source in (State.MONITORED, State.CLEARING) else State.REJECTED
        obj.notice_ends_on = None
        obj.save()
        MonitoringStep.objects.create(
            object=obj, state=step.target, decision=decision, comment=comment, actor=user
        )
        return obj
    if notice_open(obj, on=on):
        ends = obj.notice_ends_on
        raise ValidationError(
            gettext("公示期至 {year}年{month}月{day}日，期满后才能办理“{step_label}”。").format(
                year=ends.year, month=ends.month, day=ends.day, step_label=step.label
            )
        )
    unresolved = obj.objections.filter(resolution="").count()
    if unresolved:
        raise ValidationError(
            gettext("公示期间有 {unresolved} 条异议尚未处理，处理后才能继续。").format(unresolved=unresolved)
        )
    if step.target == State.MONITORED:
        measures = help_measures.strip() or obj.help_measures.strip()
        if not measures and obj.help_plan_id is None:
            raise ValidationError({"help_measures": gettext("纳入监测时必须填写帮扶措施或关联帮扶计划。")})
        obj.help_measures = measures
        obj.monitored_on = on
        obj.stable_since = obj.stable_since or on
        if obj.help_plan_id is None:
            obj.help_plan = obj.household.help_plans.order_by("-year").first()
    if step.target in (State.CLEARING, State.CLEARED):
        refusals = _clearing_refusals(obj, on)
        if refusals:
            raise ValidationError(gettext("不能风险消除：") + gettext("；").join(refusals) + gettext("。"))
    if step.target == State.CLEARED:
        obj.cleared_on = on
    obj.state = step.target
    obj.notice_ends_on = (
        on + datetime.timedelta(days=settings.PUBLIC_NOTICE_DAYS - 1) if step.starts_notice else None
    )
    obj.save()
    MonitoringStep.objects.create(
        object=obj, state=step.target, decision=decision, comment=comment, actor=user
    )
    return obj


class StaleStep(ValidationError):
    """The object moved on since the page was drawn (API answers 409)."""


@transaction.atomic
def monitoring_stable_since_set(*, obj: MonitoringObject, user, since: datetime.date) -> MonitoringObject:
    """Record the date from which income has been stable above the monitoring line."""
    access = Access.for_user(user)
    obj = access.get_or_404(MonitoringObject.objects.select_for_update(), pk=obj.pk)
    if not access.can_change(obj):
        raise ValidationError(gettext("您不能修改该监测对象。"))
    if obj.state != State.MONITORED:
        raise ValidationError(
            gettext("只有纳入监测的对象可以登记收入稳定日期（现为“{state_display}”）。").format(
                state_display=obj.get_state_display()
            )
        )
    if since > today():
        raise ValidationError({"stable_since": gettext("收入稳定起始日期不能晚于今天。")})
    obj.stable_since = since
    obj.save(update_fields=["stable_since", "updated_at"])
    return obj


@transaction.atomic
def monitoring_objection_record(
    *, obj: MonitoringObject, user, content: str, raised_by: str = "", on: datetime.date | None = None
) -> MonitoringObjection:
    access = Access.for_user(user)
    obj = access.get_or_404(MonitoringObject.objects, pk=obj.pk)
    if not access.may_change_model(MonitoringObjection):
        raise ValidationError(gettext("您的角色不能记录公示异议。"))
    if not notice_open(obj, on=on):
        raise ValidationError(gettext("该监测对象当前不在风险消除公示期内。"))
    if not content.strip():
        raise ValidationError({"content": gettext("请填写异议内容。")})
    return MonitoringObjection.objects.create(
        object=obj, recorded_by=user, content=content, raised_by=raised_by
    )


@transaction.atomic
def monitoring_objection_resolve(
    *, objection: MonitoringObjection, user, resolution: str
) -> MonitoringObjection:
    access = Access.for_user(user)
    objection = access.get_or_404(MonitoringObjection.objects, pk=objection.pk)
    if not access.may_change_model(MonitoringObjection):
        raise ValidationError(gettext("您的角色不能处理公示异议。"))
    if not resolution.strip():
        raise ValidationError({"resolution": gettext("请填写处理结果。")})
    objection.resolution = resolution
    objection.save(update_fields=["resolution"])
    return objection


@transaction.atomic
def monitoring_line_set(
    *, user, province_code: str, year: int, income_line, rigid_expense_share=None, stable_months=None, note=""
) -> MonitoringLine:
    if not Access.for_user(user).may_change_model(MonitoringLine):
        raise ValidationError(gettext("只有县扶贫办管理员可以设定监测标准。"))
    income_line = Decimal(str(income_line))
    if income_line <= 0:
        raise ValidationError({"income_line": gettext("监测收入标准必须大于 0。")})
    defaults = {"income_line": income_line, "note": note}
    if rigid_expense_share is not None:
        defaults["rigid_expense_share"] = Decimal(str(rigid_expense_share))
    if stable_months is not None:
        defaults["stable_months"] = int(stable_months)
    line, _ = MonitoringLine.objects.update_or_create(
        province_code=province_code, year=year, defaults=defaults
    )
    return line


@transaction.atomic
def quality_issue_mark_correct(*, issue, user, note: str):
    """An official marks a suspect checked-and-correct: it stays quiet until the data it was read from
    changes (its fingerprint)."""
    from monitoring.models import QualityIssue

    access = Access.for_user(user)
    issue = access.get_or_404(QualityIssue.objects.select_for_update(), pk=issue.pk)
    if not access.can_change(issue):
        raise ValidationError(gettext("您的角色不能核实数据质量疑点。"))
    if not note.strip():
        raise ValidationError({"note": gettext("请填写核实说明（为什么该记录是正确的）。")})
    issue.open = False
    issue.checked_fingerprint = issue.fingerprint
    issue.checked_by = user
    issue.checked_at = timezone.now()
    issue.checked_note = note.strip()
    issue.save()
    return issue
