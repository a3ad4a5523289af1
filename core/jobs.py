"""Background jobs with a record the user can follow (DESIGN.md §7 jobs/{id}).

A job is created in the request's transaction and its task is enqueued only after commit, taking the
job's id (tasks take ids, not objects). The task body runs inside ``job_running``, which records the
state, progress and result, and marks the job failed with the error if the body raises.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.logging import request_id_var
from core.models import Job

logger = logging.getLogger("poverty_tracker.jobs")


def job_enqueue(*, kind: str, task, params: dict | None = None, created_by=None) -> Job:
    """Record a job and queue its task once the transaction commits.

    ``task`` is a Celery task or the dotted path to one ("households.tasks.eligibility_recompute_task"):
    by path, the service that starts a job need not import the tasks module that calls it back, so the
    two never import each other (README: How it is built).
    """
    job = Job.objects.create(
        kind=kind, params=params or {}, created_by=created_by, request_id=request_id_var.get()
    )

    def send() -> None:
        runner = import_string(task) if isinstance(task, str) else task
        runner.delay(job.id, **job.params)

    transaction.on_commit(send)
    return job


def job_progress(job: Job, percent: int) -> None:
    job.progress = max(0, min(100, int(percent)))
    job.save(update_fields=["progress"])


@contextmanager
def job_running(job_id: int | None) -> Iterator[Job | None]:
    """Run a job body; with no id (a scheduled run) the body runs without a record."""
    if job_id is None:
        yield None
        return
    job = Job.objects.get(pk=job_id)
    # The worker's log lines carry the id of the request that started the job.
    token = request_id_var.set(job.request_id or request_id_var.get())
    try:
        with _recording(job):
            yield job
    finally:
        request_id_var.reset(token)


@contextmanager
def _recording(job: Job) -> Iterator[Job]:
    job.state, job.started_at, job.progress = Job.State.RUNNING, timezone.now(), 0
    job.save(update_fields=["state", "started_at", "progress"])
    logger.info("job %s (%s) started", job.pk, job.kind, extra={"job_id": job.pk, "kind": job.kind})
    try:
        yield job
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind, extra={"job_id": job.pk, "kind": job.kind})
        job.state, job.error, job.finished_at = (
            Job.State.FAILED,
            f"{exc.__class__.__name__}: {exc}",
            timezone.now(),
        )
        job.save(update_fields=["state", "error", "finished_at"])
        raise
    job.state, job.progress, job.finished_at = Job.State.DONE, 100, timezone.now()
    job.save(update_fields=["state", "progress", "result", "finished_at"])
    logger.info("job %s (%s) done", job.pk, job.kind, extra={"job_id": job.pk, "kind": job.kind})
