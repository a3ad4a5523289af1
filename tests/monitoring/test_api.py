"""API: monitoring-objects/ (+ advance, 409 on a stale step), monitoring-lines/, quality-issues/."""

import pytest

from households import choices as hh
from households.models import Household
from monitoring.choices import FoundBy
from monitoring.models import MonitoringLine, QualityIssue
from monitoring.quality import quality_run
from monitoring.services import candidate_raise
from tests.clients import client_for
from tests.factories import NaturalVillageFactory, UserFactory, make_household

pytestmark = pytest.mark.django_db


def exited(place):
    household = make_household(natural_village=place)
    Household.objects.filter(pk=household.pk).update(status=hh.Status.EXITED, exit_year=2019)
    household.refresh_from_db()
    return household


def test_raise_and_advance_with_a_stale_step(place, people):
    household = exited(place)
    api = client_for(people["village"])
    answer = api.post(
        "/api/v1/monitoring-objects/",
        {"household": household.pk, "risk_types": ["因病"], "found_by": "visit", "reason": "户主住院"},
        format="json",
    )
    assert answer.status_code == 201, answer.data
    assert answer.data["kind_display"] == "脱贫不稳定户" and answer.data["next_step"] == "村级核实"
    url = f"/api/v1/monitoring-objects/{answer.data['id']}/advance/"
    ok = api.post(
        url, {"decision": "approve", "comment": "已入户核实", "expected_state": "found"}, format="json"
    )
    assert ok.status_code == 200 and ok.data["state"] == "village_checked"
    stale = client_for(people["township"]).post(
        url, {"decision": "approve", "expected_state": "found"}, format="json"
    )
    assert stale.status_code == 409
    wrong_role = api.post(url, {"decision": "approve"}, format="json")
    assert wrong_role.status_code == 400 and "乡镇审核" in str(wrong_role.data)


def test_out_of_scope_objects_are_404(place, people):
    obj = candidate_raise(household=exited(place), risk_types=["因灾"], found_by=FoundBy.DECLARED, reason="x")
    other = UserFactory(role="village_official", village=NaturalVillageFactory().village)
    assert client_for(other).get(f"/api/v1/monitoring-objects/{obj.pk}/").status_code == 404
    assert client_for(other).get("/api/v1/monitoring-objects/").data["count"] == 0
    assert client_for(people["inspector"]).get("/api/v1/monitoring-objects/").data["count"] == 1


def test_monitoring_lines_are_set_by_the_county_admin(people):
    body = {"province_code": "530000", "year": 2025, "income_line": "7500", "stable_months": 6}
    assert (
        client_for(people["township"]).post("/api/v1/monitoring-lines/", body, format="json").status_code
        == 403
    )
    answer = client_for(people["county"]).post("/api/v1/monitoring-lines/", body, format="json")
    assert (
        answer.status_code == 201
        and MonitoringLine.objects.get(province_code="530000", year=2025).income_line == 7500
    )
    bad = client_for(people["county"]).post(
        "/api/v1/monitoring-lines/", {**body, "province_code": "53"}, format="json"
    )
    assert bad.status_code == 400 and "province_code" in bad.data


def test_quality_issues_are_listed_and_marked_correct(place, people):
    household = make_household(natural_village=place, identified_year=2016)
    Household.objects.filter(pk=household.pk).update(status=hh.Status.EXITED, exit_year=2015)
    quality_run()
    api = client_for(people["village"])
    listed = api.get("/api/v1/quality-issues/?open=true").data
    assert listed["count"] == 1 and listed["results"][0]["rule_name"] == "脱贫年度早于识别年度"
    issue = QualityIssue.objects.get()
    url = f"/api/v1/quality-issues/{issue.pk}/mark-correct/"
    assert api.post(url, {}, format="json").status_code == 400
    assert api.post(url, {"note": "档案核对无误"}, format="json").status_code == 200
    assert api.get("/api/v1/quality-issues/?open=true").data["count"] == 0


def test_the_schema_names_the_monitoring_endpoints(people):
    schema = client_for(people["county"]).get("/api/schema/")
    text = schema.content.decode()
    for path in ("/api/v1/monitoring-objects/", "/api/v1/monitoring-lines/", "/api/v1/quality-issues/"):
        assert path in text
