"""Reads for the exit-procedure pages: application lists, one application's record, the notices.

Every queryset goes through ``Access.visible``; lists choose their joins and sub-queries up front, so a
page costs the same number of queries whatever the number of rows. The rules themselves (who takes which
step, when a notice is open) come from ``households.exit.services``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.access import Access
from core.idnumbers import mask
from households.choices import POOR_STATUSES, ExitState, Relation
from households.eligibility import Decision as EligibilityDecision
from households.eligibility import household_decision
from households.exit.services import ROLE_LABELS, STEPS, next_step, notice_open
from households.models import Assessment, ExitApplication, ExitObjection, ExitStep, Household, Member
from villages.models import AdministrativeVillage, Township

OPEN_STATES = [step.source for step in STEPS]
# The states during which a 公示 runs: after 民主评议 and after 乡镇复核.
NOTICE_STATES = [step.target for step in STEPS if step.starts_notice]


def _current_members(outer: str = "household_id") -> Subquery:
    members = (
        Member.objects.filter(household_id=OuterRef(outer), left_reason="")
        .order_by()
        .values("household_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(members, output_field=IntegerField()), 0)


def _head_id_number(outer: str = "household_id") -> Subquery:
    return Subquery(
        Member.objects.filter(household_id=OuterRef(outer), relation=Relation.HEAD, left_reason="").values(
            "id_number"
        )[:1]
    )


def _income(year_ref: str = "year", outer: str = "household_id") -> Subquery:
    return Subquery(
        Assessment.objects.filter(household_id=OuterRef(outer), year=OuterRef(year_ref)).values(
            "per_capita_net_income"
        )[:1]
    )


# -- the list ---------------------------------------------------------------------------------------


def exit_application_list(
    *,
    access: Access,
    state: str = "",
    year: int | None = None,
    village_id: int | None = None,
    my_turn: bool = False,
) -> QuerySet[ExitApplication]:
    """Applications in the user's scope, newest first. ``state`` is a state code, ``"open"`` or blank."""
    qs = access.visible(ExitApplication.objects.all())
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state:
        qs = qs.filter(state=state)
    if year:
        qs = qs.filter(year=year)
    if village_id:
        qs = qs.filter(household__village_id=village_id)
    if my_turn:
        qs = qs.filter(state__in=[step.source for step in STEPS if access.may_take_step(step)])
    return qs.select_related(
        "household__village", "household__township", "household__natural_village"
    ).order_by("-updated_at", "-id")


def exit_years(*, access: Access) -> list[int]:
    """The years that have applications in scope, for the year filter."""
    qs = access.visible(ExitApplication.objects.all())
    return list(qs.order_by("-year").values_list("year", flat=True).distinct())


@dataclass(frozen=True)
class Progress:
    """Where an application stands: its next step, whose turn it is, and its 公示."""

    step_label: str | None
    role: str | None
    role_label: str | None
    notice_open: bool
    notice_ends_on: datetime.date | None
    may_act: bool  # the signed-in user takes the next step (the access rule decides)


def exit_progress(
    application: ExitApplication, *, access: Access, on: datetime.date | None = None
) -> Progress:
    step = next_step(application)
    running = notice_open(application, on=on)
    return Progress(
        step_label=step.label if step else None,
        role=step.role if step else None,
        role_label=ROLE_LABELS[step.role] if step else None,
        notice_open=running,
        notice_ends_on=application.notice_ends_on if running else None,
        may_act=step is not None and access.may_take_step(step),
    )


# -- one application --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExitRecord:
    application: ExitApplication
    household: Household
    members: int
    head_id_number: str
    eligibility: EligibilityDecision | None  # None: no assessment for the application's year
    steps: list[ExitStep]
    objections: list[ExitObjection]
    progress: Progress


def exit_application_record(*, access: Access, pk: int) -> ExitRecord:
    """One application in scope (404 otherwise) with all a page shows about it."""
    application = access.get_or_404(
        ExitApplication.objects.select_related(
            "household__village", "household__township__county", "household__natural_village"
        ).annotate(size=_current_members(), head_id_number=_head_id_number()),
        pk=pk,
    )
    household = application.household
    steps = list(
        access.visible(ExitStep.objects.filter(application=application))
        .select_related("actor")
        .order_by("acted_at", "id")
    )
    objections = list(
        access.visible(ExitObjection.objects.filter(application=application))
        .select_related("recorded_by")
        .order_by("recorded_at", "id")
    )
    return ExitRecord(
        application=application,
        household=household,
        members=application.size,
        head_id_number=access.id_number(application.head_id_number or ""),
        # The same check the county approval makes, so the page says now what approval would say.
        eligibility=household_decision(household, application.year),
        steps=steps,
        objections=objections,
        progress=exit_progress(application, access=access),
    )


def open_application_for(*, access: Access, household_id: int) -> ExitApplication | None:
    return (
        access.visible(ExitApplication.objects.filter(household_id=household_id, state__in=OPEN_STATES))
        .order_by("-id")
        .first()
    )


