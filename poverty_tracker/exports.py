"""Roster exports for pages, API and jobs: what to export (the filtered households, or a whole roster),
whether it is small enough to answer now, and starting a job when it is not.

The exporters themselves belong to their apps (registry ``exporter``); they apply the access rule and
mask ID numbers the user may not see whole. Filters travel as the plain query the user gave (the list
page's form or the API's FilterSet), so a job re-reads them with the job's user, as a request would.
"""

from __future__ import annotations

from typing import IO, Any

from django.conf import settings
from django.db.models import QuerySet

from poverty_tracker.access import Access
from poverty_tracker.excel.registry import roster_entry
from poverty_tracker.models import Job

PAGE, API = "page", "api"


def export_async_households() -> int:
    """Exports of more households than this run as a job (issue 4: over 5,000)."""
    return getattr(settings, "ROSTER_EXPORT_ASYNC_HOUSEHOLDS", 5_000)


def household_export_queryset(*, user, filters: dict, dialect: str = PAGE) -> QuerySet:
    """The households a list shows for these filters: the list page's form (``page``) or the API's
    FilterSet (``api``). Invalid filters are dropped, as the list page does."""
    from households import selectors
    from households.models import Household

    access = Access.for_user(user)
    if dialect == API:
        from households.api import HouseholdFilter

        filterset = HouseholdFilter(data=filters, queryset=access.visible(Household.objects.all()))
        return filterset.qs.order_by("household_number")
    from households.forms import HouseholdFilterForm

    form = HouseholdFilterForm(filters or None, access=access)
    cleaned = {}
    if form.is_bound:
        form.is_valid()
        cleaned = form.cleaned_data
    return selectors.household_list(access=access, filters=cleaned)


def export_queryset(*, user, roster: str, filters: dict | None, dialect: str = PAGE) -> QuerySet | None:
    """What the exporter gets: for households the filtered list; other rosters export all the user sees."""
    if roster == "households":
        return household_export_queryset(user=user, filters=filters or {}, dialect=dialect)
    return None


def is_large(queryset: QuerySet | None) -> bool:
    """More than the threshold? Counts at most threshold + 1 rows, never the whole table."""
    if queryset is None:
        return False
    limit = export_async_households()
    return queryset.order_by().values("pk")[: limit + 1].count() > limit


def roster_export(
    *, user, roster: str, filters: dict | None = None, dialect: str = PAGE, stream: IO[bytes]
) -> dict[str, Any]:
    entry = roster_entry(roster)
    queryset = export_queryset(user=user, roster=roster, filters=filters, dialect=dialect)
    return entry.call("exporter", user=user, queryset=queryset, stream=stream) or {}


def roster_export_start(*, user, roster: str, filters: dict | None = None, dialect: str = PAGE) -> Job:
    """A background export; the job's result names the file (downloaded through an access-checked view)."""
    from poverty_tracker.jobs import job_enqueue
    from poverty_tracker.tasks import roster_export_task

    return job_enqueue(
        kind="roster_export",
        task=roster_export_task,
        params={"roster": roster, "filters": dict(filters or {}), "dialect": dialect},
        created_by=user,
    )
