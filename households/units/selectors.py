"""Reads for village and township exit (出列 / 摘帽): whether a unit meets the exit criteria, the
applications, one application's record, and the villages' indicator forms.

DESIGN.md §3: a village exits when its poverty incidence is below the threshold and its indicators are
met; a township when its incidence is below the threshold. The criteria are ExitIndicator rows (active
only): one with a ``threshold`` is measured against poverty incidence, the others are read from
VillageIndicatorStatus. Every queryset goes through ``Access.visible``.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet

from core.access import Access
from households.exit.selectors import Progress
from households.selectors import Figures, scope_figures
from households.units.models import (
    CLOSED_STATES,
    UnitExitApplication,
    UnitExitObjection,
    UnitExitStep,
    UnitLevel,
)
from households.units.procedure import ROLE_LABELS, next_step, notice_open
from villages.models import AdministrativeVillage, ExitIndicator, Township, VillageIndicatorStatus

# -- the criteria, met or missing ---------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorCheck:
    indicator: ExitIndicator
    met: bool
    detail: str  # in words: the measured value, or the status note
    reason: str = ""  # why it is not met, as a refusal says it ("通动力电（三相电）：未达标"); "" when met

    def as_record(self) -> dict:
        """What a step keeps of the check (the indicator may change or be retired later)."""
        return {
            "code": self.indicator.code,
            "name": self.indicator.name,
            "met": self.met,
            "detail": self.detail,
        }


def percent(value: Decimal) -> str:
    """0.06 → "6.00%"."""
    return f"{(value * 100).quantize(Decimal('0.01'), ROUND_HALF_UP)}%"


def threshold_percent(value: Decimal) -> str:
    """0.03 → "3%", 0.025 → "2.5%"."""
    return f"{(value * 100).normalize():f}%"


def incidence_check(indicator: ExitIndicator, figures: Figures) -> IndicatorCheck:
    """Measured: met when poverty incidence is below the indicator's threshold."""
    if not figures.population:
        return IndicatorCheck(
            indicator,
            False,
            "户籍农业人口未登记，无法计算贫困发生率",
            "贫困发生率无法计算：户籍农业人口未登记",
        )
    incidence = figures.incidence
    if incidence < indicator.threshold:
        return IndicatorCheck(indicator, True, f"现为 {percent(incidence)}")
    # the most poor persons the threshold allows: p / population < threshold
    allowed = math.ceil(indicator.threshold * figures.population) - 1
    fewer = figures.poor_persons - max(allowed, 0)
    return IndicatorCheck(
        indicator,
        False,
        f"现为 {percent(incidence)}，还需减少贫困人口 {fewer} 人",
        f"贫困发生率 {percent(incidence)}，未低于 {threshold_percent(indicator.threshold)}"
        f"（还需减少贫困人口 {fewer} 人）",
    )


def status_check(indicator: ExitIndicator, status: VillageIndicatorStatus | None) -> IndicatorCheck:
    """Recorded by the township: met or not, with its note."""
    if status is None:
        return IndicatorCheck(indicator, False, "未填报", f"{indicator.name}：未填报")
    if status.met:
        return IndicatorCheck(indicator, True, status.note)
    note = f"（{status.note}）" if status.note else ""
    return IndicatorCheck(indicator, False, status.note, f"{indicator.name}：未达标{note}")


def unit_checks(
    *,
    indicators: list[ExitIndicator],
    figures: Figures,
    statuses: dict[int, VillageIndicatorStatus] | None,
) -> list[IndicatorCheck]:
    """Each indicator met or missing. ``statuses`` (indicator id → status) is None for a township, which
    has no recorded indicators: only measured ones can be met there."""
    checks = []
    for indicator in indicators:
        if indicator.threshold is not None:
            checks.append(incidence_check(indicator, figures))
        elif statuses is None:
            checks.append(IndicatorCheck(indicator, False, "无数据", f"{indicator.name}：无数据"))
        else:
            checks.append(status_check(indicator, statuses.get(indicator.pk)))
    return checks


