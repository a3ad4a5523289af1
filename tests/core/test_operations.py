"""Operations: /healthz, request ids and JSON log lines, and the request id carried into jobs."""

import json
import logging

import pytest
from django.db import OperationalError
from django.test import override_settings

from core.jobs import job_enqueue, job_running
from core.logging import JsonFormatter, request_id_var
from core.models import Job
from households.tasks import figures_refresh

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_when_database_and_broker_answer(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_healthz_names_the_broker_when_it_is_down(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["broker"]
    assert body["checks"]["database"] == "ok"
    assert "Redis" in body["message"]


def test_healthz_names_the_database_when_it_is_down(client, monkeypatch, settings):
    settings.REDIS_URL = ""

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("core.health.connection.cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["database"]
    assert "数据库" in response.json()["message"]


def test_healthz_needs_no_login_and_reveals_no_versions(client):
    body = client.get("/healthz").content.decode()
    assert "PostgreSQL" not in body and "Django" not in body


def test_every_response_carries_a_request_id_and_a_well_formed_one_is_kept(client):
    made = client.get("/accounts/login/")["X-Request-ID"]
    assert len(made) == 32
    assert (
        client.get("/accounts/login/", HTTP_X_REQUEST_ID="proxy-abc-12345")["X-Request-ID"]
        == "proxy-abc-12345"
    )
    hostile = client.get("/accounts/login/", HTTP_X_REQUEST_ID='x"\n{"level":"fake"}')["X-Request-ID"]
    assert hostile != 'x"\n{"level":"fake"}' and len(hostile) == 32


def test_a_request_logs_one_json_line_with_duration_status_and_user(client, caplog, django_user_model):
    user = django_user_model.objects.create_user(username="ops", password="x-long-pass-1", role="inspector")
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="poverty_tracker.requests"):
        response = client.get("/healthz", HTTP_X_REQUEST_ID="req-000000001")
    records = [r for r in caplog.records if r.name == "poverty_tracker.requests"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["request_id"] == response["X-Request-ID"] == "req-000000001"
    assert line["user_id"] == user.pk
    assert line["status"] == response.status_code
    assert line["path"] == "/healthz" and line["method"] == "GET"
    assert isinstance(line["duration_ms"], float)


def test_a_job_keeps_the_request_id_that_started_it_and_logs_under_it(
    caplog, django_capture_on_commit_callbacks
):
    token = request_id_var.set("req-job-00000042")
    try:
        with django_capture_on_commit_callbacks(execute=False):
            job = job_enqueue(kind="village_figures", task=figures_refresh)
    finally:
        request_id_var.reset(token)
    assert job.request_id == "req-job-00000042"
    assert request_id_var.get() == ""
    with caplog.at_level(logging.INFO, logger="poverty_tracker.jobs"), job_running(job.pk):
        pass  # what the worker does around the task's body
    lines = [
        json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "poverty_tracker.jobs"
    ]
    assert [line["request_id"] for line in lines] == ["req-job-00000042", "req-job-00000042"]
    assert Job.objects.get(pk=job.pk).state == Job.State.DONE


def test_favicon_ico_leads_to_the_pages_icon(client):
    """Anonymous, as a browser asks for it: a permanent redirect to the icon every page links, which exists."""
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
    assert finders.find("favicon.svg")
