"""Reads on responsibility (挂包帮): pairings by village, households without a cadre, revisit-round completion,
overdue reminders, and the printables (公示牌, 联系卡).

Every household set goes through ``Access.visible``. Figures are set-based: one GROUP BY per table, so the
number of queries does not grow with the number of households, cadres or villages.

What a round covers (its "due" households). A round has no list of its own: it covers every counted
household (未脱贫, 返贫, 已脱贫 — 脱贫不脱帮扶; 已清退 counts nowhere) that had an active pairing on the round's
first day. A household paired later is due from the next round, so the list of due households is fixed
when the round starts. A covered household answers to the cadre of its latest pairing that overlaps the
round (after a re-pairing mid-round the new cadre answers for it), and through that cadre to a unit.

A covered household is *visited* when it has a revisit of the round (by any cadre), or a revisit with no
round dated within the round's dates; it is *overdue* when not visited and the round's 截止日期 has passed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assignments.models import Cadre, Pairing, Revisit, RevisitRound, WorkUnit, WorkUnitVillage
from households.choices import COUNTED_STATUSES, POOR_STATUSES
from households.models import Household
from villages.models import AdministrativeVillage, County, Township

if TYPE_CHECKING:
    from core.access import Access

GroupBy = Literal["cadre", "unit", "village", "township", "county"]
GROUP_BY_LABELS: dict[str, str] = {
    "cadre": _("按干部"),
    "unit": _("按单位"),
    "village": _("按行政村"),
    "township": _("按乡镇"),
    "county": _("全县"),
}
# Reminders look back at the latest rounds only: an old round's misses stay on its completion page.
OVERDUE_ROUNDS = 2
OVERDUE_LOOKBACK_DAYS = 183
OVERDUE_HOUSEHOLDS_SHOWN = 20


# -- rounds and completion -----------------------------------------------------------------------------


def round_list(*, access: Access) -> QuerySet[RevisitRound]:
    return access.visible(RevisitRound.objects.all()).order_by("-year", "-number")


def round_get(*, access: Access, round_id: int) -> RevisitRound:
    return access.get_or_404(RevisitRound.objects, pk=round_id)


def _pairing_at_start(rnd: RevisitRound) -> QuerySet[Pairing]:
    return Pairing.objects.filter(household_id=OuterRef("pk"), started_on__lte=rnd.starts_on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=rnd.starts_on)
    )


def _responsible_pairing(rnd: RevisitRound) -> QuerySet[Pairing]:
    """The latest pairing that overlaps the round: its cadre answers for the household in this round."""
    return (
        Pairing.objects.filter(household_id=OuterRef("pk"), started_on__lte=rnd.ends_on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=rnd.starts_on))
        .order_by("-started_on", "-id")
    )


def _visited(rnd: RevisitRound) -> Exists:
    return Exists(
        Revisit.objects.filter(household_id=OuterRef("pk")).filter(
            Q(round_id=rnd.pk) | Q(round__isnull=True, visited_on__range=(rnd.starts_on, rnd.ends_on))
        )
    )


def round_households(households: QuerySet[Household], rnd: RevisitRound) -> QuerySet[Household]:
    """The households of ``households`` the round covers, annotated with ``round_cadre_id``,
    ``round_unit_id`` and ``round_visited``."""
    responsible = _responsible_pairing(rnd)
    return (
        households.filter(status__in=COUNTED_STATUSES)
        .filter(Exists(_pairing_at_start(rnd)))
        .annotate(
            round_cadre_id=Subquery(responsible.values("cadre_id")[:1], output_field=IntegerField()),
            round_unit_id=Subquery(responsible.values("cadre__unit_id")[:1], output_field=IntegerField()),
            round_visited=_visited(rnd),
        )
    )


@dataclass(frozen=True)
class CompletionRow:
    """visited / due / overdue of one group (a cadre, unit, village, township or the county)."""

    id: int | None
    name: str
    detail: str = ""  # the cadre's unit, the village's township
    due: int = 0
    visited: int = 0
    overdue: int = 0

    @property
    def pending(self) -> int:
        """Not visited yet, and the round is still open."""
        return self.due - self.visited - self.overdue

    @property
    def percent(self) -> float | None:
        return None if not self.due else round(100 * self.visited / self.due, 1)


GROUP_KEYS = {
    "cadre": "round_cadre_id",
    "unit": "round_unit_id",
    "village": "village_id",
    "township": "township_id",
    "county": "township__county_id",
}


def _names(group_by: str, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """(name, detail) per id. The ids come from households in the user's scope, so their names are too."""
    ids = [i for i in ids if i is not None]
    if group_by == "cadre":
        rows = Cadre.objects.filter(pk__in=ids).values_list("pk", "name", "unit__name")
    elif group_by == "unit":
        rows = WorkUnit.objects.filter(pk__in=ids).values_list("pk", "name", "leader")
    elif group_by == "village":
        rows = AdministrativeVillage.objects.filter(pk__in=ids).values_list("pk", "name", "township__name")
    elif group_by == "township":
        rows = Township.objects.filter(pk__in=ids).values_list("pk", "name", "county__name")
    else:
        rows = County.objects.filter(pk__in=ids).values_list("pk", "name", "prefecture")
    return {pk: (name, detail or "") for pk, name, detail in rows}


