"""Figures that combine apps: village and township exit (出列 / 摘帽) against the indicators.

Reporting across geography and households sits here, in the composition layer, so that geography
imports no other domain app.
"""

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from assignments.selectors import completion_total, round_completion, round_list
from core.access import Access
from households import choices
from households.choices import COUNTED_STATUSES, POOR_STATUSES, Status
from households.models import Household, Member
from households.selectors import (
    HOUSEHOLD_COUNTS,
    LOOK_FILTERS,
    PERSON_COUNTS,
    SUMMARY_SUMS,
    ZERO_COUNTS,
    Figures,
    UnitFigures,
    figures_by_natural_village,
    figures_by_township,
    figures_by_village,
    measure_batches,
    scope_figures,
    use_summary,
)
from households.units.models import UnitExitApplication
from households.units.selectors import IndicatorCheck, open_applications, unit_checks
from projects.selectors import current_relocations, project_list, project_totals, target_list, target_progress
from villages.models import (
    AdministrativeVillage,
    County,
    ExitIndicator,
    NaturalVillage,
    Township,
    VillageFigures,
    VillageIndicatorStatus,
)

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


# -- the dashboard of a unit (county, township, administrative village) ---------------------------------
# Composition: reads the selectors of every app. Each figure comes with the household-list filters that
# show the same number (``links``), so the page links every number to the list it counts.

YEAR_COUNTS = {
    "households": Count("id", filter=Q(status__in=COUNTED_STATUSES)),
    "poor": Count("id", filter=Q(status=Status.POOR)),
    "exited": Count("id", filter=Q(status=Status.EXITED)),
    "returned": Count("id", filter=Q(status=Status.RETURNED)),
    "removed": Count("id", filter=Q(status=Status.REMOVED)),
}
YEAR_PERSON_COUNTS = {
    "persons": Count("id", filter=Q(household__status__in=COUNTED_STATUSES)),
    "poor_persons": Count("id", filter=Q(household__status=Status.POOR)),
    "exited_persons": Count("id", filter=Q(household__status=Status.EXITED)),
    "returned_persons": Count("id", filter=Q(household__status=Status.RETURNED)),
    "removed_persons": Count("id", filter=Q(household__status=Status.REMOVED)),
}
INCIDENCE_LINE = Decimal("0.03")  # 3 %: the exit line of poverty incidence


@dataclass(frozen=True)
class Unit:
    level: str  # county | township | village
    id: int | None
    name: str

    @property
    def place(self) -> dict:
        return {"county": {}, "township": {"township_id": self.id}, "village": {"village_id": self.id}}[
            self.level
        ]

    @property
    def list_params(self) -> dict:
        return {"county": {}, "township": {"township": self.id}, "village": {"village": self.id}}[self.level]


@dataclass
class Dashboard:
    unit: Unit
    figures: Figures
    rows: list  # UnitFigures of the units below, ranked by incidence (highest first)
    row_level: str
    by_year: list[dict]
    causes: list[dict]
    batches: list
    look: dict
    projects: object | None
    whole_township: object | None
    relocation: dict
    targets: list
    completion: object | None
    round_name: str
    computed_at: datetime.datetime
    from_summary: bool = False  # figures read from VillageFigures (refreshed by a job), not counted live
    behind: set = field(default_factory=set)

    @property
    def incidence_above_line(self) -> bool:
        return self.figures.incidence is not None and self.figures.incidence >= INCIDENCE_LINE


def scope_name(access: Access) -> str:
    return access.visible(County.objects.order_by("pk")).values_list("name", flat=True).first() or ""


def dashboard_unit(*, access: Access, level: str, unit_id: int | None) -> Unit:
    """The unit of a dashboard, checked against the user's scope (out of scope is a 404)."""
    if level == "village":
        village = access.get_or_404(AdministrativeVillage.objects.select_related("township"), pk=unit_id)
        return Unit("village", village.pk, f"{village.township.name}{village.name}")
    if level == "township":
        township = access.get_or_404(Township.objects, pk=unit_id)
        return Unit("township", township.pk, township.name)
    return Unit("county", None, "")


