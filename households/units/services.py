"""Writes for village and township exit (出列 / 摘帽): the township records its villages' indicators,
proposes a village (or itself), objections are recorded during the 公示, and the county approves, which
sets the unit's exit year. The steps and who owns them: households/units/procedure.py.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from core.access import Access
from households.choices import Decision
from households.units.models import (
    CLOSED_STATES,
    UnitExitApplication,
    UnitExitObjection,
    UnitExitState,
    UnitExitStep,
    UnitLevel,
)
from households.units.procedure import PROPOSE, ROLE_LABELS, Step, next_step, notice_open, today
from households.units.selectors import Readiness, recorded_indicators, unit_readiness
from villages.models import AdministrativeVillage, Township, VillageIndicatorStatus

NOTE_MAX = VillageIndicatorStatus._meta.get_field("note").max_length

# -- indicators ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInput:
    met: bool
    note: str = ""


@transaction.atomic
def village_indicators_record(
    *, village: AdministrativeVillage, user, statuses: dict[int, IndicatorInput]
) -> list[VillageIndicatorStatus]:
    """The township records its village's exit indicators (indicator id → met / not met and a note)."""
    access = Access.for_user(user)
    village = access.get_or_404(
        AdministrativeVillage.objects.select_related("township__county"), pk=village.pk
    )
    if not access.can_change_in(
        VillageIndicatorStatus, township_id=village.township_id, village_id=village.pk
    ):
        raise ValidationError(
            _("出列指标由乡镇干部填报，您不能修改{township}{village}的指标。").format(
                township=village.township.name, village=village.name
            )
        )
    indicators = {i.pk: i for i in recorded_indicators(province=village.township.county.province)}
    errors = []
    for indicator_id, value in statuses.items():
        indicator = indicators.get(indicator_id)
        if indicator is None:
            errors.append(
                _("指标（编号 {indicator_id}）不是本省启用的村级填报指标，不能填报。").format(
                    indicator_id=indicator_id
                )
            )
        elif len(value.note.strip()) > NOTE_MAX:
            errors.append(
                _("{indicator}：说明不能超过 {NOTE_MAX} 字。").format(
                    indicator=indicator.name, NOTE_MAX=NOTE_MAX
                )
            )
    if errors:
        raise ValidationError(errors)
    recorded = []
    for indicator_id, value in statuses.items():
        status, _created = VillageIndicatorStatus.objects.update_or_create(
            village=village,
            indicator_id=indicator_id,
            defaults={"met": value.met, "note": value.note.strip()},
        )
        recorded.append(status)
    return recorded


# -- the procedure ------------------------------------------------------------------------------------


class UnitExitConflict(ValidationError):
    """The decision names a step the application is no longer at (a double submit, or someone else
    decided first): answered 409 by the API, a message and a fresh page by the views."""

    def __init__(self, application: UnitExitApplication, step: str):
        self.application = application
        label = UnitExitState(step).label if step in UnitExitState.values else step
        super().__init__(
            _("该申请已不在“{label}”这一步，现为“{state}”，请刷新后查看。").format(
                label=label, state=application.get_state_display()
            )
        )


def _role_refusal(step: Step, user) -> ValidationError:
    return ValidationError(
        _("“{step}”由{role}办理，您的角色是{your_role}。").format(
            step=step.label,
            role=gettext(ROLE_LABELS[step.role]),
            your_role=gettext(ROLE_LABELS.get(user.role, user.role)),
        )
    )


def _unit_label(unit: AdministrativeVillage | Township) -> str:
    return _("该村") if isinstance(unit, AdministrativeVillage) else _("该乡镇")


def _exit_word(unit: AdministrativeVillage | Township) -> str:
    return _("出列") if isinstance(unit, AdministrativeVillage) else _("摘帽")