def _completion(
    households: QuerySet[Household],
    rnd: RevisitRound,
    group_by: str,
    *,
    today: datetime.date,
    where: Q | None = None,
) -> list[CompletionRow]:
    if group_by not in GROUP_KEYS:
        raise ValueError(f"未知的分组方式“{group_by}”。")
    key = GROUP_KEYS[group_by]
    closed = today > rnd.ends_on
    covered = round_households(households, rnd)
    if where is not None:
        covered = covered.filter(where)
    counts = (
        covered.order_by()
        .values(group=F(key))
        .annotate(due=Count("pk"), visited=Count("pk", filter=Q(round_visited=True)))
    )
    counts = list(counts)
    names = _names(group_by, (c["group"] for c in counts))
    rows = [
        CompletionRow(
            id=c["group"],
            name=names.get(c["group"], (_("（无）"), ""))[0],
            detail=names.get(c["group"], ("", ""))[1],
            due=c["due"],
            visited=c["visited"],
            overdue=c["due"] - c["visited"] if closed else 0,
        )
        for c in counts
    ]
    return sorted(rows, key=lambda r: (r.detail, r.name, r.id or 0))


def round_completion(
    *, access: Access, round_id: int, group_by: GroupBy, today: datetime.date | None = None
) -> list[CompletionRow]:
    """Completion of a round per group, over the households this user sees. Three queries, whatever the
    size: the round, one GROUP BY over households, the groups' names."""
    rnd = round_id if isinstance(round_id, RevisitRound) else round_get(access=access, round_id=round_id)
    households = access.visible(Household.objects.all())
    return _completion(households, rnd, group_by, today=today or timezone.localdate())


def completion_total(rows: Iterable[CompletionRow], *, name: str = _("合计")) -> CompletionRow:
    rows = list(rows)
    return CompletionRow(
        id=None,
        name=name,
        due=sum(r.due for r in rows),
        visited=sum(r.visited for r in rows),
        overdue=sum(r.overdue for r in rows),
    )


# The levels to group by, narrowest first ("unit" sits between the cadre and the village).
GROUP_LEVELS = ("cadre", "unit", "village", "township", "county")
# One level below each scope level: townships for the county, villages for a township, cadres below.
DEFAULT_GROUP = {"county": "township", "township": "village", "village": "cadre", "cadre": "cadre"}


def group_choices(access: Access) -> list[tuple[str, str]]:
    """The group-by switch: levels above the user's own scope say nothing new."""
    levels = GROUP_LEVELS[: GROUP_LEVELS.index(access.scope_level or "cadre") + 1]
    return [(level, GROUP_BY_LABELS[level]) for level in levels]


def default_group(access: Access) -> str:
    """One level below the user's own scope: townships for the county, villages for a township."""
    return DEFAULT_GROUP.get(access.scope_level, "township")


# -- pairings ------------------------------------------------------------------------------------------


def _active_pairing() -> QuerySet[Pairing]:
    return Pairing.objects.filter(household_id=OuterRef("pk"), ended_on__isnull=True)


@dataclass(frozen=True)
class VillagePairing:
    """One administrative village on the pairings index: its counted households and how many are paired."""

    village: AdministrativeVillage
    households: int
    paired: int

    @property
    def unpaired(self) -> int:
        return self.households - self.paired


