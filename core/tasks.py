"""Background jobs for large roster imports and exports, for every roster of the registry.

Tasks take ids (and plain filters); each run records its progress and result on the Job
(core.jobs), and re-reads the world itself: a committed import is not run again.
"""

import os
import tempfile

from celery import shared_task
from celery.exceptions import TimeLimitExceeded, WorkerLostError
from celery.signals import task_failure, worker_ready
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from core.jobs import job_fail, job_progress, job_running, jobs_orphaned_fail
from core.models import ImportRecord, Job
from core.rosters.exports import access_signature, roster_export
from core.rosters.imports import import_result, roster_import_run


@shared_task(name="core.tasks.roster_import")
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


@shared_task(name="core.tasks.roster_export")
def roster_export_task(
    job_id: int, roster: str = "households", filters: dict | None = None, dialect: str = "page"
) -> None:
    """Export a roster (for households: the list's filters, as the page or the API gave them) to a file in
    storage; the result names it. The user's access is applied again here, as in a request."""
    with job_running(job_id) as job:
        name = f"exports/{timezone.now():%Y/%m}/{roster}-{job.pk}.xlsx"
        # Written to a temporary file first (memory stays flat), then handed to storage.
        with tempfile.TemporaryFile() as stream:
            written = roster_export(
                user=job.created_by, roster=roster, filters=filters or {}, dialect=dialect, stream=stream
            )
            job_progress(job, 90)
            stream.seek(0)
            path = default_storage.save(name, File(stream, name=os.path.basename(name)))
        job.result = {
            **written,
            "file": path,
            "name": os.path.basename(path),
            "access": access_signature(job.created_by),  # checked again at download
        }


@shared_task(name="core.tasks.export_sweep")
def export_sweep() -> int:
    """Delete export files older than EXPORT_RETENTION_DAYS (nightly); their jobs say the file expired."""
    from core.models import Job
    from core.rosters.exports import export_expired

    removed = 0
    for job in Job.objects.filter(kind="roster_export", state=Job.State.DONE).exclude(result__file=None):
        path = (job.result or {}).get("file")
        if not path or not export_expired(job):
            continue
        if default_storage.exists(path):
            default_storage.delete(path)
        job.result = {**job.result, "file": None, "expired": True}
        job.save(update_fields=["result"])
        removed += 1
    return removed


@shared_task(name="core.tasks.jobs_sweep")
def jobs_sweep() -> int:
    """Mark failed the jobs whose worker is gone (no heartbeat) or that are past their time limit (a lost
    message); scheduled every two minutes."""
    from core.jobs import jobs_sweep_run

    return jobs_sweep_run()


LOST = "执行任务的后台进程意外退出（内存不足或超时被终止），任务已标记为失败，请重新发起"


@worker_ready.connect
def _fail_jobs_left_by_this_node(sender=None, **kwargs) -> None:
    """A worker (re)starting under its node name: the jobs it was running when it died are failed now."""
    jobs_orphaned_fail(worker=getattr(sender, "hostname", "") or "")


@task_failure.connect
def _fail_the_job_of_a_lost_process(sender=None, exception=None, args=None, **kwargs) -> None:
    """A pool process killed under a task (OOM, the hard time limit): its ``job_running`` never got to record
    the failure, so the worker's main process does. Tasks take the job id first."""
    if isinstance(exception, WorkerLostError | TimeLimitExceeded) and args and isinstance(args[0], int):
        job_fail(Job(pk=args[0]), LOST)
