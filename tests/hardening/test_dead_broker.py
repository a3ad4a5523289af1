"""Issue 11, finding 6: a dead broker fails the job with a reason; a sweeper ends jobs stuck past their limit."""

import datetime
import time

import pytest
from django.utils import timezone

from core.jobs import BROKER_DOWN, job_enqueue
from core.models import Job
from poverty_tracker.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_broker():
    """A real, unreachable broker (nothing listens on port 1)."""
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = "redis://127.0.0.1:1/0", False
    _forget_connections()
    yield
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
    _forget_connections()


def _forget_connections() -> None:
    """Connections and producers are pooled per app: a test before this one may have opened them."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_a_failed_enqueue_marks_the_job_failed_with_the_reason(
    dead_broker, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(kind="figures", task="households.tasks.figures_refresh")
    assert time.monotonic() - started < 15  # fails fast, not after endless retries
    assert job.state == Job.State.FAILED and job.error == BROKER_DOWN == "后台服务不可用，请稍后重试"
    stored = Job.objects.get(pk=job.pk)
    assert (stored.state, stored.error) == (Job.State.FAILED, BROKER_DOWN) and stored.finished_at


def test_the_sweeper_fails_jobs_stuck_past_their_time_limit(settings):
    from core.tasks import jobs_sweep

    limit = settings.CELERY_TASK_TIME_LIMIT
    long_ago = timezone.now() - datetime.timedelta(seconds=limit + 60)
    stuck = Job.objects.create(kind="figures", state=Job.State.RUNNING, started_at=long_ago)
    lost = Job.objects.create(kind="figures", state=Job.State.QUEUED)
    Job.objects.filter(pk=lost.pk).update(created_at=long_ago)
    fresh = Job.objects.create(kind="figures", state=Job.State.RUNNING, started_at=timezone.now())
    jobs_sweep()
    assert Job.objects.get(pk=stuck.pk).state == Job.State.FAILED
    assert Job.objects.get(pk=lost.pk).state == Job.State.FAILED
    assert "超时" in Job.objects.get(pk=stuck.pk).error
    assert Job.objects.get(pk=fresh.pk).state == Job.State.RUNNING
    assert "jobs-sweep" in celery_app.conf.beat_schedule


def test_the_sweeper_fails_running_jobs_whose_heartbeat_stopped_and_no_other(settings):
    from core.jobs import SILENT
    from core.tasks import jobs_sweep

    settings.JOB_HEARTBEAT_SECONDS = 30  # silent after 150 s
    now = timezone.now()
    old = now - datetime.timedelta(seconds=151)
    running = {"kind": "figures", "state": Job.State.RUNNING, "worker": "celery@a"}
    silent = Job.objects.create(**running, started_at=old, heartbeat_at=old)
    alive = Job.objects.create(**running, started_at=old, heartbeat_at=now - datetime.timedelta(seconds=20))
    inline = Job.objects.create(kind="figures", state=Job.State.RUNNING, started_at=old)  # no heartbeat

    assert jobs_sweep() == 1

    silent.refresh_from_db()
    assert (silent.state, silent.error) == (Job.State.FAILED, SILENT) and silent.finished_at
    assert Job.objects.get(pk=alive.pk).state == Job.State.RUNNING
    assert Job.objects.get(pk=inline.pk).state == Job.State.RUNNING
    assert celery_app.conf.beat_schedule["jobs-sweep"]["schedule"].minute == set(range(0, 60, 2))


def test_an_import_whose_commit_did_not_start_can_be_committed_again(dead_broker, settings, place_and_admin):
    """With the broker down the commit's job fails before it starts; once it is back, the commit is retried."""
    from core.models import ImportRecord
    from core.rosters.imports import roster_import, roster_import_commit
    from households.models import Household
    from tests.core.excel.test_roster_service import roster

    place, admin = place_and_admin
    celery_app.conf.task_always_eager = True
    record = roster_import(user=admin, file=roster(place, 2), dry_run=True)
    assert record.state == ImportRecord.State.CHECKED
    settings.ROSTER_ASYNC_ROWS = 1  # the commit goes to a job
    celery_app.conf.task_always_eager = False

    record = _commit_on_commit(roster_import_commit, admin, record)
    assert record.job.state == Job.State.FAILED and record.job.error == BROKER_DOWN
    assert Household.objects.count() == 0  # nothing half-done
    celery_app.conf.task_always_eager = True  # the broker is back
    record = _commit_on_commit(roster_import_commit, admin, ImportRecord.objects.get(pk=record.pk))
    record.refresh_from_db()
    assert record.state == ImportRecord.State.COMMITTED and Household.objects.count() == 2


