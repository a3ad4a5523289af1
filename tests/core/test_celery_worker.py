"""A task sent through a real Celery worker and the real Redis broker (REDIS_URL)."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker

from core.jobs import job_enqueue
from core.models import Job
from households import choices
from households.tasks import figures_refresh
from poverty_tracker.celery import app as celery_app
from tests.factories import NaturalVillageFactory, make_household, member_data
from villages.models import VillageFigures

pytestmark = [
    pytest.mark.celery_worker,
    # serialized_rollback: the flush after a transactional test would also remove the reference data
    # that migrations seed (poverty lines, exit indicators); this restores it.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI sets it)"),
]


@pytest.fixture
def worker():
    assert not celery_app.conf.task_always_eager, "REDIS_URL is set, so tasks must go through the broker"
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as w:
        yield w


def wait_for(job: Job, seconds: float = 30) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state in (Job.State.DONE, Job.State.FAILED):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job.pk} still {job.state} after {seconds}s")


def test_figures_refresh_runs_in_the_worker_and_records_its_result(worker):
    natural_village = NaturalVillageFactory()
    make_household(natural_village=natural_village)  # 2 persons, poor
    exited = make_household(
        natural_village=natural_village,
        members=[member_data(name="王大"), member_data(choices.Relation.SON, name="王小")],
        status=choices.Status.EXITED,
        exit_year=2016,
    )
    assert exited.status == "exited"

    job = job_enqueue(kind="village_figures", task=figures_refresh)
    job = wait_for(job)

    assert job.state == Job.State.DONE, job.error
    assert job.progress == 100
    assert job.result == {"villages": 1}
    figures = VillageFigures.objects.get(village=natural_village.village)
    assert (figures.households, figures.persons) == (2, 4)
    assert (figures.poor_households, figures.poor_persons) == (1, 2)
    assert (figures.exited_households, figures.exited_persons) == (1, 2)
