"""Reads for the cadre's phone pages: my households with what is due, a household's summary, revisits.

Every queryset goes through ``Access`` (a cadre sees their actively paired households; the revisits they
recorded stay readable after a pairing ends).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from assignments.models import Pairing, Revisit, RevisitPhoto, RevisitRound
from core.access import Access
from core.idnumbers import birth_date
from households import choices
from households.models import Assessment, AssistanceMeasure, HelpPlan, Household, Member

RECENT_REVISITS = 5
OPEN_PROBLEMS = 5


@dataclass(frozen=True)
class HouseholdMarker:
    """A badge on a household's card and summary, e.g. 脱贫不稳定户 · 纳入监测 (declared by another app)."""

    label: str
    detail: str = ""
    tone: str = "watch"  # a CSS class of phone.css


# (*, access, household_ids) -> {household id: [markers]}, in a fixed number of queries whatever the ids.
MarkerProvider = Callable[..., dict[int, list[HouseholdMarker]]]
_marker_providers: dict[str, MarkerProvider] = {}


def household_markers_register(provider: MarkerProvider) -> None:
    """Declared by an app that marks households (防返贫监测: which are monitoring objects), from its ready()."""
    _marker_providers[f"{provider.__module__}.{provider.__qualname__}"] = provider


def household_markers(*, access: Access, household_ids: list[int]) -> dict[int, list[HouseholdMarker]]:
    """Every registered provider's markers for these households: one query per provider, never per household."""
    markers: dict[int, list[HouseholdMarker]] = {}
    if not household_ids:
        return markers
    for key in sorted(_marker_providers):
        for household_id, found in _marker_providers[key](access=access, household_ids=household_ids).items():
            markers.setdefault(household_id, []).extend(found)
    return markers


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


def due_round(*, today: datetime.date | None = None) -> RevisitRound | None:
    """The round a visit made today counts for: the running one, else the next, else the last one."""
    today = today or timezone.localdate()
    rounds = RevisitRound.objects.all()
    return (
        rounds.filter(starts_on__lte=today, ends_on__gte=today).order_by("starts_on").first()
        or rounds.filter(starts_on__gt=today).order_by("starts_on").first()
        or rounds.filter(ends_on__lt=today).order_by("-ends_on").first()
    )


def my_households(*, access: Access, round: RevisitRound | None) -> QuerySet[Household]:
    """我的挂包户 with the last visit (``last_revisited_on``) and whether ``round`` has a visit yet."""
    households = cadre_households(access=access)
    if round is None:
        return households
    # "Visited" as the round's completion figures count it (assignments.selectors): a revisit of the
    # round, or one with no round dated within the round.
    visited = Revisit.objects.filter(household_id=OuterRef("pk")).filter(
        Q(round=round) | Q(round__isnull=True, visited_on__range=(round.starts_on, round.ends_on))
    )
    return households.annotate(visited_in_round=Exists(visited))


def paired_household_choices(*, access: Access) -> list[tuple[int, str]]:
    """The households this cadre may record a revisit for, for the form's select."""
    return [
        (h.pk, gettext("{name}（{place}）").format(name=h.head_name, place=h.natural_village.name))
        for h in cadre_households(access=access)
    ]


@dataclass(frozen=True)
class MemberRow:
    name: str
    relation: str
    sex: str
    age: int | None
    health: str
    labour: str
    school: str
    migrant_work: str


@dataclass
class HouseholdSummary:
    household: Household
    members: list[MemberRow]
    assessment: Assessment | None
    help_plan: HelpPlan | None
    measures: list[AssistanceMeasure]
    open_problems: list[Revisit]
    recent_revisits: list[Revisit]
    may_record: bool
    guarantees: list[tuple[str, bool]] = field(default_factory=list)
    markers: list[HouseholdMarker] = field(default_factory=list)


def _age(id_number: str, today: datetime.date) -> int | None:
    try:
        born = birth_date(id_number)
    except ValueError:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _photos() -> Prefetch:
    return Prefetch("photos", queryset=RevisitPhoto.objects.order_by("id"))


def household_summary(*, access: Access, household_id: int) -> HouseholdSummary:
    """The household summary a cadre reads before a visit. Out of scope is a 404."""
    household = access.get_or_404(
        Household.objects.select_related("natural_village", "village", "township"), pk=household_id
    )
    today = timezone.localdate()
    members = [
        MemberRow(
            name=m.name,
            relation=m.get_relation_display(),
            sex=m.get_sex_display(),
            age=_age(m.id_number, today),
            health="、".join(str(choices.Health(h).label) for h in m.health if h in choices.Health.values),
            labour=m.get_labour_display(),
            school=m.get_school_status_display() if m.school_status != choices.SchoolStatus.NONE else "",
            migrant_work=m.get_migrant_work_display() if m.migrant_work != choices.MigrantWork.NONE else "",
        )
        for m in access.visible(Member.objects.filter(household=household, left_reason="")).order_by("id")
    ]
    assessment = access.visible(Assessment.objects.filter(household=household)).order_by("-year").first()
    help_plan = access.visible(HelpPlan.objects.filter(household=household)).order_by("-year").first()
    measures = list(
        access.visible(AssistanceMeasure.objects.filter(household=household)).order_by("-year", "id")[:10]
    )
    revisits = access.visible(Revisit.objects.filter(household=household)).select_related("cadre", "round")
    recent = list(revisits.prefetch_related(_photos()).order_by("-visited_on", "-id")[:RECENT_REVISITS])
    problems = list(revisits.exclude(problems="").order_by("-visited_on", "-id")[:OPEN_PROBLEMS])
    guarantees = []
    if assessment is not None:
        guarantees = [
            (Assessment._meta.get_field(name).verbose_name, getattr(assessment, name))
            for name in Assessment.SECURITY_FIELDS
        ]
    return HouseholdSummary(
        household=household,
        members=members,
        assessment=assessment,
        help_plan=help_plan,
        measures=measures,
        open_problems=problems,
        recent_revisits=recent,
        may_record=may_record_for(access=access, household_id=household.pk),
        guarantees=guarantees,
        markers=household_markers(access=access, household_ids=[household.pk]).get(household.pk, []),
    )


def may_record_for(*, access: Access, household_id: int) -> bool:
    """Only the cadre actively paired with the household records its revisits (the service decides too)."""
    user = access.user
    return (
        access.is_cadre
        and Pairing.objects.filter(
            cadre_id=user.cadre_id, household_id=household_id, ended_on__isnull=True
        ).exists()
    )


def my_revisits(*, access: Access) -> QuerySet[Revisit]:
    """The revisits this cadre recorded, including those of households no longer paired with them."""
    return (
        access.visible(Revisit.objects.filter(cadre_id=access.user.cadre_id))
        .select_related("household", "round")
        .order_by("-visited_on", "-id")
    )


def revisit_detail(*, access: Access, revisit_id: int) -> Revisit:
    return access.get_or_404(
        Revisit.objects.select_related("household__natural_village", "cadre", "round").prefetch_related(
            _photos()
        ),
        pk=revisit_id,
    )


def revisit_photo(*, access: Access, photo_id: int) -> RevisitPhoto:
    """A photo, only for users who may see its revisit (404 otherwise)."""
    return access.get_or_404(RevisitPhoto.objects.select_related("revisit"), pk=photo_id)
