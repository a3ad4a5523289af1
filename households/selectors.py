"""Reads on households: the figures of a scope (DESIGN.md §3 poverty incidence, §7 stats) and a cadre's list.

Every queryset goes through ``Access.visible``. Figures are set-based: one GROUP BY over households and
one over current members per table, so the number of queries does not grow with the number of rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.access import mask_phone
from core.idnumbers import mask
from households import choices
from households.choices import COUNTED_STATUSES, POOR_STATUSES, Status
from households.models import (
    Assessment,
    AssistanceMeasure,
    ExitApplication,
    ExitStep,
    HelpPlan,
    Household,
    Member,
)
from villages.models import AdministrativeVillage, County, NaturalVillage, Township, VillageFigures

if TYPE_CHECKING:
    from core.access import Access

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


def household_estimate() -> int:
    """PostgreSQL's estimate of the number of households (pg_class.reltuples): one cheap read, no COUNT.
    SQLite (make run, a demo county) has no such estimate and counts: it is never province-sized."""
    if connection.vendor != "postgresql":
        return Household.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [Household._meta.db_table]
        )
        row = cursor.fetchone()
    return max(int(row[0]) if row else 0, 0)


def use_summary(access: Access) -> bool:
    """Above DASHBOARD_SUMMARY_ABOVE households, the county and township figures are read from the summary
    table (VillageFigures, refreshed by a job) instead of counted live. Only for roles that see whole
    villages: the summary counts every household of a village."""
    if access.scope_level not in ("county", "township", "village"):
        return False
    return household_estimate() > settings.DASHBOARD_SUMMARY_ABOVE


SUMMARY_SUMS = {k: Sum(k) for k in ZERO_COUNTS}


def _summary_counts(*, access: Access, place: dict) -> dict:
    """The counts of ``place`` read from VillageFigures (one query), the same meaning as ``_counts``."""
    lookups = {"township_id": "village__township_id", "village_id": "village_id"}
    summary = access.visible(VillageFigures.objects.filter(**{lookups[k]: v for k, v in place.items()}))
    totals = summary.order_by().aggregate(**SUMMARY_SUMS)
    return {k: v or 0 for k, v in totals.items()}


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
    # At province scale the figures come from the summary table (refreshed by a job): the same meaning.
    counts = (
        _summary_counts(access=access, place=place)
        if use_summary(access)
        else _counts(access=access, place=place)
    )
    return Figures(name=name, population=population, **counts)


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


# -- the household pages: list, detail, history, 返贫 review ----------------------------------------------

# An 18-character ID number (17 digits and a check digit or X), as a user would type it.
_ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")
_INITIALS = re.compile(r"^[A-Za-z]+$")
# How far a filtered list is counted exactly; beyond it the page says "more than" (a COUNT over a
# province's million rows would cost more than the whole page).
LIST_COUNT_CAP = 10_000


def household_search_q(text: str) -> Q:
    """The 户 search box: ID number (exact), household number, head's name, head's pinyin initials (张三 → zs).

    Each branch is a match on an indexed column (exact, or prefix on a btree with pattern ops), so a
    search at province scale reads a few index pages rather than the table.
    """
    text = "".join(text.split())
    if not text:
        return Q()
    if _ID_NUMBER.match(text):
        # One person is never in two households: the unique index on member.id_number finds the one.
        members = Member.objects.filter(id_number=text.upper()).values("household_id")
        return Q(pk__in=members)
    q = Q(household_number__startswith=text) | Q(head_name__startswith=text)
    if _INITIALS.match(text):
        q |= Q(head_initials__startswith=text.lower())  # stored lower-case by the services
    return q


# "Data to look at" on the dashboards: each is a filter of the household list that shows the same count.
LOOK_FILTERS = {
    # 符合脱贫条件 but no 脱贫 application ever started.
    "unproposed": Q(status__in=POOR_STATUSES, eligible=True)
    & ~Q(pk__in=ExitApplication.objects.values("household_id")),
    # 已脱贫 while this year's assessment says the household does not meet the conditions.
    "exited_below": Q(status=Status.EXITED, eligible=False),
}


def household_counted_q(filters: dict) -> Q:
    """One meaning per figure: lists count registered households (not 已清退) unless asked otherwise,
    by the ``removed`` filter (include | only) or by choosing the 已清退 status itself."""
    removed = filters.get("removed") or ""
    if removed == "include" or filters.get("status") == Status.REMOVED:
        return Q()
    if removed == "only":
        return Q(status=Status.REMOVED)
    return Q(status__in=COUNTED_STATUSES)


def household_list(*, access: Access, filters: dict) -> QuerySet[Household]:
    """The visible households matching the list page's filters, ordered by household number.

    ``filters`` holds cleaned values: q, township, village, natural_village (model instances or None),
    status, attribute, cause (codes or ""), eligible ("yes" | "no" | "unknown" | ""), year (识别年度),
    exit_year, review (bool: 待返贫核实 only), removed ("" = not 已清退 | include | only), poor (bool: 未脱贫 and
    返贫), batch (a 五个一批 category: households with such a measure), look (a LOOK_FILTERS key).
    """
    qs = access.visible(Household.objects.all())
    q = filters.get("q")
    if q:
        qs = qs.filter(household_search_q(q))
    for name, lookup in (
        ("township", "township"),
        ("village", "village"),
        ("natural_village", "natural_village"),
        ("status", "status"),
        ("attribute", "attribute"),
        ("cause", "main_cause"),
        ("year", "identified_year"),
        ("exit_year", "exit_year"),
    ):
        value = filters.get(name)
        if value not in (None, ""):
            qs = qs.filter(**{lookup: value})
    eligible = filters.get("eligible")
    if eligible:
        qs = qs.filter(eligible={"yes": True, "no": False, "unknown": None}[eligible])
    if filters.get("review"):
        qs = qs.filter(needs_return_review=True)
    qs = qs.filter(household_counted_q(filters))
    if filters.get("poor"):
        qs = qs.filter(status__in=POOR_STATUSES)
    batch = filters.get("batch")
    if batch:
        qs = qs.filter(pk__in=AssistanceMeasure.objects.filter(category=batch).values("household_id"))
    look = filters.get("look")
    if look in LOOK_FILTERS:
        qs = qs.filter(LOOK_FILTERS[look])
    return qs.select_related("township", "village", "natural_village").order_by("household_number")


def list_ids(qs: QuerySet, *, order_field: str, cap: int | None = None) -> tuple[list[int] | None, int]:
    """(ids of every row of ``qs`` in ``order_field`` order, count) when there are at most ``cap`` rows;
    (None, cap + 1) when there are more.

    One query without ORDER BY, so PostgreSQL picks the filter's own index (or one sequential scan for a
    filter on unindexed columns) instead of walking the order's index hoping to meet matches: a rare
    filter costs one scan, and no filter ever counts the whole table. Sorting ≤ cap rows is cheap.
    """
    cap = LIST_COUNT_CAP if cap is None else cap
    rows = list(qs.order_by().values_list("pk", order_field)[: cap + 1])
    if len(rows) > cap:
        return None, cap + 1
    rows.sort(key=lambda row: row[1])
    return [pk for pk, _ in rows], len(rows)


def rows_by_ids(qs: QuerySet, ids: list[int]) -> list:
    """The rows of ``qs`` with these ids (one page), in the order of ``ids``."""
    rows = {row.pk: row for row in qs.filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]


def current_member_counts(household_ids: list[int]) -> dict[int, int]:
    """Current members per household, for one page of a list (one GROUP BY, never a query per row)."""
    if not household_ids:
        return {}
    rows = (
        Member.objects.filter(household_id__in=household_ids, left_reason="")
        .order_by()
        .values("household_id")
        .annotate(n=Count("id"))
    )
    return {row["household_id"]: row["n"] for row in rows}


def return_review_list(*, access: Access) -> QuerySet[Household]:
    """已脱贫 households whose later assessment failed: waiting for a township official's 返贫 decision."""
    return household_list(access=access, filters={"review": True, "status": Status.EXITED})


