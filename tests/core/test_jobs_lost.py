"""Jobs whose worker died under them are failed with a reason, not left running (core/jobs.py, core/tasks.py)."""

import pytest
from celery.exceptions import WorkerLostError
from django.utils import timezone

from core.jobs import ORPHANED, jobs_orphaned_fail
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