def exit_indicators(*, province: str, level: str) -> list[ExitIndicator]:
    return list(
        ExitIndicator.objects.filter(province=province, level=level, active=True).order_by("order", "id")
    )


@dataclass(frozen=True)
class Readiness:
    """A unit's figures and each criterion met or missing, now."""

    level: str
    unit: AdministrativeVillage | Township
    figures: Figures
    checks: list[IndicatorCheck]

    @property
    def missing(self) -> list[IndicatorCheck]:
        return [c for c in self.checks if not c.met]

    @property
    def ready(self) -> bool:
        return bool(self.checks) and not self.missing

    @property
    def reasons(self) -> list[str]:
        """Why the unit may not exit, one entry per missing indicator or figure."""
        if not self.checks:
            return ["未设定出列指标，请县扶贫办在管理后台设定。"]
        return [c.reason for c in self.missing]


def unit_readiness(*, access: Access, unit: AdministrativeVillage | Township) -> Readiness:
    """The criteria of a village (incidence and recorded indicators) or of a township (incidence) now."""
    if isinstance(unit, AdministrativeVillage):
        township = unit.township
        figures = scope_figures(access=access, village_id=unit.pk)
        level = UnitLevel.VILLAGE
        statuses = {
            s.indicator_id: s
            for s in access.visible(VillageIndicatorStatus.objects.filter(village_id=unit.pk))
        }
    else:
        township = unit
        figures = scope_figures(access=access, township_id=unit.pk)
        level, statuses = UnitLevel.TOWNSHIP, None
    indicators = exit_indicators(province=township.county.province, level=level)
    return Readiness(
        level=level,
        unit=unit,
        figures=figures,
        checks=unit_checks(indicators=indicators, figures=figures, statuses=statuses),
    )


def unit_for_proposal(*, access: Access, level: str, pk) -> AdministrativeVillage | Township:
    """The village or township a 申请 page is about, in scope (404 otherwise)."""
    if level == UnitLevel.VILLAGE:
        return access.get_or_404(AdministrativeVillage.objects.select_related("township__county"), pk=pk)
    return access.get_or_404(Township.objects.select_related("county"), pk=pk)


# -- applications -------------------------------------------------------------------------------------


def unit_exit_application_list(
    *,
    access: Access,
    state: str = "",
    level: str = "",
    township_id: int | None = None,
    year: int | None = None,
) -> QuerySet[UnitExitApplication]:
    """Applications in the user's scope, newest first. ``state`` is a state code, ``"open"`` or blank."""
    qs = access.visible(UnitExitApplication.objects.all())
    if state == "open":
        qs = qs.exclude(state__in=CLOSED_STATES)
    elif state:
        qs = qs.filter(state=state)
    if level:
        qs = qs.filter(level=level)
    if township_id:
        qs = qs.filter(township_id=township_id)
    if year:
        qs = qs.filter(year=year)
    return qs.select_related("township", "village").order_by("-updated_at", "-id")


def unit_exit_progress(
    application: UnitExitApplication, *, access: Access, on: datetime.date | None = None
) -> Progress:
    step = next_step(application)
    running = notice_open(application, on=on)
    return Progress(
        step_label=step.label if step else None,
        role=step.role if step else None,
        role_label=ROLE_LABELS[step.role] if step else None,
        notice_open=running,
        notice_ends_on=application.notice_ends_on if running else None,
        may_act=bool(step) and access.may_take_step(step),
    )


@dataclass(frozen=True)
class UnitExitRecord:
    application: UnitExitApplication
    readiness: Readiness  # the check county approval makes, as it stands now
    steps: list[UnitExitStep]
    objections: list[UnitExitObjection]
    progress: Progress


