"""Jobs whose worker died under them are failed with a reason, not left running (core/jobs.py, core/tasks.py)."""

import datetime
import threading
import time

import pytest
from celery.exceptions import WorkerLostError
from django.db import connection, transaction
from django.utils import timezone

from core.jobs import ORPHANED, _Heartbeat, jobs_orphaned_fail, jobs_sweep_run
from core.models import Job
from core.tasks import LOST, _fail_jobs_left_by_this_node, _fail_the_job_of_a_lost_process

pytestmark = pytest.mark.django_db


def _running(worker: str) -> Job:
    return Job.objects.create(
        kind="figures", state=Job.State.RUNNING, started_at=timezone.now(), worker=worker
    )


def test_a_node_starting_again_fails_the_jobs_it_was_running_and_no_one_elses():
    mine, other = _running("worker@host-a"), _running("worker@host-b")
    done = Job.objects.create(kind="figures", state=Job.State.DONE, worker="worker@host-a")

    _fail_jobs_left_by_this_node(sender=type("Consumer", (), {"hostname": "worker@host-a"})())

    mine.refresh_from_db(), other.refresh_from_db(), done.refresh_from_db()
    assert (mine.state, mine.error) == (Job.State.FAILED, ORPHANED) and mine.finished_at
    assert other.state == Job.State.RUNNING
    assert done.state == Job.State.DONE
    assert jobs_orphaned_fail(worker="") == 0  # an eager run records no node: nothing to match


def test_a_pool_process_lost_under_a_job_fails_the_job():
    job = _running("worker@host-a")
    _fail_the_job_of_a_lost_process(exception=WorkerLostError("signal 9"), args=(job.pk,))
    job.refresh_from_db()
    assert (job.state, job.error) == (Job.State.FAILED, LOST)


def test_an_ordinary_failure_is_left_to_the_job_itself():
    job = _running("worker@host-a")
    _fail_the_job_of_a_lost_process(exception=ValueError("bad"), args=(job.pk,))
    job.refresh_from_db()
    assert job.state == Job.State.RUNNING


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="lock_timeout and SKIP LOCKED are PostgreSQL's")
def test_a_job_whose_own_transaction_holds_its_row_is_not_swept_and_beats_again_once_it_ends(caplog):
    """The job saves its progress inside its transaction: the heartbeat cannot write meanwhile, the sweeper
    must not take that for a dead worker, and the heartbeat catches up as soon as the row is free."""
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    job = _running("worker@host-a")
    Job.objects.filter(pk=job.pk).update(heartbeat_at=long_ago)
    beat = _Heartbeat(job.pk, seconds=0.2)
    swept = []
    with transaction.atomic():
        Job.objects.select_for_update().get(pk=job.pk)  # as job_progress inside the job's transaction
        beat.start()
        time.sleep(1.5)  # the heartbeat's lock_timeout has run out at least once
        sweeper = threading.Thread(target=lambda: swept.append(jobs_sweep_run()))  # a connection of its own
        sweeper.start()
        sweeper.join()
    deadline = time.monotonic() + 5
    while Job.objects.get(pk=job.pk).heartbeat_at == long_ago and time.monotonic() < deadline:
        time.sleep(0.1)
    beat.stop()

    assert swept == [0]  # the held row was skipped, not failed
    job.refresh_from_db()
    assert job.heartbeat_at > long_ago and job.state == Job.State.RUNNING
    assert "heartbeat not written" not in caplog.text  # a held row is expected, not a warning
