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

from core.excel.registry import roster_entry
from core.models import Job

PAGE, API = "page", "api"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_async_households() -> int:
    """Exports of more households than this run as a job (issue 4: over 5,000)."""
    return getattr(settings, "ROSTER_EXPORT_ASYNC_HOUSEHOLDS", 5_000)


def export_queryset(*, user, roster: str, filters: dict | None, dialect: str = PAGE) -> QuerySet | None:
    """What the exporter gets: the roster's own filtered queryset where it declares one (households: the
    list's filters); otherwise None, and the exporter exports all the user sees."""
    entry = roster_entry(roster)
    if entry.queryset is None:
        return None
    return entry.call("queryset", user=user, filters=filters or {}, dialect=dialect)


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


def access_signature(user) -> str:
    """The user's role and scope in one string: an export made under another one is not handed out."""
    return f"{user.role}|{user.township_id}|{user.village_id}|{user.cadre_id}|{user.is_active}"


def export_expired(job) -> bool:
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    return job.created_at < timezone.now() - timedelta(days=settings.EXPORT_RETENTION_DAYS)


def roster_export_start(*, user, roster: str, filters: dict | None = None, dialect: str = PAGE) -> Job:
    """A background export; the job's result names the file (downloaded through an access-checked view)."""
    from core.jobs import job_enqueue

    return job_enqueue(
        kind="roster_export",
        task="core.tasks.roster_export_task",
        params={"roster": roster, "filters": dict(filters or {}), "dialect": dialect},
        created_by=user,
    )