def _by_year(*, access: Access, place: dict) -> list[dict]:
    """Households and persons per 识别年度 with their status now, and exits per 脱贫年度. Three GROUP BYs."""
    households = access.visible(Household.objects.filter(**place)).order_by()
    members = access.visible(
        Member.objects.filter(left_reason="", **{f"household__{k}": v for k, v in place.items()})
    ).order_by()
    years: dict[int, dict] = {}
    for row in households.values("identified_year").annotate(**YEAR_COUNTS):
        years.setdefault(row.pop("identified_year"), {}).update(row)
    for row in members.values("household__identified_year").annotate(**YEAR_PERSON_COUNTS):
        years.setdefault(row.pop("household__identified_year"), {}).update(row)
    exits = (
        households.filter(status=Status.EXITED, exit_year__isnull=False)
        .values("exit_year")
        .annotate(n=Count("id"))
    )
    for row in exits:
        years.setdefault(row["exit_year"], {})["exits"] = row["n"]
    keys = (*YEAR_COUNTS, *YEAR_PERSON_COUNTS, "exits")
    return [{"year": y, **{k: years[y].get(k, 0) for k in keys}} for y in sorted(k for k in years if k)]


def _causes(*, access: Access, place: dict) -> list[dict]:
    rows = (
        access.visible(Household.objects.filter(status__in=COUNTED_STATUSES, **place))
        .order_by()
        .values("main_cause")
        .annotate(households=Count("id"), poor=Count("id", filter=Q(status__in=POOR_STATUSES)))
    )
    labels = {code: str(label) for code, label in choices.Cause.choices}  # lazy: read in the current language
    out = [
        {"cause": r["main_cause"], "label": labels.get(r["main_cause"], r["main_cause"]), **r} for r in rows
    ]
    return sorted(out, key=lambda r: -r["households"])


def _look(*, access: Access, place: dict) -> dict:
    households = access.visible(Household.objects.filter(**place)).order_by()
    return households.aggregate(**{k: Count("id", filter=q) for k, q in LOOK_FILTERS.items()})


def _summary_figures(*, access: Access, unit: Unit) -> tuple[Figures, list[UnitFigures], datetime.datetime]:
    """The unit's figures and its rows from VillageFigures: two queries (plus the unit's population)."""
    summary = access.visible(VillageFigures.objects.all()).order_by()
    if unit.level == "township":
        summary = summary.filter(village__township_id=unit.id)
        population = Township.objects.filter(pk=unit.id).values_list(
            "registered_rural_population", flat=True
        )[0]
        units, group = access.visible(AdministrativeVillage.objects.filter(township_id=unit.id)), "village_id"
    elif unit.level == "village":
        summary = summary.filter(village_id=unit.id)
        population = AdministrativeVillage.objects.filter(pk=unit.id).values_list(
            "registered_rural_population", flat=True
        )[0]
        units, group = None, None
    else:
        population = access.visible(County.objects.order_by()).aggregate(
            p=Sum("registered_rural_population")
        )["p"]
        units, group = access.visible(Township.objects.all()), "village__township_id"
    total = summary.aggregate(**SUMMARY_SUMS, at=Min("refreshed_at"))
    at = total.pop("at") or timezone.now()
    figures = Figures(name=unit.name, population=population, **{k: v or 0 for k, v in total.items()})
    rows = []
    if group:
        counts = {r.pop(group): r for r in summary.values(group).annotate(**SUMMARY_SUMS)}
        rows = [
            UnitFigures(
                id=u.pk,
                name=u.name,
                population=u.registered_rural_population,
                is_poor=u.is_poor,
                planned_exit_year=getattr(u, "planned_exit_year", None),
                exit_year=getattr(u, "exit_year", None),
                **{k: (counts.get(u.pk) or {}).get(k) or 0 for k in ZERO_COUNTS},
            )
            for u in units
        ]
    return figures, rows, at


def unit_dashboard(*, access: Access, unit: Unit, year: int | None = None, fresh: bool = False) -> Dashboard:
    """Everything the dashboard of ``unit`` shows; a fixed number of queries whatever the data size.

    Counted live (below DASHBOARD_SUMMARY_ABOVE), a dashboard is kept in the cache for
    DASHBOARD_CACHE_SECONDS for the users who see the same rows: officials open their home page again and
    again, and each count takes some forty queries. Its ``computed_at`` is the time it was counted, which
    the page shows; ``fresh`` counts it again now (the page's 重新统计 link)."""
    year = year or timezone.localdate().year
    if use_summary(access):
        return _unit_dashboard(access=access, unit=unit, year=year, summary=True)
    return kept_for_scope(
        access,
        f"dashboard:{unit.level}:{unit.id}:{year}",
        lambda: _unit_dashboard(access=access, unit=unit, year=year, summary=False),
        fresh=fresh,
    )


def kept_for_scope(access: Access, name: str, compute, *, fresh: bool = False):
    """``compute()``, kept in the cache for DASHBOARD_CACHE_SECONDS and shared by the users who see the same
    rows (``Access.view_key``: the same role and unit), so an office's officials count it once between
    them. ``fresh``: computed now, and kept in place of the old value. 0 seconds, or no role: always
    computed."""
    if not keeps_live_figures(access):
        return compute()
    key = f"live:{access.view_key}:{name}"
    value = None if fresh else cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.DASHBOARD_CACHE_SECONDS)
    return value


