"""Reads of 防返贫监测, scoped by the access rule."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from assignments.phone.selectors import HouseholdMarker
from core.access import Access
from monitoring.choices import OPEN_STATES, Kind, State
from monitoring.models import MonitoringLine, MonitoringObject, QualityIssue


def monitoring_object_list(*, access: Access) -> QuerySet[MonitoringObject]:
    return access.visible(
        MonitoringObject.objects.select_related("household", "household__village", "household__township")
    )


def monitoring_line_list(*, access: Access) -> QuerySet[MonitoringLine]:
    return access.visible(MonitoringLine.objects.all())


def quality_issue_list(*, access: Access, include_checked: bool = False) -> QuerySet[QualityIssue]:
    qs = access.visible(
        QualityIssue.objects.select_related("household", "household__village", "household__township")
    )
    return qs if include_checked else qs.filter(open=True)


def quality_by_unit(*, access: Access) -> list[dict]:
    """Open suspects per township and rule, for the quality page."""
    return list(
        quality_issue_list(access=access)
        .values("household__township_id", "household__township__name", "rule")
        .annotate(n=Count("id"))
        .order_by("household__township__name", "rule")
    )


def household_monitoring_markers(*, access: Access, household_ids: list[int]) -> dict:
    """The cadre's phone badge: for each household that is an open monitoring object, its kind and state
    (one query for any number of households)."""
    found = (
        access.visible(MonitoringObject.objects.filter(household_id__in=household_ids, state__in=OPEN_STATES))
        .order_by("household_id", "-identified_on", "-id")
        .values_list("household_id", "kind", "state")
    )
    kinds, states = dict(Kind.choices), dict(State.choices)
    return {
        household_id: [HouseholdMarker(label=str(kinds[kind]), detail=str(states[state]), tone="watch")]
        for household_id, kind, state in found
    }


def household_monitoring(*, access: Access, household) -> dict:
    """防返贫监测 on the household page (a section registered in apps.py): its monitoring objects, newest
    first, with the help plan each was confirmed with; one query."""
    return {
        "objects": list(
            access.visible(MonitoringObject.objects.filter(household=household))
            .select_related("help_plan")
            .order_by("-identified_on", "-id")
        )
    }


# -- the panel on the unit dashboards, and the list it links to ------------------------------------------

PANEL_STATES = list(State)  # the panel's columns, 不纳入 included: a kind's total is every object of it


def period_filter(period: str, *, today: datetime.date | None = None) -> Q:
    """新识别 this month (by the identification date), 风险消除 this year (by the clearing date)."""
    today = today or timezone.localdate()
    if period == "new_this_month":
        return Q(identified_on__gte=today.replace(day=1), identified_on__lte=today)
    if period == "cleared_this_year":
        return Q(state=State.CLEARED, cleared_on__year=today.year)
    raise ValueError(period)


def monitoring_object_filter(
    qs: QuerySet[MonitoringObject],
    *,
    kind: str = "",
    state: str = "",
    township: int | None = None,
    village: int | None = None,
    period: str = "",
) -> QuerySet[MonitoringObject]:
    """The list's filters, the same ones the panel's links carry (so a link shows the panel's number)."""
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if township:
        qs = qs.filter(household__township_id=township)
    if village:
        qs = qs.filter(household__village_id=village)
    if period:
        qs = qs.filter(period_filter(period))
    return qs


@dataclass
class PanelRow:
    kind: str
    label: str
    by_state: list[tuple[str, int]]  # (state, objects) in PANEL_STATES order
    total: int


@dataclass
class MonitoringPanel:
    rows: list[PanelRow]
    states: list[tuple[str, str]]  # (state, label) of the columns
    totals: list[tuple[str, int]]
    total: int
    new_this_month: int
    cleared_this_year: int
    params: dict = field(default_factory=dict)  # the unit, as the list's query parameters

    @property
    def query(self) -> str:
        """The unit's part of the list's query string, ready for more parameters after it."""
        return "".join(f"{name}={value}&" for name, value in self.params.items())


def monitoring_panel(
    *, access: Access, township: int | None = None, village: int | None = None
) -> MonitoringPanel:
    """Objects by kind and state, new this month, cleared this year, in the user's scope or one unit of it:
    one query whatever the data."""
    qs = monitoring_object_filter(monitoring_object_list(access=access), township=township, village=village)
    counts = {
        (row["kind"], row["state"]): row
        for row in qs.values("kind", "state")
        .annotate(
            n=Count("id"),
            new=Count("id", filter=period_filter("new_this_month")),
            cleared=Count("id", filter=period_filter("cleared_this_year")),
        )
        .order_by()
    }
    rows = []
    for kind, label in Kind.choices:
        by_state = [(state, counts.get((kind, state), {}).get("n", 0)) for state in PANEL_STATES]
        rows.append(PanelRow(kind=kind, label=label, by_state=by_state, total=sum(n for _, n in by_state)))
    totals = [(state, sum(row.by_state[i][1] for row in rows)) for i, state in enumerate(PANEL_STATES)]
    return MonitoringPanel(
        rows=rows,
        states=[(state, State(state).label) for state in PANEL_STATES],
        totals=totals,
        total=sum(row.total for row in rows),
        new_this_month=sum(c["new"] for c in counts.values()),
        cleared_this_year=sum(c["cleared"] for c in counts.values()),
        params={k: v for k, v in (("township", township), ("village", village)) if v},
    )