def _unit_refusals(unit: AdministrativeVillage | Township) -> list[str]:
    """What rules a unit out before its figures are looked at: not poor, or already out."""
    if not unit.is_poor:
        kind = _("贫困村") if isinstance(unit, AdministrativeVillage) else _("贫困乡")
        return [
            _("{unit}不是{kind}，没有{exit}任务。").format(unit=unit.name, kind=kind, exit=_exit_word(unit))
        ]
    if unit.exit_year:
        return [
            _("{unit}已于 {exit_year} 年{exit}。").format(
                unit=unit.name, exit_year=unit.exit_year, exit=_exit_word(unit)
            )
        ]
    return []


def _checks_record(readiness: Readiness) -> list[dict]:
    figures = readiness.figures
    incidence = figures.incidence
    return [
        {
            "code": "figures",
            "name": "贫困人口 / 户籍农业人口",
            "poor_persons": figures.poor_persons,
            "population": figures.population,
            "incidence": None if incidence is None else float(incidence),
        },
        *(c.as_record() for c in readiness.checks),
    ]


@transaction.atomic
def unit_exit_propose(
    *,
    unit: AdministrativeVillage | Township,
    year: int,
    user,
    comment: str = "",
    on: datetime.date | None = None,
) -> UnitExitApplication:
    """乡镇申请: the township proposes one of its poor villages (or itself) to exit in ``year``; refused,
    with each missing indicator or figure in words, unless the unit meets every criterion now. The
    public notice (公示) starts the same day."""
    access = Access.for_user(user)
    on = on or today()
    if isinstance(unit, AdministrativeVillage):
        level = UnitLevel.VILLAGE
        unit = access.get_or_404(
            AdministrativeVillage.objects.select_related("township__county").select_for_update(of=("self",)),
            pk=unit.pk,
        )
        township_id, village_id = unit.township_id, unit.pk
    else:
        level = UnitLevel.TOWNSHIP
        unit = access.get_or_404(
            Township.objects.select_related("county").select_for_update(of=("self",)), pk=unit.pk
        )
        township_id, village_id = unit.pk, None
    if not access.may_take_step(PROPOSE):
        raise _role_refusal(PROPOSE, user)
    if not access.can_change_in(UnitExitApplication, township_id=township_id, village_id=village_id):
        raise ValidationError(
            _("{unit}不在您的乡镇，不能申请{exit}。").format(unit=unit.name, exit=_exit_word(unit))
        )
    if year < 2014 or year > on.year:
        raise ValidationError(
            {
                "year": _("{exit}年度应在 2014 年至 {year} 年之间。").format(
                    exit=_exit_word(unit), year=on.year
                )
            }
        )
    refusals = _unit_refusals(unit)
    if refusals:
        raise ValidationError(refusals)
    open_ = UnitExitApplication.objects.filter(level=level, township_id=township_id, village_id=village_id)
    if open_.exclude(state__in=CLOSED_STATES).exists():
        raise ValidationError(
            _("{unit}已有正在办理的{exit}申请。").format(unit=_unit_label(unit), exit=_exit_word(unit))
        )
    readiness = unit_readiness(access=access, unit=unit)
    if not readiness.ready:
        raise ValidationError(readiness.reasons)
    application = UnitExitApplication.objects.create(
        level=level,
        township_id=township_id,
        village_id=village_id,
        year=year,
        state=PROPOSE.target,
        notice_ends_on=on + datetime.timedelta(days=settings.PUBLIC_NOTICE_DAYS - 1),
    )
    UnitExitStep.objects.create(
        application=application,
        state=PROPOSE.target,
        decision=Decision.APPROVE,
        comment=comment or f"乡镇申请{_exit_word(unit)}",
        checks=_checks_record(readiness),
        actor=user,
    )
    return application


