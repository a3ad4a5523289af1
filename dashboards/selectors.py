"""Figures that combine apps: village and township exit (出列 / 摘帽) against the indicators.

Reporting across geography and households sits here, in the composition layer, so that geography
imports no other domain app.
"""

from dataclasses import dataclass, replace

from core.access import Access
from households.models import Household, Member
from households.selectors import (
    HOUSEHOLD_COUNTS,
    PERSON_COUNTS,
    ZERO_COUNTS,
    Figures,
    UnitFigures,
    figures_by_township,
    scope_figures,
)
from households.units.models import UnitExitApplication
from households.units.selectors import IndicatorCheck, open_applications, unit_checks
from villages.models import AdministrativeVillage, County, ExitIndicator, VillageIndicatorStatus

# -- village and township exit (出列 / 摘帽) ---------------------------------------------------------------
# DESIGN.md §3: a village exits when its poverty incidence is below the threshold and its indicators are
# met; a township when its incidence is below the threshold. The criteria are ExitIndicator rows (active
# only): one with a ``threshold`` is measured against poverty incidence, the others are read from
# VillageIndicatorStatus (households/units/selectors.py says which are met, for this report and for the
# 出列 / 摘帽 procedure alike). 元谋县 itself has no exit of its own: the county shows figures only.


@dataclass(frozen=True)
class UnitExit:
    """One township or poor village with its figures and each exit indicator met or missing."""

    figures: UnitFigures
    township_name: str
    checks: list[IndicatorCheck]
    application: UnitExitApplication | None = None  # its open 出列 / 摘帽 application, if any

    @property
    def missing(self) -> list[IndicatorCheck]:
        return [c for c in self.checks if not c.met]

    @property
    def ready(self) -> bool:
        return bool(self.checks) and not self.missing


@dataclass(frozen=True)
class ExitOverview:
    county: Figures | None
    county_exits: bool  # 国家扶贫开发工作重点县 only
    townships: list[UnitExit]
    villages: list[UnitExit]
    township_indicators: list[ExitIndicator]
    village_indicators: list[ExitIndicator]


def _province(access: Access) -> str:
    province = access.visible(County.objects.order_by("pk")).values_list("province", flat=True).first()
    return province or "云南省"


def _village_figures(*, access: Access, villages: list[AdministrativeVillage]) -> dict[int, dict]:
    """Household and person counts per village, in two GROUP BY queries whatever the number of villages."""
    ids = [v.pk for v in villages]
    households = (
        access.visible(Household.objects.filter(village_id__in=ids))
        .order_by()
        .values("village_id")
        .annotate(**HOUSEHOLD_COUNTS)
    )
    persons = (
        access.visible(Member.objects.filter(household__village_id__in=ids, left_reason=""))
        .order_by()
        .values("household__village_id")
        .annotate(**PERSON_COUNTS)
    )
    counts = {pk: dict(ZERO_COUNTS) for pk in ids}
    for row in households:
        counts[row.pop("village_id")].update(row)
    for row in persons:
        counts[row.pop("household__village_id")].update(row)
    return counts


def exit_overview(*, access: Access, township_id: int | None = None) -> ExitOverview:
    """Townships with their incidence against the township criteria, and each poor village with its
    indicators met or missing. A fixed number of queries whatever the number of villages."""
    province = _province(access)
    indicators = list(ExitIndicator.objects.filter(province=province, active=True).order_by("level", "order"))
    township_indicators = [i for i in indicators if i.level == ExitIndicator.Level.TOWNSHIP]
    village_indicators = [i for i in indicators if i.level == ExitIndicator.Level.VILLAGE]

    # County figures only for county-wide roles: others see part of the county's households.
    county = scope_figures(access=access) if access.sees_whole_county else None
    county_exits = access.visible(County.objects.filter(is_poverty_county=True)).exists()

    townships = []
    # A village official (or a cadre) sees only part of a township's households: a township row would
    # understate its incidence, so the township criteria are shown to township and county roles only.
    township_rows = figures_by_township(access=access) if access.sees_whole_townships else []
    for row in township_rows:
        if township_id and row.id != township_id:
            continue
        checks = unit_checks(indicators=township_indicators, figures=row, statuses=None)
        townships.append(UnitExit(figures=row, township_name=row.name, checks=checks))

    poor_villages = access.visible(AdministrativeVillage.objects.filter(is_poor=True)).select_related(
        "township"
    )
    if township_id:
        poor_villages = poor_villages.filter(township_id=township_id)
    poor_villages = list(poor_villages.order_by("township__code", "township_id", "code", "id"))
    counts = _village_figures(access=access, villages=poor_villages)
    statuses: dict[int, dict] = {v.pk: {} for v in poor_villages}  # village id → indicator id → status
    for status in access.visible(
        VillageIndicatorStatus.objects.filter(
            village_id__in=[v.pk for v in poor_villages], indicator__in=village_indicators
        )
    ):
        statuses[status.village_id][status.indicator_id] = status
    villages = []
    for village in poor_villages:
        figures = UnitFigures(
            id=village.pk,
            name=village.name,
            population=village.registered_rural_population,
            is_poor=village.is_poor,
            planned_exit_year=village.planned_exit_year,
            exit_year=village.exit_year,
            **counts[village.pk],
        )
        checks = unit_checks(indicators=village_indicators, figures=figures, statuses=statuses[village.pk])
        villages.append(UnitExit(figures=figures, township_name=village.township.name, checks=checks))
    # Each unit's open 出列 / 摘帽 application, for the report's links (one query).
    by_village, by_township = open_applications(
        access=access,
        village_ids=[u.figures.id for u in villages],
        township_ids=[u.figures.id for u in townships],
    )
    villages = [replace(u, application=by_village.get(u.figures.id)) for u in villages]
    townships = [replace(u, application=by_township.get(u.figures.id)) for u in townships]
    return ExitOverview(
        county=county,
        county_exits=county_exits,
        townships=townships,
        villages=villages,
        township_indicators=township_indicators,
        village_indicators=village_indicators,
    )