def pairing_villages(*, access: Access, township_id: int | None = None) -> list[VillagePairing]:
    """The villages in scope with their paired and unpaired counted households (two queries)."""
    villages = access.visible(AdministrativeVillage.objects.select_related("township")).order_by(
        "township__name", "name"
    )
    households = access.visible(Household.objects.filter(status__in=COUNTED_STATUSES))
    if township_id is not None:
        villages = villages.filter(township_id=township_id)
        households = households.filter(township_id=township_id)
    counts = {
        row["village_id"]: row
        for row in households.annotate(is_paired=Exists(_active_pairing()))
        .order_by()
        .values("village_id")
        .annotate(households=Count("pk"), paired=Count("pk", filter=Q(is_paired=True)))
    }
    return [
        VillagePairing(
            village=v,
            households=counts.get(v.pk, {}).get("households", 0),
            paired=counts.get(v.pk, {}).get("paired", 0),
        )
        for v in villages
    ]


def pairing_village_get(*, access: Access, village_id: int) -> AdministrativeVillage:
    return access.get_or_404(AdministrativeVillage.objects.select_related("township"), pk=village_id)


def pairing_households(*, access: Access, village_id: int) -> QuerySet[Household]:
    """The counted households of a village, each with ``active_pairings`` (0 or 1) and its cadre and unit."""
    active = Pairing.objects.filter(ended_on__isnull=True).select_related("cadre__unit")
    return (
        access.visible(Household.objects.filter(village_id=village_id, status__in=COUNTED_STATUSES))
        .select_related("natural_village")
        .prefetch_related(Prefetch("pairings", queryset=active, to_attr="active_pairings"))
        .order_by("natural_village__name", "household_number")
    )


def pairing_cadre_choices(*, access: Access, village_id: int) -> QuerySet[Cadre]:
    """Cadres who may be paired with households of a village: the active cadres of the units linked to it
    (单位挂村: a unit's cadres help the households of its villages), and those already helping there.
    The same for every role: a county admin links a unit to the village first (admin site, work-units API),
    which also keeps the village page's lists short in a county of thousands of cadres."""
    linked = WorkUnitVillage.objects.filter(unit_id=OuterRef("unit_id"), village_id=village_id)
    helping = Pairing.objects.filter(
        cadre_id=OuterRef("pk"), ended_on__isnull=True, household__village_id=village_id
    )
    return (
        Cadre.objects.filter(active=True)
        .filter(Q(Exists(linked)) | Q(Exists(helping)))
        .select_related("unit")
        .order_by("unit__name", "name")
    )


def pairing_list(*, access: Access) -> QuerySet[Pairing]:
    return access.visible(
        Pairing.objects.select_related("cadre__unit", "household__village", "household__township")
    ).order_by("-started_on", "-id")


def households_without_cadre(*, access: Access, village_id: int | None = None) -> QuerySet[Household]:
    """Poor households (未脱贫, 返贫) with no active cadre, with the last cadre who helped them if any."""
    last = Pairing.objects.filter(household_id=OuterRef("pk")).order_by("-ended_on", "-id")
    households = access.visible(Household.objects.filter(status__in=POOR_STATUSES))
    if village_id is not None:
        households = households.filter(village_id=village_id)
    return (
        households.filter(~Exists(_active_pairing()))
        .select_related("natural_village", "village", "township")
        .annotate(
            last_cadre_name=Subquery(last.values("cadre__name")[:1]),
            last_ended_on=Subquery(last.values("ended_on")[:1]),
        )
        .order_by("township__name", "village__name", "household_number")
    )


# -- work units and cadres -----------------------------------------------------------------------------


def work_unit_list(*, access: Access) -> QuerySet[WorkUnit]:
    """Units in scope, each with its linked villages (in scope) and its number of active cadres."""
    links = access.visible(WorkUnitVillage.objects.select_related("village__township")).order_by(
        "village__township__name", "village__name"
    )
    return (
        access.visible(WorkUnit.objects.all())
        .annotate(cadre_count=Count("cadres", filter=Q(cadres__active=True), distinct=True))
        .prefetch_related(Prefetch("workunitvillage_set", queryset=links, to_attr="village_links"))
        .order_by("level", "name")
    )