def _commit_on_commit(commit, user, record):
    from django.db import connection

    result = commit(user=user, record=record)
    for _, callback, _ in list(connection.run_on_commit):  # what the commit queued, as after a real commit
        callback()
    connection.run_on_commit.clear()
    return result


@pytest.fixture
def place_and_admin():
    from accounts.models import Role
    from tests.factories import NaturalVillageFactory, UserFactory

    return NaturalVillageFactory(), UserFactory(role=Role.COUNTY_ADMIN)


def test_a_poverty_line_saved_with_the_broker_down_says_the_recompute_did_not_start(
    dead_broker, client, django_capture_on_commit_callbacks
):
    from django.contrib.messages import get_messages

    from accounts.models import Role
    from households.models import PovertyLine
    from tests.factories import UserFactory

    admin = UserFactory(role=Role.COUNTY_ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/households/povertyline/add/",
            {"year": 2031, "amount": "4000", "region_code": "", "note": ""},
        )
    assert PovertyLine.objects.filter(year=2031).exists()  # the line is kept
    job = Job.objects.get(kind="eligibility_recompute")
    assert (job.state, job.error) == (Job.State.FAILED, BROKER_DOWN)
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "重新计算没有启动" in said and BROKER_DOWN in said


# Transactional: as in a served request (autocommit), the job is enqueued before the view answers.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_started_through_the_api_with_the_broker_down_answers_503_in_chinese(dead_broker, client):
    """Issue 11: not a 500; the job is recorded as failed with the reason, and nothing else is written."""
    from accounts.models import Role
    from households.models import EligibilityRun
    from tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    response = client.post("/api/v1/eligibility/recompute/")
    assert response.status_code == 503
    body = response.json()
    assert body["detail"] == BROKER_DOWN
    job = Job.objects.get(pk=body["job"]["id"])
    assert (job.state, job.error, job.kind) == (Job.State.FAILED, BROKER_DOWN, "eligibility_recompute")
    assert body["job"]["state"] == "failed"
    assert not EligibilityRun.objects.exists()

    what_if = client.post(
        "/api/v1/what-if/",
        {"kind": "poverty_line", "year": 2016, "amount": "2930"},
        content_type="application/json",
    )
    assert what_if.status_code == 503 and what_if.json()["detail"] == BROKER_DOWN
    assert Job.objects.get(pk=what_if.json()["job"]["id"]).state == Job.State.FAILED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_import_committed_through_the_api_with_the_broker_down_answers_503_and_can_be_committed_again(
    dead_broker, client, settings, place_and_admin
):
    from core.models import ImportRecord
    from core.rosters.imports import roster_import
    from households.models import Household
    from tests.core.excel.test_roster_service import roster

    place, admin = place_and_admin
    celery_app.conf.task_always_eager = True
    record = roster_import(user=admin, file=roster(place, 2), dry_run=True)
    settings.ROSTER_ASYNC_ROWS = 1  # the commit goes to a job
    celery_app.conf.task_always_eager = False
    client.force_login(admin)

    response = client.post(f"/api/v1/imports/{record.pk}/commit/")
    assert response.status_code == 503 and response.json()["detail"] == BROKER_DOWN
    assert Household.objects.count() == 0
    celery_app.conf.task_always_eager = True  # the broker is back
    response = client.post(f"/api/v1/imports/{record.pk}/commit/")
    assert response.status_code in (200, 202), response.json()
    record.refresh_from_db()
    assert record.state == ImportRecord.State.COMMITTED and Household.objects.count() == 2


def test_the_recompute_that_did_not_start_is_run_again_from_the_runs_page(
    dead_broker, client, django_capture_on_commit_callbacks
):
    """重新计算: with the broker down the page says so and no run is written; once it is back, the same
    button runs the recompute."""
    from django.contrib.messages import get_messages
    from django.urls import reverse

    from accounts.models import Role
    from households.models import EligibilityRun
    from tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    assert "重新计算" in client.get(reverse("households:eligibility-runs")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("households:eligibility-recompute"))
    assert response.status_code == 302
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "重新计算未能开始" in said and BROKER_DOWN in said
    assert not EligibilityRun.objects.exists()

    celery_app.conf.task_always_eager = True  # the broker is back
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("households:eligibility-recompute"))
    assert EligibilityRun.objects.count() == 1
    assert Job.objects.filter(kind="eligibility_recompute", state=Job.State.DONE).count() == 1


def test_only_the_county_admin_may_start_the_recompute(client):
    from django.urls import reverse

    from accounts.models import Role
    from tests.factories import TownshipFactory, UserFactory

    client.force_login(UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=TownshipFactory()))
    assert "重新计算" not in client.get(reverse("households:eligibility-runs")).content.decode()
    assert client.post(reverse("households:eligibility-recompute")).status_code == 403
    assert not Job.objects.filter(kind="eligibility_recompute").exists()