def unit_exit_record(*, access: Access, pk) -> UnitExitRecord:
    """One application in scope (404 otherwise) with all its page shows."""
    application = access.get_or_404(
        UnitExitApplication.objects.select_related("township__county", "village__township__county"), pk=pk
    )
    steps = list(
        access.visible(UnitExitStep.objects.filter(application=application))
        .select_related("actor")
        .order_by("acted_at", "id")
    )
    objections = list(
        access.visible(UnitExitObjection.objects.filter(application=application))
        .select_related("recorded_by")
        .order_by("recorded_at", "id")
    )
    return UnitExitRecord(
        application=application,
        readiness=unit_readiness(access=access, unit=application.unit),
        steps=steps,
        objections=objections,
        progress=unit_exit_progress(application, access=access),
    )


def objection_in_scope(*, access: Access, pk) -> UnitExitObjection:
    return access.get_or_404(UnitExitObjection.objects.select_related("application"), pk=pk)


def open_applications(
    *, access: Access, village_ids=(), township_ids=()
) -> tuple[dict[int, UnitExitApplication], dict[int, UnitExitApplication]]:
    """The open application of each village and each township (one query), for the exit report's links:
    (village id → application, township id → the township's own application)."""
    qs = access.visible(
        UnitExitApplication.objects.exclude(state__in=CLOSED_STATES).filter(
            Q(level=UnitLevel.VILLAGE, village_id__in=list(village_ids))
            | Q(level=UnitLevel.TOWNSHIP, township_id__in=list(township_ids))
        )
    )
    villages: dict[int, UnitExitApplication] = {}
    townships: dict[int, UnitExitApplication] = {}
    for application in qs:
        if application.level == UnitLevel.VILLAGE:
            villages[application.village_id] = application
        else:
            townships[application.township_id] = application
    return villages, townships


# -- the indicator forms ------------------------------------------------------------------------------


def recorded_indicators(*, province: str) -> list[ExitIndicator]:
    """The village indicators a township records (met / not met): the active ones that are not measured."""
    return [i for i in exit_indicators(province=province, level=UnitLevel.VILLAGE) if i.threshold is None]


@dataclass(frozen=True)
class IndicatorSheet:
    """One village's indicator form: each recorded indicator with its current status (None: not yet)."""

    village: AdministrativeVillage
    rows: list[tuple[ExitIndicator, VillageIndicatorStatus | None]]


def _sheets(*, access: Access, villages: list[AdministrativeVillage]) -> list[IndicatorSheet]:
    provinces = {v.township.county.province for v in villages}
    indicators = list(
        ExitIndicator.objects.filter(
            province__in=provinces, level=UnitLevel.VILLAGE, active=True, threshold__isnull=True
        ).order_by("order", "id")
    )
    statuses = {
        (s.village_id, s.indicator_id): s
        for s in access.visible(
            VillageIndicatorStatus.objects.filter(village_id__in=[v.pk for v in villages])
        )
    }
    return [
        IndicatorSheet(
            village=village,
            rows=[
                (i, statuses.get((village.pk, i.pk)))
                for i in indicators
                if i.province == village.township.county.province
            ],
        )
        for village in villages
    ]


def indicator_sheets(*, access: Access, township_id: int | None = None) -> list[IndicatorSheet]:
    """The poor villages in scope with their indicators, in three queries whatever their number."""
    villages = access.visible(AdministrativeVillage.objects.filter(is_poor=True)).select_related(
        "township__county"
    )
    if township_id:
        villages = villages.filter(township_id=township_id)
    return _sheets(
        access=access, villages=list(villages.order_by("township__code", "township_id", "code", "id"))
    )


def indicator_sheet(*, access: Access, village_id) -> IndicatorSheet:
    """One village's indicator form, in scope (404 otherwise)."""
    village = access.get_or_404(
        AdministrativeVillage.objects.select_related("township__county"), pk=village_id
    )
    return _sheets(access=access, villages=[village])[0]
