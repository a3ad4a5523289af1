"""Issue 11 (privacy and audit): exports and file downloads are recorded; export files expire and their
download re-checks the user's access."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts import services as accounts
from accounts.models import Role
from core.models import AccessLog, ImportRecord, Job
from core.tasks import export_sweep
from tests.factories import UserFactory, make_household

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_an_export_is_recorded_with_who_what_and_rows(client, place):
    make_household(natural_village=place, household_number="A001")
    user = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=place.village.township)
    client.force_login(user)
    response = client.get(
        reverse("rosters:export", args=["households"]), {"township": place.village.township_id}
    )
    _body(response)
    entry = AccessLog.objects.get()
    assert (entry.user, entry.kind, entry.rows) == (user, AccessLog.Kind.EXPORT, 1)
    assert "township=" in entry.what


def _large_export(client, place, settings, capture):
    settings.ROSTER_EXPORT_ASYNC_HOUSEHOLDS = 1
    for n in range(2):
        make_household(natural_village=place, household_number=f"A00{n}")
    with capture(execute=True):
        client.get(reverse("rosters:export", args=["households"]))
    return Job.objects.get(kind="roster_export")


def test_a_job_export_download_is_recorded(client, place, settings, django_capture_on_commit_callbacks):
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    job = _large_export(client, place, settings, django_capture_on_commit_callbacks)
    assert client.get(reverse("rosters:export-download", args=[job.pk])).status_code == 200
    assert AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT).count() == 1


def test_an_export_is_refused_after_the_role_changed(
    client, place, settings, django_capture_on_commit_callbacks
):
    boss = UserFactory(role=Role.COUNTY_ADMIN)
    user = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=place.village.township)
    client.force_login(user)
    job = _large_export(client, place, settings, django_capture_on_commit_callbacks)
    download = reverse("rosters:export-download", args=[job.pk])
    assert client.get(download).status_code == 200
    accounts.account_update(account=user, by=boss, role=Role.INSPECTOR, township=None)
    assert client.get(download).status_code == 302  # the old session ended with the role
    user.refresh_from_db()
    client.force_login(user)
    assert client.get(download).status_code == 403


def test_export_files_expire(client, place, settings, django_capture_on_commit_callbacks):
    settings.EXPORT_RETENTION_DAYS = 3
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    job = _large_export(client, place, settings, django_capture_on_commit_callbacks)
    download = reverse("rosters:export-download", args=[job.pk])
    assert export_sweep() == 0 and client.get(download).status_code == 200
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=4))
    assert client.get(download).status_code == 404  # refused at once, before the sweeper ran
    assert export_sweep() == 1
    job.refresh_from_db()
    assert job.result["expired"] and job.result["file"] is None


def test_downloads_of_import_and_error_files_are_recorded(client, place):
    clerk = UserFactory(role=Role.VILLAGE_OFFICIAL, village=place.village)
    record = ImportRecord.objects.create(roster="households", original_name="名单.xlsx", created_by=clerk)
    record.file.save("x.xlsx", ContentFile(b"PK-not-really"))
    record.error_file.save("x-errors.xlsx", ContentFile(b"PK-not-really"))
    client.force_login(clerk)
    assert client.get(reverse("rosters:import-file", args=[record.pk])).status_code == 200
    assert client.get(reverse("rosters:import-errors", args=[record.pk])).status_code == 200
    kinds = sorted(AccessLog.objects.filter(user=clerk).values_list("kind", flat=True))
    assert kinds == [AccessLog.Kind.ERROR_FILE, AccessLog.Kind.IMPORT_FILE]