def household_detail(*, access: Access, pk) -> Household:
    """One household in scope (404 outside) with everything its page shows, in a fixed number of queries."""
    members = access.visible(Member.objects.order_by("left_reason", "id"))
    household = access.get_or_404(
        Household.objects.select_related("township__county", "village", "natural_village").prefetch_related(
            Prefetch("members", queryset=members),
            Prefetch("assessments", queryset=access.visible(Assessment.objects.order_by("-year"))),
            Prefetch("help_plans", queryset=access.visible(HelpPlan.objects.order_by("-year"))),
            Prefetch(
                "measures",
                queryset=access.visible(
                    AssistanceMeasure.objects.select_related("project").order_by("-year", "id")
                ),
            ),
            Prefetch(
                "exit_applications",
                queryset=access.visible(ExitApplication.objects.order_by("-created_at")).prefetch_related(
                    Prefetch("steps", queryset=ExitStep.objects.select_related("actor"))
                ),
            ),
        ),
        pk=pk,
    )
    household.current_members = [m for m in household.members.all() if m.is_current]
    return household


# -- audit history ----------------------------------------------------------------------------------------

HISTORY_LIMIT = 500  # records read per kind; a household's lifetime has far fewer
_HISTORY_TYPES = {
    "+": pgettext_lazy("history", "新建"),
    "~": pgettext_lazy("history", "修改"),
    "-": pgettext_lazy("history", "删除"),
}