def household_for_exit(*, access: Access, pk: int) -> Household:
    """One household in scope for the 申请脱贫 page, with its current member count."""
    return access.get_or_404(
        Household.objects.select_related("village", "township__county", "natural_village").annotate(
            size=_current_members("pk")
        ),
        pk=pk,
    )


# -- putting forward and approving in batches -------------------------------------------------------


def exit_candidates(*, access: Access, year: int) -> QuerySet[Household]:
    """The poor households in scope judged eligible for ``year`` and without an open application:
    the list a village puts forward (the same households ``exit_applications_create_for_village`` takes)."""
    open_application = ExitApplication.objects.filter(household_id=OuterRef("pk"), state__in=OPEN_STATES)
    return (
        access.visible(
            Household.objects.filter(status__in=POOR_STATUSES, eligible=True, eligibility_year=year)
        )
        .exclude(pk__in=open_application.values("household_id"))
        .select_related("natural_village")
        .annotate(size=_current_members("pk"), income=_income("eligibility_year", "pk"))
        .order_by("household_number")
    )


def candidate_years(*, access: Access) -> list[int]:
    qs = access.visible(Household.objects.filter(status__in=POOR_STATUSES, eligibility_year__isnull=False))
    return list(qs.order_by("-eligibility_year").values_list("eligibility_year", flat=True).distinct())


def township_choices(*, access: Access) -> QuerySet[Township]:
    return access.visible(Township.objects.all()).order_by("code", "id")


def verified_applications(*, access: Access, township_id: int) -> QuerySet[ExitApplication]:
    """A township's 乡镇复核 list awaiting 县审批, with what the county checks shown beside each."""
    return (
        access.visible(
            ExitApplication.objects.filter(
                state=ExitState.TOWNSHIP_VERIFIED, household__township_id=township_id
            )
        )
        .select_related("household__village", "household__natural_village")
        .annotate(size=_current_members(), income=_income())
        .order_by("household__village__code", "household__household_number")
    )


def households_by_id(*, access: Access, ids) -> dict[int, Household]:
    return {
        h.pk: h
        for h in access.visible(Household.objects.filter(pk__in=list(ids))).select_related(
            "village", "township", "natural_village"
        )
    }


# -- printable notices ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeRow:
    application: ExitApplication
    household: Household
    members: int
    income: object
    head_id_masked: str  # notices are public: never the whole number
    notice_starts_on: datetime.date | None


def _notice_rows(qs: QuerySet[ExitApplication]) -> list[NoticeRow]:
    started = ExitStep.objects.filter(application_id=OuterRef("pk"), state=OuterRef("state")).order_by(
        "-acted_at"
    )
    qs = qs.select_related(
        "household__village", "household__township", "household__natural_village"
    ).annotate(
        size=_current_members(),
        income=_income(),
        head_id_number=_head_id_number(),
        step_at=Subquery(started.values("acted_at")[:1]),
    )
    return [
        NoticeRow(
            application=a,
            household=a.household,
            members=a.size,
            income=a.income,
            head_id_masked=mask(a.head_id_number or ""),
            # The notice began the day its step was taken.
            notice_starts_on=timezone.localtime(a.step_at).date() if a.step_at else None,
        )
        for a in qs
    ]


def village_choices(*, access: Access) -> QuerySet[AdministrativeVillage]:
    return access.visible(AdministrativeVillage.objects.select_related("township")).order_by(
        "township__code", "township_id", "code", "id"
    )


def village_notice(
    *, access: Access, village_id: int, year: int
) -> tuple[AdministrativeVillage, list[NoticeRow]]:
    """The village 公示 list: households of the village at 民主评议 or 乡镇复核 for ``year``."""
    village = access.get_or_404(AdministrativeVillage.objects.select_related("township"), pk=village_id)
    qs = access.visible(
        ExitApplication.objects.filter(household__village_id=village.pk, year=year, state__in=NOTICE_STATES)
    ).order_by("state", "household__household_number")
    return village, _notice_rows(qs)


def county_announcement(*, access: Access, year: int, township_id: int | None = None) -> list[NoticeRow]:
    """The county 公告: households approved to exit in ``year``, by township and village."""
    qs = access.visible(ExitApplication.objects.filter(year=year, state=ExitState.COUNTY_APPROVED))
    if township_id:
        qs = qs.filter(household__township_id=township_id)
    return _notice_rows(
        qs.order_by(
            "household__township__code",
            "household__township_id",
            "household__village__code",
            "household__village_id",
            "household__household_number",
        )
    )


def announcement_years(*, access: Access) -> list[int]:
    qs = access.visible(ExitApplication.objects.filter(state=ExitState.COUNTY_APPROVED))
    return list(qs.order_by("-year").values_list("year", flat=True).distinct())


def objection_in_scope(*, access: Access, pk: int) -> ExitObjection:
    return access.get_or_404(ExitObjection.objects.select_related("application"), pk=pk)