def keeps_live_figures(access: Access) -> bool:
    """Whether figures counted live for this user are kept (so the page offers to count again)."""
    return settings.DASHBOARD_CACHE_SECONDS > 0 and access.role is not None


def _unit_dashboard(*, access: Access, unit: Unit, year: int, summary: bool) -> Dashboard:
    computed_at = timezone.now()
    if summary:
        figures, rows, computed_at = _summary_figures(access=access, unit=unit)
        row_level = {"county": "township", "township": "village", "village": "natural_village"}[unit.level]
        if not unit.name:
            figures = replace(figures, name=scope_name(access))
        if unit.level == "village":  # natural villages have no summary row: a village is small, count live
            rows = figures_by_natural_village(access=access, village_id=unit.id)
    elif unit.level == "village":
        figures = scope_figures(access=access, village_id=unit.id)
        rows, row_level = figures_by_natural_village(access=access, village_id=unit.id), "natural_village"
    elif unit.level == "township":
        figures = scope_figures(access=access, township_id=unit.id)
        rows, row_level = figures_by_village(access=access, township_id=unit.id), "village"
    else:
        figures = scope_figures(access=access)
        rows, row_level = figures_by_township(access=access), "township"
    rows = sorted(rows, key=lambda r: (-(r.incidence or 0), -r.poor_persons, r.name))
    if not summary:
        computed_at = timezone.now()
    if summary:
        # Above the size setting the sections are computed once per summary refresh (the key holds the
        # refresh time) and kept in the cache: the page says when its figures were computed.
        key = f"dashboard:{unit.level}:{unit.id}:{year}:{computed_at.isoformat()}"
        sections = cache.get(key)
        if sections is None:
            sections = _sections(access=access, unit=unit, rows=rows, row_level=row_level, year=year)
            cache.set(key, sections, SECTIONS_CACHE_SECONDS)
    else:
        sections = _sections(access=access, unit=unit, rows=rows, row_level=row_level, year=year)
    return Dashboard(
        unit=unit,
        figures=figures,
        rows=rows,
        row_level=row_level,
        computed_at=computed_at,
        from_summary=summary,
        **sections,
    )


SECTIONS_CACHE_SECONDS = 26 * 3600  # the nightly refresh changes the key before this runs out


def _sections(*, access: Access, unit: Unit, rows: list, row_level: str, year: int) -> dict:
    """Every section of a dashboard below its figures and ranking: a fixed number of queries."""
    place = unit.place
    project_filters = {"county": {}, "township": {"township": unit.id}, "village": {"village": unit.id}}
    projects = project_totals(project_list(access=access, filters=project_filters[unit.level]))
    # 整乡推进: the township-wide programme, planned against invested, shown on its own line.
    whole = project_list(access=access, filters={**project_filters[unit.level], "category": "whole_township"})
    whole_township = project_totals(whole) if projects.projects else None
    relocation = _relocation(access=access, unit=unit)
    targets = []
    if unit.level != "village":
        qs = target_list(access=access, filters={"year": year})
        qs = qs.filter(township_id=unit.id) if unit.level == "township" else qs.filter(township__isnull=True)
        targets = target_progress(targets=qs)
    behind = _behind(access=access, rows=rows, row_level=row_level, year=year)
    completion, round_name = None, ""
    rnd = round_list(access=access).first()
    if rnd is not None:
        group = {"county": "township", "township": "village", "village": "village"}[unit.level]
        completion_rows = round_completion(access=access, round_id=rnd, group_by=group)
        if unit.level == "village":
            completion_rows = [r for r in completion_rows if r.id == unit.id]
        elif unit.level == "township":
            ids = {r.id for r in rows}
            completion_rows = [r for r in completion_rows if r.id in ids]
        completion = (completion_rows, completion_total(completion_rows))
        round_name = rnd.name
    return {
        "by_year": _by_year(access=access, place=place),
        "causes": _causes(access=access, place=place),
        "batches": measure_batches(
            access=access,
            township_id=unit.id if unit.level == "township" else None,
            village_id=place.get("village_id"),
        ),
        "look": _look(access=access, place=place),
        "projects": projects,
        "whole_township": whole_township if whole_township and whole_township.projects else None,
        "relocation": relocation,
        "targets": targets,
        "completion": completion,
        "round_name": round_name,
        "behind": behind,
    }