@dataclass(frozen=True)
class HistoryChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    """One audited change: who, when, what (with before and after for each changed field)."""

    when: object
    who: str
    kind: str  # 新建 / 修改 / 删除
    subject: str  # 户 / 成员 张三 / 2016 年收入
    changes: tuple[HistoryChange, ...]
    reason: str = ""
    whole_id_numbers: int = 0  # ID numbers its changes show whole (for the access log)


# Personal data in the history is masked as on the page (DESIGN.md §4; issue 11, findings 3 and 14).
_ID_FIELDS = {"id_number", "disability_certificate"}
_PHONE_FIELDS = {"phone"}


def _display(field, value, names: dict, access: Access | None = None) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if field.name in _ID_FIELDS:
        return access.id_number(str(value)) if access is not None else mask(str(value))
    if field.name in _PHONE_FIELDS:
        return access.phone(str(value)) if access is not None else mask_phone(str(value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if field.is_relation:
        return names.get((field.related_model._meta.label, value), str(value))
    if field.choices:
        labels = dict(field.flatchoices)
        if isinstance(value, list):
            return "、".join(str(labels.get(v, v)) for v in value)
        return str(labels.get(value, value))
    if isinstance(value, list):
        labels = {
            "other_causes": dict(choices.Cause.choices),
            "health": dict(choices.Health.choices),
        }.get(field.name, {})
        return "、".join(str(labels.get(v, v)) for v in value)
    return str(value)


def household_history(*, access: Access, household: Household) -> list[HistoryEntry]:
    """The audit history of a household, of every member who ever belonged to it (their whole history, so
    分户 / 合户 keep it) and of its assessments, newest first. A fixed number of queries."""
    household_model = Household.history.model
    member_model = Member.history.model
    assessment_model = Assessment.history.model
    newest_first = ("-history_date", "-history_id")
    member_ids = member_model.objects.filter(household_id=household.pk).values("id")
    sources = (
        (household_model.objects.filter(id=household.pk), lambda r: _("户信息")),
        (member_model.objects.filter(id__in=member_ids), lambda r: _("成员 {name}").format(name=r.name)),
        (
            assessment_model.objects.filter(household_id=household.pk),
            lambda r: _("{year} 年收入与保障").format(year=r.year),
        ),
    )
    items = []  # (record, its diffs against the previous version of the same object or None, subject)
    for qs, subject in sources:
        records = list(qs.select_related("history_user").order_by(*newest_first)[:HISTORY_LIMIT])
        for record, previous in _with_previous(records):
            delta = record.diff_against(previous).changes if previous is not None else None
            items.append((record, delta, subject(record)))
    names = _related_names(access, items)
    entries = []
    for record, delta, subject in items:
        meta = record.instance_type._meta
        changes = ()
        whole_id_numbers = 0
        if delta is not None:
            if not delta:
                continue  # a save that changed nothing tracked
            if access.sees_full_id_numbers:
                whole_id_numbers = sum(
                    1 for c in delta if c.field in _ID_FIELDS for value in (c.old, c.new) if value
                )
            changes = tuple(
                HistoryChange(
                    field=str(meta.get_field(c.field).verbose_name),
                    old=_display(meta.get_field(c.field), c.old, names, access),
                    new=_display(meta.get_field(c.field), c.new, names, access),
                )
                for c in delta
            )
        user = record.history_user
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=(user.get_full_name() or user.get_username()) if user else _("系统"),
                kind=_HISTORY_TYPES.get(record.history_type, record.history_type),
                subject=subject,
                changes=changes,
                reason=record.history_change_reason or "",
                whole_id_numbers=whole_id_numbers,
            )
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def _with_previous(records: list) -> list[tuple]:
    """(record, the previous version of the same object or None), for records ordered newest first."""
    by_object: dict[int, list] = {}
    for record in records:
        by_object.setdefault(record.id, []).append(record)
    return [
        (record, versions[i + 1] if i + 1 < len(versions) else None)
        for versions in by_object.values()
        for i, record in enumerate(versions)
    ]


def _related_names(access: Access, items: list) -> dict:
    """Names for the foreign keys the diffs mention (户编号, 自然村): one query per model, not per row."""
    wanted: dict[type, set] = {}
    for record, delta, _user in items:
        for change in delta or ():
            field = record.instance_type._meta.get_field(change.field)
            if field.is_relation:
                wanted.setdefault(field.related_model, set()).update({change.old, change.new} - {None})
    names = {}
    for model, ids in wanted.items():
        for obj in access.visible(model.objects.filter(pk__in=ids)):
            label = obj.household_number if model is Household else str(obj)
            names[(model._meta.label, obj.pk)] = label
    return names


# -- the API's lists (households/api.py) ----------------------------------------------------------------


def household_list_with_members(*, access: Access) -> QuerySet[Household]:
    """Visible households with their places and every member (current first, then those who left) joined
    or prefetched: the API nests members, in the same number of queries whatever the page size."""
    return access.visible(
        Household.objects.select_related("natural_village", "village", "township")
    ).prefetch_related(Prefetch("members", queryset=Member.objects.order_by("left_reason", "id")))


def member_list(*, access: Access) -> QuerySet[Member]:
    return access.visible(Member.objects.all()).order_by("household_id", "id")


def assessment_list(*, access: Access, household: Household) -> QuerySet[Assessment]:
    return access.visible(Assessment.objects.filter(household=household)).order_by("-year")


def exit_application_list(*, access: Access) -> QuerySet[ExitApplication]:
    """Applications with their household and every step (and who took it) in a fixed number of queries."""
    return (
        access.visible(ExitApplication.objects.select_related("household"))
        .prefetch_related(Prefetch("steps", queryset=ExitStep.objects.select_related("actor")))
        .order_by("-created_at", "-id")
    )


def poverty_line_list(*, access: Access) -> QuerySet:
    from households.models import PovertyLine

    return access.visible(PovertyLine.objects.order_by("-year", "region_code"))


def can_confirm_return(*, access: Access) -> bool:
    """返贫 is confirmed by a township official (or the county): the access rule decides, as the service asks."""
    return access.may_confirm_return


def latest_poverty_line_year() -> int | None:
    """The newest year with a poverty line: the assessment form's default year."""
    from households.models import PovertyLine

    return PovertyLine.objects.order_by("-year").values_list("year", flat=True).first()


# -- eligibility recompute runs ------------------------------------------------------------------------------


def eligibility_runs(*, access: Access) -> QuerySet:
    """Recompute runs, newest first: what each checked and changed (county-wide counts). Officials read
    them (a cadre reads none); the households each run changed are read in scope (``eligibility_changes``)."""
    from households.models import EligibilityRun

    return access.visible(EligibilityRun.objects.order_by("-started_at"))


def eligibility_recompute_running():
    """The whole-registry recompute queued or running now, if any (the runs page says so)."""
    from core.models import Job

    return (
        Job.objects.filter(kind="eligibility_recompute", state__in=(Job.State.QUEUED, Job.State.RUNNING))
        .order_by("-created_at")
        .first()
    )


def eligibility_changes(*, access: Access, run_id: int, became: str | None = None) -> QuerySet:
    """The households a run changed, inside the user's scope; ``became`` = "eligible" | "ineligible"."""
    from households.models import EligibilityChange

    changes = access.visible(
        EligibilityChange.objects.filter(run_id=run_id).select_related(
            "household__village", "household__township"
        )
    )
    if became == "eligible":
        changes = changes.filter(eligible_after=True)
    elif became == "ineligible":
        changes = changes.filter(eligible_before=True).exclude(eligible_after=True)
    return changes.order_by("household__household_number")


# -- sections other apps add to the household page -------------------------------------------------------
# The household page belongs to this app, but what other apps record about a household (its cadre and
# revisits, its projects) is theirs to read. They add a section from their AppConfig.ready(), the way
# admin inlines are added, so this app never imports them.


@dataclass(frozen=True)
class HouseholdSection:
    key: str
    template: str  # included with ``section`` in its context
    context: Callable[..., dict]  # (*, access, household) -> what the template shows
    order: int = 100


_SECTIONS: dict[str, HouseholdSection] = {}


def household_section_register(section: HouseholdSection) -> None:
    _SECTIONS[section.key] = section


def household_sections(*, access: Access, household: Household) -> list[dict]:
    """Each registered section's template and context, in order; a fixed number of queries each."""
    return [
        {"template": section.template, **section.context(access=access, household=household)}
        for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
    ]


# -- 一户一策 and 五个一批 ----------------------------------------------------------------------------------


def help_plans(*, access: Access, household: Household) -> QuerySet:
    """A household's yearly plans, newest first."""
    return access.visible(HelpPlan.objects.filter(household=household)).order_by("-year")


def household_measures(*, access: Access, household: Household) -> QuerySet:
    return (
        access.visible(AssistanceMeasure.objects.filter(household=household))
        .select_related("project")
        .order_by("-year", "category", "id")
    )


def help_plan_list(*, access: Access, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    qs = access.visible(HelpPlan.objects.all())
    for name in ("household", "year"):
        if filters.get(name) not in (None, ""):
            qs = qs.filter(**{name: filters[name]})
    return qs.select_related("household").order_by("household__household_number", "-year")


def measure_list(*, access: Access, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    qs = access.visible(AssistanceMeasure.objects.all())
    for name in ("household", "year", "category", "project"):
        if filters.get(name) not in (None, ""):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("township"):
        qs = qs.filter(household__township=filters["township"])
    return qs.select_related("household").order_by("household__household_number", "-year", "id")


@dataclass(frozen=True)
class BatchFigures:
    category: str
    label: str
    households: int
    persons: int


def measure_batches(
    *, access: Access, township_id: int | None = None, year: int | None = None, village_id: int | None = None
) -> list[BatchFigures]:
    """五个一批: registered households (and their current members) with a measure of each of the five
    batches, in the user's scope (optionally one township and one year). Two queries whatever the scope."""
    households = access.visible(Household.objects.filter(status__in=COUNTED_STATUSES))
    if township_id:
        households = households.filter(township_id=township_id)
    if village_id:
        households = households.filter(village_id=village_id)
    measures = AssistanceMeasure.objects.filter(
        category__in=choices.FIVE_BATCHES, household__in=households.values("pk")
    )
    if year:
        measures = measures.filter(year=year)
    by_households = dict(
        measures.order_by()
        .values_list("category")
        .annotate(n=Count("household_id", distinct=True))
        .values_list("category", "n")
    )
    persons_measures = Member.objects.filter(
        left_reason="",
        household__measures__category__in=choices.FIVE_BATCHES,
        household__in=households.values("pk"),
    )
    if year:
        persons_measures = persons_measures.filter(household__measures__year=year)
    by_persons = dict(
        persons_measures.order_by()
        .values_list("household__measures__category")
        .annotate(n=Count("id", distinct=True))
        .values_list("household__measures__category", "n")
    )
    return [
        BatchFigures(
            category=str(c),
            label=str(choices.MeasureCategory(c).label),
            households=by_households.get(c, 0),
            persons=by_persons.get(c, 0),
        )
        for c in choices.FIVE_BATCHES
    ]
