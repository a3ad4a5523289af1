"""poverty_line_set answers the recompute job it queued; the API and the admin site pass that job on
instead of guessing it, and the admin sets, notes and deletes lines through the services."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from core.models import Job
from households import services
from households.models import PovertyLine
from tests.factories import TownshipFactory, UserFactory

pytestmark = pytest.mark.django_db


def county_admin():
    return UserFactory(role=Role.COUNTY_ADMIN, is_staff=True, is_superuser=True)


def test_setting_a_line_answers_the_line_and_its_job():
    user = county_admin()
    change = services.poverty_line_set(year=2021, amount="4100", note="省定标准", user=user)
    assert change.created and change.line.amount == Decimal("4100") and change.line.note == "省定标准"
    assert change.job == Job.objects.get()
    assert (change.job.kind, change.job.params, change.job.created_by) == (
        "eligibility_recompute",
        {"trigger": "poverty_line"},
        user,
    )
    again = services.poverty_line_set(year=2021, amount="4100", note="更正说明", user=user)
    # The same amount decides nothing anew: no job, but the note is kept.
    assert (again.created, again.job, again.line.pk) == (False, None, change.line.pk)
    assert PovertyLine.objects.get(pk=change.line.pk).note == "更正说明"
    assert Job.objects.count() == 1


def test_only_the_county_sets_or_deletes_lines_whatever_the_caller():
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=TownshipFactory())
    with pytest.raises(ValidationError, match="只有县扶贫办管理员可以设定扶贫标准"):
        services.poverty_line_set(year=2016, amount="1", user=official)
    line = PovertyLine.objects.get(year=2016, region_code="")
    with pytest.raises(ValidationError, match="只有县扶贫办管理员可以设定扶贫标准"):
        services.poverty_line_delete(line=line, user=official)
    assert PovertyLine.objects.get(pk=line.pk).amount == Decimal("2952")


def test_the_api_answers_the_job_this_change_queued_not_the_newest(monkeypatch):
    user = county_admin()
    real = services.eligibility_recompute_enqueue

    def enqueue_and_meanwhile_another(**kwargs):
        mine = real(**kwargs)
        # The same user's recompute from another tab, recorded a moment later.
        Job.objects.create(kind="eligibility_recompute", params={"trigger": "manual"}, created_by=user)
        return mine

    monkeypatch.setattr(services, "eligibility_recompute_enqueue", enqueue_and_meanwhile_another)
    client = APIClient()
    client.force_authenticate(user)
    response = client.post("/api/v1/poverty-lines/", {"year": 2021, "amount": "4100"}, format="json")
    assert response.status_code == 201, response.content
    job = Job.objects.get(pk=response.json()["job"])
    assert job.params == {"trigger": "poverty_line"}


def test_the_admin_changes_a_line_through_the_service(client):
    client.force_login(county_admin())
    line = PovertyLine.objects.get(year=2016, region_code="")
    response = client.post(
        reverse("admin:households_povertyline_change", args=[line.pk]), {"amount": "3000", "note": "调整"}
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.amount, line.note) == (Decimal("3000"), "调整")
    assert Job.objects.get().params == {"trigger": "poverty_line"}
    assert "已安排重新判定" in " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_the_admin_refuses_a_bad_amount_with_a_message_and_adds_nothing(client):
    client.force_login(county_admin())
    response = client.post(
        reverse("admin:households_povertyline_add"),
        {"year": 2009, "amount": "3000", "region_code": "", "note": ""},
    )
    assert response.status_code == 200
    assert "年度无效: 2009" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert not PovertyLine.objects.filter(year=2009).exists() and not Job.objects.exists()


def test_the_admin_deletes_a_line_through_the_service(client):
    client.force_login(county_admin())
    line = PovertyLine.objects.get(year=2020, region_code="")
    response = client.post(reverse("admin:households_povertyline_delete", args=[line.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not PovertyLine.objects.filter(pk=line.pk).exists()
    assert Job.objects.get().params == {"trigger": "poverty_line"}
