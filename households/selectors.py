"""Reads on households: the figures of a scope (DESIGN.md §3 poverty incidence, §7 stats) and a cadre's list.

Every queryset goes through ``Access.visible``. Figures are set-based: one GROUP BY over households and
one over current members per table, so the number of queries does not grow with the number of rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum

from assignments.models import Pairing, Revisit
from households.choices import COUNTED_STATUSES, POOR_STATUSES, Status
from households.models import Household, Member
from villages.models import AdministrativeVillage, County, NaturalVillage, Township

if TYPE_CHECKING:
    from poverty_tracker.access import Access

HOUSEHOLD_COUNTS = {
    # 已清退 counts nowhere; 返贫 counts as poor (DESIGN.md §3).
    "households": Count("id", filter=Q(status__in=COUNTED_STATUSES)),
    "poor_households": Count("id", filter=Q(status__in=POOR_STATUSES)),
    "exited_households": Count("id", filter=Q(status=Status.EXITED)),
}
PERSON_COUNTS = {
    "persons": Count("id", filter=Q(household__status__in=COUNTED_STATUSES)),
    "poor_persons": Count("id", filter=Q(household__status__in=POOR_STATUSES)),
    "exited_persons": Count("id", filter=Q(household__status=Status.EXITED)),
}
ZERO_COUNTS = dict.fromkeys((*HOUSEHOLD_COUNTS, *PERSON_COUNTS), 0)


@dataclass(frozen=True)
class Figures:
    """The figures of one unit. ``population`` is its registered rural population (None: not recorded)."""

    name: str
    population: int | None
    households: int = 0
    persons: int = 0
    poor_households: int = 0
    poor_persons: int = 0
    exited_households: int = 0
    exited_persons: int = 0

    @property
    def incidence(self) -> Decimal | None:
        """贫困发生率 = poor persons ÷ registered rural population, a fraction (0 when the population is 0)."""
        if self.population is None:
            return None
        if not self.population:
            return Decimal(0)
        return Decimal(self.poor_persons) / Decimal(self.population)

    @property
    def incidence_percent(self) -> Decimal | None:
        return None if self.incidence is None else self.incidence * 100

    def as_stats(self) -> dict:
        """The §7 ``stats`` shape."""
        counts = {k: v for k, v in asdict(self).items() if k in ZERO_COUNTS}
        return {**counts, "incidence": float(self.incidence or 0)}


@dataclass(frozen=True)
class UnitFigures(Figures):
    """One row of a table: a township, administrative village or natural village with its figures."""

    id: int = 0
    is_poor: bool = False
    planned_exit_year: int | None = None
    exit_year: int | None = None


def _household_counts(households: QuerySet, group_by: str | None) -> dict:
    if group_by is None:
        return households.aggregate(**HOUSEHOLD_COUNTS)
    rows = households.order_by().values(group_by).annotate(**HOUSEHOLD_COUNTS)
    return {row.pop(group_by): row for row in rows}


def _person_counts(members: QuerySet, group_by: str | None) -> dict:
    members = members.filter(left_reason="")  # persons = current members
    if group_by is None:
        return members.aggregate(**PERSON_COUNTS)
    rows = members.order_by().values(group_by).annotate(**PERSON_COUNTS)
    return {row.pop(group_by): row for row in rows}


def _counts(*, access: Access, place: dict, group_by: str | None = None) -> dict:
    """Household and person counts of the visible records at ``place``, per ``group_by`` if given."""
    households = access.visible(Household.objects.filter(**place))
    members = access.visible(Member.objects.filter(**{f"household__{k}": v for k, v in place.items()}))
    if group_by is None:
        return {**_household_counts(households, None), **_person_counts(members, None)}
    by_household = _household_counts(households, group_by)
    by_person = _person_counts(members, f"household__{group_by}")
    return {
        key: {**ZERO_COUNTS, **by_household.get(key, {}), **by_person.get(key, {})}
        for key in by_household.keys() | by_person.keys()
    }


def scope_figures(
    *, access: Access, township_id: int | None = None, village_id: int | None = None
) -> Figures:
    """The figures of the county (no id), a township or an administrative village; out of scope is a 404."""
    if village_id is not None:
        village = access.get_or_404(AdministrativeVillage.objects.select_related("township"), pk=village_id)
        name = f"{village.township.name}{village.name}"
        population = village.registered_rural_population
        place = {"village_id": village.pk}
    elif township_id is not None:
        township = access.get_or_404(Township.objects, pk=township_id)
        name, population, place = (
            township.name,
            township.registered_rural_population,
            {"township_id": township.pk},
        )
    else:
        # The county level: Access decides which households count (all of them for county-wide roles).
        county = access.visible(County.objects.order_by()).aggregate(
            population=Sum("registered_rural_population"), name=Max("name")
        )
        name, population, place = county["name"] or "", county["population"] or 0, {}
    return Figures(name=name, population=population, **_counts(access=access, place=place))


def _rows(units: QuerySet, counts: dict, *, with_population: bool = True) -> list[UnitFigures]:
    return [
        UnitFigures(
            id=unit.pk,
            name=unit.name,
            population=unit.registered_rural_population if with_population else None,
            is_poor=unit.is_poor,
            planned_exit_year=getattr(unit, "planned_exit_year", None),
            exit_year=getattr(unit, "exit_year", None),
            **counts.get(unit.pk, ZERO_COUNTS),
        )
        for unit in units
    ]


def figures_by_township(*, access: Access) -> list[UnitFigures]:
    """One row per visible township."""
    townships = access.visible(Township.objects.all())
    return _rows(townships, _counts(access=access, place={}, group_by="township_id"))


def figures_by_village(*, access: Access, township_id: int) -> list[UnitFigures]:
    """One row per visible administrative village of a township."""
    villages = access.visible(AdministrativeVillage.objects.filter(township_id=township_id))
    counts = _counts(access=access, place={"township_id": township_id}, group_by="village_id")
    return _rows(villages, counts)


def figures_by_natural_village(*, access: Access, village_id: int) -> list[UnitFigures]:
    """One row per visible natural village of an administrative village (they record no population)."""
    natural_villages = access.visible(NaturalVillage.objects.filter(village_id=village_id))
    counts = _counts(access=access, place={"village_id": village_id}, group_by="natural_village_id")
    return _rows(natural_villages, counts, with_population=False)


def cadre_households(*, access: Access) -> QuerySet[Household]:
    """我的挂包户: the households actively paired with the signed-in cadre, with their last revisit date."""
    cadre_id = getattr(access.user, "cadre_id", None)
    if cadre_id is None:
        return Household.objects.none()
    active_pairing = Pairing.objects.filter(
        household_id=OuterRef("pk"), cadre_id=cadre_id, ended_on__isnull=True
    )
    last_revisit = (
        access.visible(Revisit.objects.filter(household_id=OuterRef("pk")))
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )
    return (
        access.visible(Household.objects.filter(Exists(active_pairing)))
        .select_related("natural_village", "village", "township")
        .annotate(last_revisited_on=Subquery(last_revisit))
        .order_by("household_number")
    )
