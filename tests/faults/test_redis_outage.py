"""Redis (the broker and the shared cache) stopped and started under a running web tier.

A private redis-server on a free port (never the shared one); gunicorn's two processes use it for Celery
and for the cache. With it stopped, pages and API reads answer 200 (the throttles miss the cache), a job
start is refused with the reason (API 503 in Chinese, a page message), the refused job is recorded as
failed and nothing else is written; writes that need no job still land. Started again, a job start works.
"""

import pytest
from django.db.models import Count

from accounts.models import Role
from core.jobs import BROKER_DOWN
from core.models import Job
from households.models import EligibilityRun, ExitApplication
from tests.core.excel.helpers import fingerprint
from tests.factories import AssessmentFactory, NaturalVillageFactory, UserFactory, make_household

from .conftest import FAULT_TEST, Web

pytestmark = FAULT_TEST


@pytest.fixture
def web_on_private_redis(private_redis):
    server = Web(redis_url=private_redis.url, ROSTER_EXPORT_ASYNC_HOUSEHOLDS="0").start()
    yield server
    server.stop()


def test_with_redis_stopped_reads_work_job_starts_are_refused_and_nothing_is_lost(
    private_redis, web_on_private_redis
):
    web = web_on_private_redis
    place = NaturalVillageFactory()
    household = make_household(natural_village=place)
    AssessmentFactory(household=household, year=2016)
    admin = UserFactory(role=Role.COUNTY_ADMIN)
    clerk = UserFactory(role=Role.VILLAGE_OFFICIAL, village=place.village)
    api, page, clerk_api = web.api_for(admin), web.session_for(admin), web.api_for(clerk)
    assert api.get(f"{web.url}/api/v1/households/", timeout=30).status_code == 200

    private_redis.stop()

    for _ in range(3):  # more requests than processes: each process finds the cache gone
        assert api.get(f"{web.url}/api/v1/households/", timeout=30).status_code == 200
        assert api.get(f"{web.url}/api/v1/households/{household.pk}/", timeout=30).status_code == 200
        assert page.get(f"{web.url}/households/", timeout=30).status_code == 200
        assert page.get(f"{web.url}/", timeout=30).status_code == 200
    health = api.get(f"{web.url}/healthz", timeout=30)
    assert health.status_code == 503 and health.json()["down"] == ["broker"]

    before = fingerprint()
    refused = api.post(f"{web.url}/api/v1/eligibility/recompute/", timeout=30)
    assert refused.status_code == 503, refused.text
    assert refused.json()["detail"] == BROKER_DOWN
    job = Job.objects.get(pk=refused.json()["job"]["id"])
    assert (job.state, job.error) == (Job.State.FAILED, BROKER_DOWN)
    export = page.get(f"{web.url}/rosters/households/export/", timeout=30)  # a job started from a page
    assert export.status_code == 200 and "导出没有开始：" + BROKER_DOWN in export.text
    assert Job.objects.get(kind="roster_export").state == Job.State.FAILED
    assert fingerprint() == before and not EligibilityRun.objects.exists()  # nothing half-written

    # A write that starts no job is not lost.
    created = clerk_api.post(
        f"{web.url}/api/v1/exit-applications/", json={"household": household.pk, "year": 2016}, timeout=30
    )
    assert created.status_code == 201, created.text
    assert ExitApplication.objects.filter(household=household).count() == 1

    private_redis.start()  # the same port, empty

    started = api.post(f"{web.url}/api/v1/eligibility/recompute/", timeout=30)
    assert started.status_code == 202, started.text
    assert Job.objects.get(pk=started.json()["id"]).state == Job.State.QUEUED
    assert private_redis.queued() == 1  # the task is on the broker, for a worker to run
    states = dict(Job.objects.values_list("state").annotate(n=Count("id")))
    assert states == {Job.State.FAILED: 2, Job.State.QUEUED: 1}
    assert api.get(f"{web.url}/healthz", timeout=30).status_code == 200
