"""Jobs API (DESIGN.md §7): jobs/{id}/ and eligibility/recompute/."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Role
from core.models import Job
from households.models import EligibilityRun
from tests.clients import client_for
from tests.factories import (
    AssessmentFactory,
    CadreFactory,
    NaturalVillageFactory,
    UserFactory,
    make_household,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessed():
    """One household whose 2016 assessment has not been decided yet (written directly, not by the service)."""
    household = make_household(natural_village=NaturalVillageFactory())
    AssessmentFactory(household=household, year=2016, wage_income=8000, operating_income=0)
    return household


def test_recompute_answers_a_job_that_is_done_with_a_result(
    admin, assessed, django_capture_on_commit_callbacks
):
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/eligibility/recompute/")
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    assert response.json()["kind"] == "eligibility_recompute"

    job = client.get(f"/api/v1/jobs/{job_id}/").json()
    assert (job["state"], job["state_display"], job["progress"]) == ("done", "已完成", 100)
    assert job["result"]["households_checked"] == 1
    assert job["result"]["became_eligible"] == 1 and job["result"]["decisions_changed"] == 1
    assert job["created_by"] == admin.pk and job["error"] == ""
    assert EligibilityRun.objects.filter(pk=job["result"]["run"], job_id=job_id).exists()
    assessed.refresh_from_db()
    assert assessed.eligible is True


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_no_broker_the_answer_itself_is_done():
    """Outside a test transaction (as a request runs) the inline task has run before the view answers."""
    household = make_household(natural_village=NaturalVillageFactory())
    AssessmentFactory(household=household, year=2016, wage_income=8000, operating_income=0)
    response = client_for(UserFactory(role=Role.COUNTY_ADMIN)).post("/api/v1/eligibility/recompute/")
    assert response.status_code == 202
    body = response.json()
    assert (body["state"], body["progress"]) == ("done", 100)
    assert body["result"]["households_checked"] == 1


@pytest.mark.parametrize("role", [Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL, Role.INSPECTOR, Role.CADRE])
def test_only_county_admins_start_a_recompute(role):
    place = NaturalVillageFactory()
    scope = {
        Role.TOWNSHIP_OFFICIAL: {"township": place.village.township},
        Role.VILLAGE_OFFICIAL: {"village": place.village},
    }
    if role == Role.CADRE:
        scope[Role.CADRE] = {"cadre": CadreFactory()}
    response = client_for(UserFactory(role=role, **scope.get(role, {}))).post(
        "/api/v1/eligibility/recompute/"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "只有县扶贫办管理员可以重算脱贫条件。"
    assert Job.objects.count() == 0


def test_a_user_sees_their_own_jobs_and_others_are_404(admin):
    inspector = UserFactory(role=Role.INSPECTOR)
    other = UserFactory(role=Role.INSPECTOR)
    mine = Job.objects.create(kind="export", created_by=inspector)
    theirs = Job.objects.create(kind="export", created_by=other)
    client = client_for(inspector)
    assert client.get(f"/api/v1/jobs/{mine.pk}/").status_code == 200
    assert client.get(f"/api/v1/jobs/{theirs.pk}/").status_code == 404
    assert {r["id"] for r in client.get("/api/v1/jobs/").json()["results"]} == {mine.pk}
    # County admins follow every job.
    assert client_for(admin).get(f"/api/v1/jobs/{theirs.pk}/").status_code == 200
    assert client_for(admin).get("/api/v1/jobs/").json()["count"] == 2


def test_a_failed_job_shows_its_error_and_jobs_filter_by_state(admin):
    failed = Job.objects.create(
        kind="import", created_by=admin, state=Job.State.FAILED, error="ValueError: 坏文件"
    )
    Job.objects.create(kind="import", created_by=admin)
    client = client_for(admin)
    body = client.get(f"/api/v1/jobs/{failed.pk}/").json()
    assert (body["state"], body["state_display"], body["error"]) == ("failed", "失败", "ValueError: 坏文件")
    assert [r["id"] for r in client.get("/api/v1/jobs/?state=failed").json()["results"]] == [failed.pk]
    assert client.get("/api/v1/jobs/?state=lost").status_code == 400


def test_jobs_are_read_only(admin):
    job = Job.objects.create(kind="export", created_by=admin)
    client = client_for(admin)
    assert client.patch(f"/api/v1/jobs/{job.pk}/", {"state": "done"}).status_code == 405
    assert client.delete(f"/api/v1/jobs/{job.pk}/").status_code == 405


def test_jobs_work_with_a_token_and_not_without_one(admin):
    job = Job.objects.create(kind="export", created_by=admin)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin).key}")
    assert client.get(f"/api/v1/jobs/{job.pk}/").status_code == 200
    assert APIClient().get(f"/api/v1/jobs/{job.pk}/").status_code == 401
    assert APIClient().post("/api/v1/eligibility/recompute/").status_code == 401