def cadre_list(
    *, access: Access, unit_id: int | None = None, q: str = "", today: datetime.date | None = None
) -> QuerySet[Cadre]:
    """Cadres in scope with their number of actively paired households (in the user's scope)."""
    households = access.visible(Household.objects.all()).values("pk")
    cadres = access.visible(Cadre.objects.select_related("unit"))
    if unit_id is not None:
        cadres = cadres.filter(unit_id=unit_id)
    if q:
        cadres = cadres.filter(Q(name__icontains=q) | Q(phone__icontains=q) | Q(unit__name__icontains=q))
    return cadres.annotate(
        household_count=Count(
            "pairings",
            filter=Q(pairings__ended_on__isnull=True, pairings__household_id__in=households),
            distinct=True,
        )
    ).order_by("unit__name", "name", "pk")


def cadre_get(*, access: Access, cadre_id: int) -> Cadre:
    return access.get_or_404(Cadre.objects.select_related("unit"), pk=cadre_id)


def cadre_pairings(*, access: Access, cadre_id: int) -> QuerySet[Pairing]:
    """A cadre's pairings in the user's scope, active first, history kept."""
    return access.visible(
        Pairing.objects.filter(cadre_id=cadre_id).select_related(
            "household__natural_village", "household__village", "household__township"
        )
    ).order_by(F("ended_on").desc(nulls_first=True), "household__household_number")


def revisit_list(
    *,
    access: Access,
    round_id: int | None = None,
    village_id: int | None = None,
    cadre_id: int | None = None,
) -> QuerySet[Revisit]:
    """Revisits in scope (township and county officials see those of their scope), newest first."""
    revisits = access.visible(
        Revisit.objects.select_related("household__village", "household__township", "cadre__unit", "round")
    )
    if round_id is not None:
        revisits = revisits.filter(round_id=round_id)
    if village_id is not None:
        revisits = revisits.filter(household__village_id=village_id)
    if cadre_id is not None:
        revisits = revisits.filter(cadre_id=cadre_id)
    return revisits.order_by("-visited_on", "-id")


# -- reminders -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundOverdue:
    round: RevisitRound
    total: int
    households: list = field(default_factory=list)  # a cadre's own households (at most 20 shown)
    by_cadre: list[CompletionRow] = field(default_factory=list)
    by_place: list[CompletionRow] = field(default_factory=list)  # villages (township), townships (county)
    place_label: str = ""


@dataclass(frozen=True)
class OverdueReminders:
    rounds: list[RoundOverdue]
    current_round: RevisitRound | None = None
    current: CompletionRow | None = None  # the open round, over the user's scope
    unit: WorkUnit | None = None  # set when the cadre is their unit's 责任领导
    links_round_pages: bool = False  # officials follow a round to its completion page

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rounds)


def recent_closed_rounds(*, today: datetime.date) -> list[RevisitRound]:
    since = today - datetime.timedelta(days=OVERDUE_LOOKBACK_DAYS)
    return list(
        RevisitRound.objects.filter(ends_on__lt=today, ends_on__gte=since).order_by("-ends_on")[
            :OVERDUE_ROUNDS
        ]
    )


def unit_led_by(cadre: Cadre | None) -> WorkUnit | None:
    """A unit records its 责任领导 by name; a cadre of that unit with that name is its leader."""
    if cadre is None or not cadre.unit.leader:
        return None
    return cadre.unit if cadre.unit.leader.strip() == cadre.name.strip() else None


def _top(rows: list[CompletionRow], n: int = 10) -> list[CompletionRow]:
    return sorted((r for r in rows if r.overdue), key=lambda r: (-r.overdue, r.name))[:n]