def _relocation(*, access: Access, unit: Unit) -> dict:
    """易地扶贫搬迁: households and persons planned (all relocations) against moved in."""
    from projects.models import Relocation

    qs = current_relocations().filter(pk__in=access.visible(Relocation.objects.all()).values("pk"))
    if unit.level == "township":
        qs = qs.filter(household__township_id=unit.id)
    elif unit.level == "village":
        qs = qs.filter(household__village_id=unit.id)
    return qs.aggregate(planned=Count("id"), moved=Count("id", filter=Q(moved_in_on__isnull=False)))


def _behind(*, access: Access, rows: list, row_level: str, year: int) -> set:
    """Townships whose exits this year fall short of their target for the year (behind target)."""
    if row_level != "township":
        return set()
    qs = target_list(access=access, filters={"year": year}).filter(
        township_id__in=[r.id for r in rows], households__isnull=False, category=""
    )
    return {
        p.target.township_id for p in target_progress(targets=qs) if (p.households or 0) < p.target.households
    }


# -- the battle map (挂图作战) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MapData:
    points: list[dict]  # natural villages: lat, lng, name, village id, households, poor share
    sites: list[dict]  # relocation sites at their natural village
    projects: list[dict]  # projects at the mean position of their village's natural villages
    missing: list[dict]  # natural villages without coordinates, to be filled in


def battle_map(*, access: Access, township_id: int | None = None) -> MapData:
    """Points for the map: a fixed number of queries whatever the number of units."""
    from projects.models import Project, RelocationSite

    natural = access.visible(NaturalVillage.objects.select_related("village__township")).order_by(
        "village__township__code", "village__code", "code", "id"
    )
    place = {}
    if township_id:
        natural = natural.filter(village__township_id=township_id)
        place = {"township_id": township_id}
    nat = list(natural)
    counts = _household_counts_by_natural_village(access=access, place=place)
    points, missing, by_village = [], [], {}
    for nv in nat:
        c = counts.get(nv.pk, ZERO_COUNTS)
        entry = {
            "id": nv.pk,
            "name": f"{nv.village.township.name}{nv.village.name}{nv.name}",
            "village": nv.village_id,
            "households": c["households"],
            "poor": c["poor_households"],
            "persons": c["persons"],
            "poor_persons": c["poor_persons"],
            "share": round(c["poor_persons"] / c["persons"], 4) if c["persons"] else 0,
        }
        if nv.latitude is None or nv.longitude is None:
            missing.append(entry)
            continue
        entry.update(lat=float(nv.latitude), lng=float(nv.longitude))
        points.append(entry)
        by_village.setdefault(nv.village_id, []).append((entry["lat"], entry["lng"]))
    centre = {
        v: (sum(p[0] for p in ps) / len(ps), sum(p[1] for p in ps) / len(ps)) for v, ps in by_village.items()
    }
    position = {p["id"]: (p["lat"], p["lng"]) for p in points}
    sites_qs = access.visible(RelocationSite.objects.all())
    projects_qs = access.visible(Project.objects.filter(parent__isnull=True, village__isnull=False))
    if township_id:
        sites_qs = sites_qs.filter(township_id=township_id)
        projects_qs = projects_qs.filter(township_id=township_id)
    sites = []
    for s in sites_qs.order_by("id").values("id", "name", "village_id", "natural_village_id", "build_state"):
        at = position.get(s["natural_village_id"]) or centre.get(s["village_id"])
        if at:
            sites.append({**s, "lat": at[0], "lng": at[1]})
    projects = []
    for p in projects_qs.order_by("id").values("id", "name", "village_id", "state", "category"):
        at = centre.get(p["village_id"])
        if at:
            projects.append({**p, "lat": at[0] + 0.002, "lng": at[1] + 0.002})
    return MapData(points=points, sites=sites, projects=projects, missing=missing)


def _household_counts_by_natural_village(*, access: Access, place: dict) -> dict:
    households = (
        access.visible(Household.objects.filter(**place))
        .order_by()
        .values("natural_village_id")
        .annotate(**HOUSEHOLD_COUNTS)
    )
    members = (
        access.visible(
            Member.objects.filter(left_reason="", **{f"household__{k}": v for k, v in place.items()})
        )
        .order_by()
        .values("household__natural_village_id")
        .annotate(**PERSON_COUNTS)
    )
    counts: dict[int, dict] = {}
    for row in households:
        counts.setdefault(row.pop("natural_village_id"), dict(ZERO_COUNTS)).update(row)
    for row in members:
        counts.setdefault(row.pop("household__natural_village_id"), dict(ZERO_COUNTS)).update(row)
    return counts
