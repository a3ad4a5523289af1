"""Background jobs for large roster imports and exports (households/tasks.py belongs to the lead).

Tasks take ids; each run records its progress and result on the Job (poverty_tracker.jobs).
"""

import os
import tempfile

from celery import shared_task
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from households.imports import import_result, roster_import_run
from households.models import Household
from poverty_tracker.jobs import job_progress, job_running
from poverty_tracker.models import ImportRecord

# Filters a queued export may carry (the queryset itself cannot travel through the broker).
EXPORT_FILTERS = (
    "township_id",
    "village_id",
    "natural_village_id",
    "status",
    "attribute",
    "main_cause",
    "pk__in",
)


@shared_task(name="households.roster_tasks.roster_import")
def roster_import_task(job_id: int, import_id: int | None = None, dry_run: bool | None = None) -> None:
    """Check or import a large roster; idempotent: a committed import is not run again.

    ``dry_run`` travels for the record only: the ImportRecord says what to do.
    """
    with job_running(job_id) as job:
        record = ImportRecord.objects.select_related("created_by").get(
            pk=import_id or job.params["import_id"]
        )
        if record.state != ImportRecord.State.COMMITTED:
            record = roster_import_run(record=record, progress=lambda percent: job_progress(job, percent))
        job.result = import_result(record)


@shared_task(name="households.roster_tasks.households_export")
def households_export_task(job_id: int, filters: dict | None = None) -> None:
    """Export the filtered households to a file in storage; the result names it."""
    from households.exports import households_export

    with job_running(job_id) as job:
        filters = {k: v for k, v in (filters or {}).items() if k in EXPORT_FILTERS}
        name = f"exports/{timezone.now():%Y/%m}/花名册-{job.pk}.xlsx"
        # Written to a temporary file first (memory stays flat), then handed to storage.
        with tempfile.TemporaryFile() as stream:
            written = households_export(
                user=job.created_by, queryset=Household.objects.filter(**filters), stream=stream
            )
            stream.seek(0)
            path = default_storage.save(name, File(stream, name=os.path.basename(name)))
        job.result = {**written, "file": path, "name": os.path.basename(path)}