def overdue_for(*, access: Access, today: datetime.date | None = None) -> OverdueReminders:
    """What the signed-in user should chase: the overdue households of the latest closed rounds, and the
    open round's progress. Cadres see their own households; a unit's 责任领导 also sees the unit's cadres;
    officials see counts per cadre and per village (township) or township (county).

    At most ``OVERDUE_ROUNDS`` closed rounds and one open round: a bounded number of queries."""
    today = today or timezone.localdate()
    rounds = recent_closed_rounds(today=today)
    current_round = (
        RevisitRound.objects.filter(starts_on__lte=today, ends_on__gte=today).order_by("starts_on").first()
    )
    visible = access.visible(Household.objects.all())
    cadre = getattr(access.user, "cadre", None) if access.is_cadre else None
    unit = unit_led_by(cadre)
    result = []
    for rnd in rounds:
        if access.is_cadre:
            mine = (
                round_households(visible, rnd)
                .filter(round_cadre_id=cadre.pk, round_visited=False)
                .select_related("natural_village", "village")
                .order_by("household_number")
            )
            households = list(mine[: OVERDUE_HOUSEHOLDS_SHOWN + 1])
            total = len(households) if len(households) <= OVERDUE_HOUSEHOLDS_SHOWN else mine.count()
            by_cadre = []
            if unit is not None:
                # The leader sees how the unit's cadres stand: counts only, never the other households.
                rows = _completion(
                    Household.objects.all(), rnd, "cadre", today=today, where=Q(round_unit_id=unit.pk)
                )
                by_cadre = _top(rows, 20)
            result.append(
                RoundOverdue(
                    round=rnd,
                    total=total,
                    households=households[:OVERDUE_HOUSEHOLDS_SHOWN],
                    by_cadre=by_cadre,
                )
            )
            continue
        by_cadre = _completion(visible, rnd, "cadre", today=today)
        place = "township" if access.sees_whole_county else "village"
        by_place = _completion(visible, rnd, place, today=today)
        result.append(
            RoundOverdue(
                round=rnd,
                total=sum(r.overdue for r in by_place),
                by_cadre=_top(by_cadre),
                by_place=_top(by_place),
                place_label=_("乡镇") if place == "township" else _("行政村"),
            )
        )
    current = None
    if current_round is not None:
        current = completion_total(_completion(visible, current_round, "county", today=today))
    return OverdueReminders(
        rounds=[r for r in result if r.total or r.by_cadre],
        current_round=current_round,
        current=current,
        unit=unit,
        links_round_pages=access.is_official,
    )


def overdue_summary(*, today: datetime.date | None = None) -> dict:
    """County-wide overdue counts of the latest closed rounds per township, for the beat job's record."""
    today = today or timezone.localdate()
    summary = {"checked_on": today.isoformat(), "rounds": []}
    for rnd in recent_closed_rounds(today=today):
        rows = _completion(Household.objects.all(), rnd, "township", today=today)
        summary["rounds"].append(
            {
                "round": rnd.pk,
                "name": rnd.name,
                "due": sum(r.due for r in rows),
                "visited": sum(r.visited for r in rows),
                "overdue": sum(r.overdue for r in rows),
                "townships": {r.name: r.overdue for r in rows if r.overdue},
            }
        )
    return summary


# -- printables ----------------------------------------------------------------------------------------


def notice_board(*, access: Access, village_id: int) -> QuerySet[Pairing]:
    """公示牌: the active pairings of a village's counted households, by cadre (unit, name)."""
    return access.visible(
        Pairing.objects.filter(
            ended_on__isnull=True,
            household__village_id=village_id,
            household__status__in=COUNTED_STATUSES,
        ).select_related("cadre__unit", "household__natural_village")
    ).order_by("cadre__unit__name", "cadre__name", "cadre_id", "household__household_number")


def contact_cards(
    *, access: Access, village_id: int | None = None, household_id: int | None = None
) -> QuerySet[Pairing]:
    """联系卡: one per actively paired household of a village (or one household). Names and phones only:
    members' ID numbers are never part of a card."""
    pairings = Pairing.objects.filter(ended_on__isnull=True, household__status__in=COUNTED_STATUSES)
    if household_id is not None:
        pairings = pairings.filter(household_id=household_id)
    if village_id is not None:
        pairings = pairings.filter(household__village_id=village_id)
    return access.visible(
        pairings.select_related(
            "cadre__unit", "household__natural_village", "household__village", "household__township"
        )
    ).order_by("household__natural_village__name", "household__household_number")


def cadre_paired_households(cadre_id: int) -> QuerySet[Household]:
    """The households a cadre is actively paired with (挂包帮: one active cadre per household)."""
    return Household.objects.filter(pairings__cadre_id=cadre_id, pairings__ended_on__isnull=True)


REVISITS_ON_HOUSEHOLD_PAGE = 20


def household_responsibility(*, access: Access, household: Household) -> dict:
    """挂包帮与走访 on the household page: its pairings (history kept) and most recent revisits. Two queries."""
    pairings = access.visible(
        Pairing.objects.filter(household=household).select_related("cadre__unit").order_by("-started_on")
    )
    revisits = access.visible(
        Revisit.objects.filter(household=household)
        .select_related("cadre", "round")
        .order_by("-visited_on", "-id")
    )
    return {"pairings": list(pairings), "recent_revisits": list(revisits[:REVISITS_ON_HOUSEHOLD_PAGE])}