@transaction.atomic
def unit_exit_advance(
    *,
    application: UnitExitApplication,
    user,
    step: str,
    decision: str,
    comment: str = "",
    on: datetime.date | None = None,
) -> UnitExitApplication:
    """Take the application's next step. ``step`` is the state being decided (the one the user saw):
    if the application has moved on since, the decision is refused with UnitExitConflict. Approve moves
    it on (county approval re-checks the criteria and sets the unit's exit year); reject (with a
    reason) ends it."""
    access = Access.for_user(user)
    application = access.get_or_404(
        UnitExitApplication.objects.select_related(
            "township__county", "village__township__county"
        ).select_for_update(of=("self",)),
        pk=application.pk,
    )
    on = on or today()
    if step not in UnitExitState.values:
        raise ValidationError(
            {"step": _("步骤应为 {states} 之一。").format(states=", ".join(UnitExitState.values))}
        )
    if step != application.state:
        raise UnitExitConflict(application, step)
    current = next_step(application)
    if current is None:
        raise ValidationError(
            _("该申请已结束（{state}），不能再办理。").format(state=application.get_state_display())
        )
    if decision not in Decision.values:
        raise ValidationError({"decision": _("决定应为 approve（同意）或 reject（不同意）。")})
    if not access.may_take_step(current):
        raise _role_refusal(current, user)
    unit = application.unit
    if decision == Decision.REJECT:
        if not comment.strip():
            raise ValidationError({"comment": _("退回时必须填写理由。")})
        application.state, application.notice_ends_on = UnitExitState.REJECTED, None
        application.save(update_fields=["state", "notice_ends_on", "updated_at"])
        UnitExitStep.objects.create(
            application=application, state=current.target, decision=decision, comment=comment, actor=user
        )
        return application

    if notice_open(application, on=on):
        ends = application.notice_ends_on
        raise ValidationError(
            _("公示期至 {year}年{month}月{day}日，期满后才能办理“{step}”。").format(
                year=ends.year, month=ends.month, day=ends.day, step=current.label
            )
        )
    unresolved = application.objections.filter(resolution="").count()
    if unresolved:
        raise ValidationError(
            _("公示期间有 {unresolved} 条异议尚未处理，处理后才能继续。").format(unresolved=unresolved)
        )
    refusals = _unit_refusals(unit)
    if refusals:
        raise ValidationError(refusals)
    # The criteria again, as they stand now: indicators and households may have changed since 申请.
    readiness = unit_readiness(access=access, unit=unit)
    if not readiness.ready:
        raise ValidationError(readiness.reasons)
    if current.target == UnitExitState.COUNTY_APPROVED:
        unit.exit_year = application.year  # the only place a unit's exit year is written
        unit.save(update_fields=["exit_year"])
    application.state = current.target
    application.notice_ends_on = (
        on + datetime.timedelta(days=settings.PUBLIC_NOTICE_DAYS - 1) if current.starts_notice else None
    )
    application.save(update_fields=["state", "notice_ends_on", "updated_at"])
    UnitExitStep.objects.create(
        application=application,
        state=current.target,
        decision=decision,
        comment=comment,
        checks=_checks_record(readiness),
        actor=user,
    )
    return application


@transaction.atomic
def unit_exit_objection_record(
    *,
    application: UnitExitApplication,
    user,
    content: str,
    raised_by: str = "",
    on: datetime.date | None = None,
) -> UnitExitObjection:
    """An objection raised during the unit's public notice."""
    access = Access.for_user(user)
    application = access.get_or_404(UnitExitApplication.objects, pk=application.pk)
    if not access.may_change_model(UnitExitObjection):
        raise ValidationError(_("您的角色不能记录公示异议。"))
    if not notice_open(application, on=on):
        raise ValidationError(_("该申请当前不在公示期内。"))
    if not content.strip():
        raise ValidationError({"content": _("请填写异议内容。")})
    return UnitExitObjection.objects.create(
        application=application, recorded_by=user, content=content, raised_by=raised_by
    )


@transaction.atomic
def unit_exit_objection_resolve(*, objection: UnitExitObjection, user, resolution: str) -> UnitExitObjection:
    access = Access.for_user(user)
    objection = access.get_or_404(UnitExitObjection.objects, pk=objection.pk)
    if not access.may_change_model(UnitExitObjection):
        raise ValidationError(_("您的角色不能处理公示异议。"))
    if not resolution.strip():
        raise ValidationError({"resolution": _("请填写处理结果。")})
    objection.resolution = resolution
    objection.save(update_fields=["resolution"])
    return objection
