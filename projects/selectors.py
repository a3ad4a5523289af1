"""Reads of projects, relocation, training and targets, each scoped by the access rule.

Figures follow DESIGN.md §3 "one meaning per figure": households and persons are registered, current ones
(not 已清退; departed members not counted).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from core.access import Access
from households.choices import COUNTED_STATUSES
from households.models import AssistanceMeasure, Household, Member
from projects.models import (
    FundingSource,
    ProgressEntry,
    Project,
    Relocation,
    RelocationSite,
    Target,
    Training,
)
from villages.models import AdministrativeVillage, Township

AREA_PER_PERSON = 25
ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))


# -- projects ------------------------------------------------------------------------------------------


def _latest_invested() -> Subquery:
    """A project's invested to date: its latest progress entry."""
    latest = ProgressEntry.objects.filter(project=OuterRef("pk")).order_by("-recorded_on", "-id")
    return Subquery(latest.values("invested_to_date")[:1])


def _reached_count() -> Subquery:
    """Beneficiary households actually reached: registered ones (not 已清退)."""
    through = Project.beneficiaries.through
    rows = (
        through.objects.filter(project=OuterRef("pk"), household__status__in=COUNTED_STATUSES)
        .order_by()
        .values("project")
        .annotate(n=Count("household_id"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def with_figures(qs: QuerySet[Project]) -> QuerySet[Project]:
    return qs.annotate(invested=Coalesce(_latest_invested(), ZERO), reached=_reached_count())


def project_list(*, access: Access, filters: dict | None = None) -> QuerySet[Project]:
    """Visible projects matching ``filters``: township, village, category, state, year, parent ("top" =
    top-level only, or a project id), q (name contains)."""
    filters = filters or {}
    qs = access.visible(Project.objects.all())
    for name in ("township", "village", "category", "state", "year"):
        value = filters.get(name)
        if value not in (None, ""):
            qs = qs.filter(**{name: value})
    parent = filters.get("parent")
    if parent == "top":
        qs = qs.filter(parent__isnull=True)
    elif parent not in (None, ""):
        qs = qs.filter(parent=parent)
    if filters.get("q"):
        qs = qs.filter(name__icontains=filters["q"])
    # A parent project first, its sub-projects right after it, families by the parent's year.
    qs = qs.annotate(family=Coalesce("parent_id", "id"), family_year=Coalesce("parent__year", "year"))
    return with_figures(qs.select_related("township", "village", "parent")).order_by(
        "-family_year", "family", F("parent_id").asc(nulls_first=True), "id"
    )


@dataclass(frozen=True)
class ProjectTotals:
    projects: int
    planned: Decimal
    invested: Decimal
    planned_households: int
    planned_persons: int
    reached_households: int


def _invested_sum(projects: QuerySet[Project]) -> Decimal:
    """The sum of each project's latest reported investment (the correlated subquery above rather than
    DISTINCT ON, which SQLite, serving make run, does not have)."""
    return projects.annotate(latest=_latest_invested()).aggregate(total=Coalesce(Sum("latest"), ZERO))[
        "total"
    ]


def project_totals(qs: QuerySet[Project]) -> ProjectTotals:
    """Totals of a list. A sub-project listed with its parent is counted in the parent (no double count);
    households reached are distinct households across the listed projects."""
    ids = qs.order_by().values("pk")
    counted = Project.objects.filter(pk__in=ids).exclude(parent__in=ids)
    money = with_figures(counted).aggregate(
        n=Count("id"),
        planned=Coalesce(Sum("planned_investment"), ZERO),
        households=Coalesce(Sum("planned_households"), 0),
        persons=Coalesce(Sum("planned_persons"), 0),
    )
    invested = _invested_sum(counted)
    reached = (
        Household.objects.filter(status__in=COUNTED_STATUSES)
        .filter(pk__in=Project.beneficiaries.through.objects.filter(project__in=ids).values("household_id"))
        .count()
    )
    return ProjectTotals(
        projects=qs.count(),
        planned=money["planned"],
        invested=invested,
        planned_households=money["households"],
        planned_persons=money["persons"],
        reached_households=reached,
    )


def project_detail(*, access: Access, pk) -> Project:
    """One visible project with its funding and progress (404 outside scope)."""
    qs = with_figures(access.visible(Project.objects.all())).select_related("township", "village", "parent")
    qs = qs.prefetch_related(
        Prefetch("funding", queryset=FundingSource.objects.order_by("-amount", "id")),
        Prefetch("progress", queryset=ProgressEntry.objects.order_by("-recorded_on", "-id")),
        "natural_villages",
    )
    return access.get_or_404(qs, pk=pk)


@dataclass(frozen=True)
class Rollup:
    count: int
    planned: Decimal
    invested: Decimal
    by_state: list[tuple[str, int]]
    by_category: list[tuple[str, int, Decimal]]


def subprojects(*, access: Access, project: Project) -> QuerySet[Project]:
    return (
        with_figures(access.visible(project.subprojects.all()))
        .select_related("village")
        .order_by("category", "id")
    )


def subproject_rollup(*, access: Access, project: Project) -> Rollup:
    """The sub-projects' sums, rolled up to the parent."""
    subs = access.visible(project.subprojects.all())
    sums = subs.aggregate(n=Count("id"), planned=Coalesce(Sum("planned_investment"), ZERO))
    invested = _invested_sum(Project.objects.filter(pk__in=subs.values("pk")))
    states = dict(Project.State.choices)
    categories = dict(Project.Category.choices)
    by_state = [
        (states.get(s, s), n)
        for s, n in subs.order_by().values_list("state").annotate(n=Count("id")).values_list("state", "n")
    ]
    by_category = [
        (categories.get(c, c), n, p)
        for c, n, p in subs.order_by("category")
        .values_list("category")
        .annotate(n=Count("id"), p=Sum("planned_investment"))
        .values_list("category", "n", "p")
    ]
    return Rollup(
        count=sums["n"],
        planned=sums["planned"],
        invested=invested,
        by_state=by_state,
        by_category=by_category,
    )


def project_beneficiaries(*, access: Access, project: Project) -> QuerySet[Household]:
    """The project's beneficiary households the user sees, with their measures (a fixed number of queries)."""
    members = Count("members", filter=Q(members__left_reason=""))
    return (
        access.visible(project.beneficiaries.all())
        .select_related("township", "village", "natural_village")
        .annotate(member_count=members)
        .prefetch_related(
            Prefetch(
                "measures",
                queryset=AssistanceMeasure.objects.select_related("project").order_by(
                    "-year", "category", "id"
                ),
            )
        )
        .order_by("household_number")
    )


# -- relocation ----------------------------------------------------------------------------------------


def current_relocations() -> QuerySet[Relocation]:
    """Each household's latest move (earlier moves are its history), of registered households."""
    later = Relocation.objects.filter(household=OuterRef("household"), id__gt=OuterRef("id"))
    return Relocation.objects.filter(household__status__in=COUNTED_STATUSES).exclude(Exists(later))


def relocation_site_list(*, access: Access, filters: dict | None = None) -> QuerySet[RelocationSite]:
    """Visible sites with planned against relocated and moved-in households and persons."""
    filters = filters or {}
    qs = access.visible(RelocationSite.objects.all())
    for name in ("township", "village", "kind", "build_state", "year"):
        value = filters.get(name)
        if value not in (None, ""):
            qs = qs.filter(**{name: value})
    current = current_relocations().filter(site=OuterRef("pk")).order_by().values("site")
    moved_in = current.filter(moved_in_on__isnull=False)

    def figure(rows, expression):
        return Coalesce(Subquery(rows.annotate(v=expression).values("v"), output_field=IntegerField()), 0)

    return (
        qs.select_related("township", "village", "natural_village")
        .annotate(
            relocated_households=figure(current, Count("id")),
            relocated_persons=figure(current, Sum("persons")),
            moved_in_households=figure(moved_in, Count("id")),
            moved_in_persons=figure(moved_in, Sum("persons")),
        )
        .order_by("township_id", "name")
    )


def relocation_site_totals(sites: QuerySet[RelocationSite]) -> dict:
    return sites.aggregate(
        sites=Count("id"),
        planned_households=Coalesce(Sum("planned_households"), 0),
        planned_persons=Coalesce(Sum("planned_persons"), 0),
        investment=Coalesce(Sum("investment"), ZERO),
    ) | current_relocations().filter(site__in=sites.values("pk")).aggregate(
        relocated_households=Count("id"),
        relocated_persons=Coalesce(Sum("persons"), 0),
        moved_in_households=Count("id", filter=Q(moved_in_on__isnull=False)),
        moved_in_persons=Coalesce(Sum("persons", filter=Q(moved_in_on__isnull=False)), 0),
    )


def relocation_site_detail(*, access: Access, pk) -> RelocationSite:
    return access.get_or_404(relocation_site_list(access=access), pk=pk)


def relocation_list(*, access: Access, filters: dict | None = None) -> QuerySet[Relocation]:
    """Visible moves (every move, history included), filtered by site, household, kind, township."""
    filters = filters or {}
    qs = access.visible(Relocation.objects.all())
    for name in ("site", "household", "kind"):
        value = filters.get(name)
        if value not in (None, ""):
            qs = qs.filter(**{name: value})
    if filters.get("township"):
        qs = qs.filter(site__township=filters["township"])
    if filters.get("current"):
        qs = qs.filter(pk__in=current_relocations().values("pk"))
    return qs.select_related(
        "household", "site", "site__township", "from_natural_village", "household__natural_village"
    ).order_by("household__household_number", "id")


def relocation_breaches(*, access: Access) -> QuerySet[Relocation]:
    """Registered relocated households (建档立卡搬迁户) above 25 m² per person: housing area against the
    household's current members (a household that shrank after moving can break the rule)."""
    members = (
        Member.objects.filter(household=OuterRef("household"), left_reason="")
        .order_by()
        .values("household")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = access.visible(current_relocations().filter(kind=Relocation.Kind.REGISTERED))
    return (
        qs.annotate(current_persons=Coalesce(Subquery(members, output_field=IntegerField()), 0))
        .filter(Q(current_persons=0) | Q(housing_area__gt=F("current_persons") * AREA_PER_PERSON))
        .select_related("household", "site", "site__township")
        .order_by("site__township_id", "site__name", "household__household_number")
    )


# -- training ------------------------------------------------------------------------------------------


def training_list(*, access: Access, filters: dict | None = None) -> QuerySet[Training]:
    filters = filters or {}
    qs = access.visible(Training.objects.all())
    for name in ("township", "kind", "year"):
        value = filters.get(name)
        if value not in (None, ""):
            qs = qs.filter(**{name: value})
    return (
        qs.select_related("township")
        .annotate(registered_participants=Count("participants", distinct=True))
        .order_by("-year", "kind", "id")
    )


def training_totals_by_kind(trainings: QuerySet[Training]) -> list[dict]:
    kinds = dict(Training.Kind.choices)
    rows = (
        trainings.order_by()
        .values("kind")
        .annotate(
            courses=Count("id", distinct=True),
            planned=Sum("planned_participants"),
            actual=Sum("actual_participants"),
            budget=Sum("planned_investment"),
        )
        .order_by("kind")
    )
    order = list(kinds)
    return sorted(
        [{**row, "label": kinds.get(row["kind"], row["kind"])} for row in rows],
        key=lambda r: order.index(r["kind"]) if r["kind"] in order else 99,
    )


def training_detail(*, access: Access, pk) -> Training:
    return access.get_or_404(training_list(access=access), pk=pk)


def training_participants(*, access: Access, training: Training) -> QuerySet[Member]:
    return (
        access.visible(training.participants.all())
        .select_related("household", "household__natural_village")
        .order_by("household__household_number", "id")
    )


# -- targets -------------------------------------------------------------------------------------------


@dataclass
class TargetProgress:
    target: Target
    households: int | None = None  # households exited by the target's year (or with the measure)
    persons: int | None = None
    villages: int | None = None
    townships: int | None = None
    income: Decimal | None = None  # mean per-capita net income of registered households that year


def target_list(*, access: Access, filters: dict | None = None) -> QuerySet[Target]:
    filters = filters or {}
    qs = access.visible(Target.objects.all())
    for name in ("township", "year", "category"):
        value = filters.get(name)
        if value not in (None, ""):
            qs = qs.filter(**{name: value})
    if filters.get("county_only"):
        qs = qs.filter(township__isnull=True)
    return qs.select_related("county", "township").order_by("year", "township_id", "category", "id")


def _aggregate(qs: QuerySet, expressions: dict) -> dict:
    """One query for all the figures asked (none when nothing is asked)."""
    return qs.aggregate(**expressions) if expressions else {}


def _households_of(target: Target) -> Q:
    """A target's place, seen from a record that has a household."""
    if target.township_id:
        return Q(household__township_id=target.township_id)
    return Q(household__township__county_id=target.county_id)


def target_progress(*, targets) -> list[TargetProgress]:
    """Progress against each target, computed from the registry (never typed in). A fixed number of
    queries whatever the number of targets: one conditional aggregate per kind of figure.

    - households / persons: households 已脱贫 with an exit year up to the target's year, and their current
      members; for a 五个一批 target, registered households with a measure of that category up to that year;
    - villages / townships: poor villages and townships whose exit year is up to the target's year;
    - income: the mean per-capita net income of registered households assessed in the target's year.
    """
    from households.models import Assessment

    targets = list(targets)
    asked: dict[str, dict] = {
        k: {} for k in ("exited_h", "exited_p", "measure_h", "measure_p", "villages", "townships", "income")
    }
    for t in targets:
        key = f"t{t.pk}"
        place = Q(township_id=t.township_id) if t.township_id else Q(township__county_id=t.county_id)
        counted = Q(household__status__in=COUNTED_STATUSES)
        if t.category and (t.households is not None or t.persons is not None):
            asked["measure_h"][key] = Count(
                "household_id",
                distinct=True,
                filter=_households_of(t) & counted & Q(category=t.category, year__lte=t.year),
            )
            asked["measure_p"][key] = Count(
                "id",
                distinct=True,
                filter=_households_of(t)
                & counted
                & Q(household__measures__category=t.category, household__measures__year__lte=t.year),
            )
        if t.category:
            continue
        if t.households is not None or t.persons is not None:
            asked["exited_h"][key] = Count("id", filter=place & Q(status="exited", exit_year__lte=t.year))
            asked["exited_p"][key] = Count(
                "id",
                filter=_households_of(t) & Q(household__status="exited", household__exit_year__lte=t.year),
            )
        if t.villages_to_exit is not None:
            asked["villages"][key] = Count("id", filter=place & Q(is_poor=True, exit_year__lte=t.year))
        if t.townships_to_exit is not None:
            own = Q(pk=t.township_id) if t.township_id else Q(county_id=t.county_id)
            asked["townships"][key] = Count("id", filter=own & Q(is_poor=True, exit_year__lte=t.year))
        if t.income_goal is not None:
            asked["income"][key] = Avg("per_capita_net_income", filter=_households_of(t) & Q(year=t.year))
    current = Member.objects.filter(left_reason="")
    figures = {
        "exited_h": _aggregate(Household.objects.all(), asked["exited_h"]),
        "exited_p": _aggregate(current, asked["exited_p"]),
        "measure_h": _aggregate(AssistanceMeasure.objects.all(), asked["measure_h"]),
        "measure_p": _aggregate(current, asked["measure_p"]),
        "villages": _aggregate(AdministrativeVillage.objects.all(), asked["villages"]),
        "townships": _aggregate(Township.objects.all(), asked["townships"]),
        "income": _aggregate(
            Assessment.objects.filter(household__status__in=COUNTED_STATUSES), asked["income"]
        ),
    }
    rows = []
    for t in targets:
        key = f"t{t.pk}"
        people = ("measure_h", "measure_p") if t.category else ("exited_h", "exited_p")
        rows.append(
            TargetProgress(
                target=t,
                households=figures[people[0]].get(key),
                persons=figures[people[1]].get(key),
                villages=figures["villages"].get(key),
                townships=figures["townships"].get(key),
                income=figures["income"].get(key),
            )
        )
    return rows


# -- choices for the pages' filters ---------------------------------------------------------------------


def township_options(*, access: Access) -> QuerySet[Township]:
    return access.visible(Township.objects.all()).order_by("code", "id")


def village_options(*, access: Access, township_id: int | None = None) -> QuerySet[AdministrativeVillage]:
    qs = access.visible(AdministrativeVillage.objects.all())
    if township_id:
        qs = qs.filter(township_id=township_id)
    return qs.select_related("township").order_by("township__code", "code", "id")
