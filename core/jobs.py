"""Background jobs with a record the user can follow (DESIGN.md §7 jobs/{id}).

A job is created in the request's transaction and its task is enqueued only after commit, taking the
job's id (tasks take ids, not objects). The task body runs inside ``job_running``, which records the
state, progress and result, and marks the job failed with the error if the body raises.
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connections, models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.logging import request_id_var
from core.models import Job

logger = logging.getLogger("poverty_tracker.jobs")

BROKER_DOWN = "后台服务不可用，请稍后重试"


def _broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError

    return (OperationalError, RedisConnectionError, ConnectionError, OSError)


BROKER_ERRORS = _broker_errors()


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
        try:
            # No publish retries: with the broker down the request answers at once, with a reason.
            runner.apply_async(args=(job.id,), kwargs=job.params, retry=False)
        except BROKER_ERRORS:
            logger.exception("job %s (%s) not enqueued: broker unreachable", job.pk, job.kind)
            job_fail(job, BROKER_DOWN)

    transaction.on_commit(send)
    return job


def job_fail(job: Job, reason: str) -> None:
    """Mark a job that did not run (or will not finish) failed with ``reason``, if it is still open."""
    job.state, job.error, job.finished_at = Job.State.FAILED, reason, timezone.now()
    Job.objects.filter(pk=job.pk, state__in=(Job.State.QUEUED, Job.State.RUNNING)).update(
        state=job.state, error=reason, finished_at=job.finished_at
    )


def jobs_stuck(now=None):
    """Jobs queued or running past the task time limit: their worker died, or their message was lost."""
    from datetime import timedelta

    from django.conf import settings

    limit = timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 3900))
    cutoff = (now or timezone.now()) - limit
    return Job.objects.filter(
        models.Q(state=Job.State.RUNNING, started_at__lt=cutoff)
        | models.Q(state=Job.State.QUEUED, created_at__lt=cutoff)
    )


STUCK = "任务超时未完成（后台服务中断），已标记为失败，请重新发起"
SILENT = "执行任务的后台进程已停止响应（长时间没有心跳），任务已标记为失败，请重新发起"


def _heartbeat_timeout():
    from datetime import timedelta

    from django.conf import settings

    return timedelta(seconds=5 * settings.JOB_HEARTBEAT_SECONDS)


def jobs_silent(now=None):
    """Running jobs whose worker stopped writing their heartbeat (killed, and never started again)."""
    cutoff = (now or timezone.now()) - _heartbeat_timeout()
    return Job.objects.filter(state=Job.State.RUNNING, heartbeat_at__lt=cutoff)


def jobs_sweep_run(now=None) -> int:
    """Fail the jobs whose worker is gone: silent ones, and any past the task time limit.

    A job's own transaction may hold its row (its progress is saved inside it); such a job is alive, and
    its row is skipped rather than waited for (SKIP LOCKED)."""
    now = now or timezone.now()
    failed = 0
    for found, reason in ((jobs_silent(now), SILENT), (jobs_stuck(now), STUCK)):
        with transaction.atomic():
            ids = list(found.select_for_update(skip_locked=True).values_list("pk", flat=True))
            # The conditions again in the update: a heartbeat written since the select keeps its job.
            failed += found.filter(pk__in=ids).update(state=Job.State.FAILED, error=reason, finished_at=now)
    if failed:
        logger.warning("%s job(s) whose worker is gone marked failed", failed)
    return failed


LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's code for a lock_timeout that ran out


class _Heartbeat(threading.Thread):
    """Writes the job's heartbeat_at every JOB_HEARTBEAT_SECONDS while the body runs, from a connection of
    its own. It never waits on the job's row: a lock held by the job's own transaction means it is alive."""

    def __init__(self, job_id: int, seconds: float) -> None:
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.job_id, self.seconds, self.stopped = job_id, seconds, threading.Event()

    def run(self) -> None:
        pause = self.seconds
        try:
            while not self.stopped.wait(pause):
                pause = self.seconds
                try:
                    with transaction.atomic(), connections["default"].cursor() as cursor:
                        cursor.execute("SET LOCAL lock_timeout = '1s'")
                        cursor.execute(
                            "UPDATE core_job SET heartbeat_at = now() WHERE id = %s AND state = 'running'",
                            [self.job_id],
                        )
                except DatabaseError as exc:
                    if getattr(exc.__cause__, "pgcode", None) == LOCK_NOT_AVAILABLE:
                        # The job's own transaction holds its row (the sweeper skips it meanwhile): try
                        # again each second, so the heartbeat is fresh as soon as that transaction ends.
                        pause = 0
                    else:
                        logger.warning("job %s heartbeat not written", self.job_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)


ORPHANED = "后台进程在任务运行中中断，任务已标记为失败，请重新发起"


def jobs_orphaned_fail(*, worker: str) -> int:
    """Fail the jobs ``worker`` was running: it is starting (again), so nothing it ran before still runs.

    A Celery node name is unique among running workers; a node killed mid-job (SIGKILL, OOM, a crash) and
    restarted under the same name thus reports its lost jobs at once instead of after the time limit
    (``jobs_stuck``, for nodes that never come back)."""
    if not worker:
        return 0
    failed = Job.objects.filter(state=Job.State.RUNNING, worker=worker).update(
        state=Job.State.FAILED, error=ORPHANED, finished_at=timezone.now()
    )
    if failed:
        logger.warning("%s job(s) left running by %s marked failed", failed, worker)
    return failed


def _worker_name() -> str:
    from celery import current_task

    request = getattr(current_task, "request", None)
    if request is None or getattr(request, "is_eager", False):
        return ""
    return getattr(request, "hostname", None) or ""


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
    from django.conf import settings

    job.state, job.started_at, job.progress, job.worker = Job.State.RUNNING, timezone.now(), 0, _worker_name()
    # Only a worker's job has a heartbeat: one run inline (no broker, make run) lives and dies with its request.
    job.heartbeat_at = job.started_at if job.worker else None
    job.save(update_fields=["state", "started_at", "progress", "worker", "heartbeat_at"])
    logger.info("job %s (%s) started", job.pk, job.kind, extra={"job_id": job.pk, "kind": job.kind})
    heartbeat = _Heartbeat(job.pk, settings.JOB_HEARTBEAT_SECONDS) if job.worker else None
    if heartbeat is not None:
        heartbeat.start()
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
    finally:
        if heartbeat is not None:
            heartbeat.stop()
    job.state, job.progress, job.finished_at = Job.State.DONE, 100, timezone.now()
    job.save(update_fields=["state", "progress", "result", "finished_at"])
    logger.info("job %s (%s) done", job.pk, job.kind, extra={"job_id": job.pk, "kind": job.kind})
