"""A Celery worker killed (SIGKILL) in the middle of the eligibility recompute and of a roster import.

The test catches each job mid-way for certain: it holds a lock on the households table (reads pass,
writes wait), so the worker's transaction has begun and written its first rows when it is killed. Then:
- the registry is exactly as before (one transaction, never committed): no half state;
- the job is still "running" until the worker starts again under its node name, which fails it with the
  reason (core.jobs.jobs_orphaned_fail; the message was taken, not acknowledged late, so it is not rerun
  by itself: the user reruns it);
- the rerun completes, and its result is that of a clean run, with no duplicate rows.
"""

import os
import signal
import time

from accounts.models import Role
from core.jobs import ORPHANED, SILENT
from core.models import ImportRecord, Job
from core.rosters.imports import roster_import, roster_import_commit
from core.tasks import LOST, jobs_sweep
from households.eligibility import eligibility_recompute
from households.models import EligibilityRun, Household, Member
from households.services import eligibility_recompute_enqueue
from tests.core.excel.helpers import fingerprint
from tests.core.excel.test_roster_service import roster
from tests.factories import AssessmentFactory, NaturalVillageFactory, UserFactory, make_household

from .conftest import FAULT_TEST, WORKER_APP, WORKER_NAME, backends, raw_connection, wait_until

pytestmark = FAULT_TEST


def _finished(job: Job, seconds: float = 45) -> Job:
    def ended():
        job.refresh_from_db()
        return job.state in (Job.State.DONE, Job.State.FAILED)

    wait_until(ended, seconds, f"job {job.pk} to end")
    return job


def _kill_mid_way(worker, start_job) -> Job:
    """Start a job with the households table locked for writes; SIGKILL the worker while its transaction
    waits; let the lock go; wait until the dead worker's database backend has gone (rolled back)."""
    holder = raw_connection()
    with holder.cursor() as cursor:
        cursor.execute("LOCK TABLE households_household IN EXCLUSIVE MODE")
        job = start_job()
        wait_until(lambda: backends(WORKER_APP, waiting=True), 30, "the job waiting inside its transaction")
        job.refresh_from_db()
        assert (job.state, job.worker) == (Job.State.RUNNING, WORKER_NAME)
        worker.kill()
    holder.rollback()
    holder.close()
    wait_until(lambda: not backends(WORKER_APP), 30, "the killed worker's database session to end")
    return job


def _restarted_fails(worker, job: Job) -> None:
    job.refresh_from_db()
    assert job.state == Job.State.RUNNING  # nothing knows yet that it died
    started = time.monotonic()
    worker.start()  # the same node name
    wait_until(lambda: Job.objects.get(pk=job.pk).state == Job.State.FAILED, 30, "the lost job failed")
    job.refresh_from_db()
    assert job.error == ORPHANED and job.finished_at
    print(
        f"\njob {job.pk} marked failed {time.monotonic() - started:.1f} s after the worker was started again"
    )


def test_a_worker_killed_mid_recompute_leaves_no_half_state_and_the_rerun_completes(worker):
    place = NaturalVillageFactory()
    for n in range(30):
        household = make_household(natural_village=place)
        # Some meet the exit conditions, some do not: the recompute changes every decision.
        AssessmentFactory(household=household, year=2016, wage_income=8000 if n % 3 else 500)
    before = fingerprint(("households_household", "households_historicalhousehold"))
    worker.start()

    killed = _kill_mid_way(worker, lambda: eligibility_recompute_enqueue(trigger="manual"))

    assert fingerprint(("households_household", "households_historicalhousehold")) == before
    assert not EligibilityRun.objects.exists()  # the run's record went with its transaction
    _restarted_fails(worker, killed)

    rerun = _finished(eligibility_recompute_enqueue(trigger="manual"))
    assert rerun.state == Job.State.DONE, rerun.error
    assert rerun.result["households_checked"] == 30 and rerun.result["decisions_changed"] == 30
    assert EligibilityRun.objects.count() == 1
    assert Household.objects.filter(eligible=True).count() == 20
    # A clean run over the rerun's result finds nothing left to change: the rerun did all of it, once.
    after = fingerprint(("households_household",))
    assert eligibility_recompute(trigger="manual").decisions_changed == 0
    assert fingerprint(("households_household",)) == after


def test_a_worker_killed_mid_import_leaves_no_half_state_and_the_commit_again_completes(worker, settings):
    place, admin = NaturalVillageFactory(), UserFactory(role=Role.COUNTY_ADMIN)
    record = roster_import(user=admin, file=roster(place, 40), dry_run=True)  # small: checked inline
    assert record.state == ImportRecord.State.CHECKED, record.errors
    expected = record.counts
    settings.ROSTER_ASYNC_ROWS = 1  # the commit goes to the worker
    before = fingerprint()
    worker.start()

    killed = _kill_mid_way(worker, lambda: roster_import_commit(user=admin, record=record).job)

    assert fingerprint() == before  # not one household, member or assessment of the file
    assert ImportRecord.objects.get(pk=record.pk).state == ImportRecord.State.UPLOADED
    _restarted_fails(worker, killed)

    record = roster_import_commit(user=admin, record=ImportRecord.objects.get(pk=record.pk))
    job = _finished(record.job)
    assert job.state == Job.State.DONE, job.error
    record.refresh_from_db()
    assert record.state == ImportRecord.State.COMMITTED
    # What a clean run of the file gives (its dry run), once: no duplicates.
    assert record.counts == expected
    assert Household.objects.count() == 40 == Household.objects.values("household_number").distinct().count()
    assert Member.objects.count() == 120 == Member.objects.values("id_number").distinct().count()


def test_a_pool_process_killed_mid_recompute_fails_its_job_at_once_and_the_worker_runs_the_rerun(
    prefork_worker,
):
    """The OOM killer takes the pool process, not the worker: the main process fails the job itself."""
    place = NaturalVillageFactory()
    for _ in range(10):
        AssessmentFactory(household=make_household(natural_village=place), year=2016)
    before = fingerprint(("households_household",))
    worker = prefork_worker.start()

    holder = raw_connection()
    with holder.cursor() as cursor:
        cursor.execute("LOCK TABLE households_household IN EXCLUSIVE MODE")
        job = eligibility_recompute_enqueue(trigger="manual")
        wait_until(lambda: backends(WORKER_APP, waiting=True), 30, "the job waiting inside its transaction")
        (pool_process,) = worker.pool_processes()
        os.kill(pool_process, signal.SIGKILL)
        wait_until(lambda: Job.objects.get(pk=job.pk).state == Job.State.FAILED, 30, "the lost job failed")
    holder.rollback()
    holder.close()

    job.refresh_from_db()
    assert job.error == LOST
    assert worker.process.poll() is None  # the worker lives on, with a new pool process
    wait_until(lambda: len(backends(WORKER_APP, waiting=True)) == 0, 30, "the lost transaction to end")
    assert fingerprint(("households_household",)) == before and not EligibilityRun.objects.exists()
    rerun = _finished(eligibility_recompute_enqueue(trigger="manual"))
    assert rerun.state == Job.State.DONE, rerun.error
    assert rerun.result["decisions_changed"] == 10 and EligibilityRun.objects.count() == 1


def test_a_worker_killed_and_never_started_again_has_its_job_failed_by_the_sweeper(worker, settings):
    """The heartbeat: written by the worker while its job waits inside its transaction; once the worker is
    gone for good, the sweeper fails the job when the heartbeat is five periods old, not after the hour
    of the task time limit."""
    place = NaturalVillageFactory()
    AssessmentFactory(household=make_household(natural_village=place), year=2016, wage_income=8000)
    worker.env["JOB_HEARTBEAT_SECONDS"] = "1"
    settings.JOB_HEARTBEAT_SECONDS = 1  # the sweeper's side: silent after 5 s
    worker.start()
    holder = raw_connection()
    with holder.cursor() as cursor:
        cursor.execute("LOCK TABLE households_household IN EXCLUSIVE MODE")
        job = eligibility_recompute_enqueue(trigger="manual")
        wait_until(lambda: backends(WORKER_APP, waiting=True), 30, "the job waiting inside its transaction")
        job.refresh_from_db()
        first = job.heartbeat_at
        assert first is not None
        wait_until(
            lambda: Job.objects.get(pk=job.pk).heartbeat_at > first, 15, "a heartbeat while the job waits"
        )
        assert jobs_sweep() == 0  # alive: nothing to sweep
        worker.kill()
    holder.rollback()
    holder.close()
    wait_until(lambda: not backends(WORKER_APP), 30, "the killed worker's database session to end")
    assert Job.objects.get(pk=job.pk).state == Job.State.RUNNING  # nothing knows yet that it died

    wait_until(lambda: jobs_sweep() == 1, 20, "the sweeper to find the silent job")

    job.refresh_from_db()
    assert (job.state, job.error) == (Job.State.FAILED, SILENT) and job.finished_at
    assert not EligibilityRun.objects.exists()  # nothing of the killed run was kept
