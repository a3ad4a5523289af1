"""Uploads in an S3-compatible bucket (MEDIA_S3_BUCKET): the settings' own storage, against a real S3 API.

The bucket is moto's S3 server on a loopback port (an outside service, stood in for over real HTTP):
django-storages and boto3 do their real requests. The storage is the one poverty_tracker/settings.py
builds from the environment, reloaded with the MEDIA_S3_* variables set.
"""

import datetime
import importlib
import io
import socket
import urllib.request
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from accounts.models import Role
from core.models import ImportRecord
from core.rosters.imports import roster_import, roster_import_commit
from households.models import Household
from households.roster_io import households_export
from tests.clients import client_for
from tests.factories import CadreFactory, NaturalVillageFactory, PairingFactory, UserFactory, make_household

pytestmark = pytest.mark.django_db

BUCKET = "poverty-media"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def bucket(settings, monkeypatch):
    """The S3 server, an empty bucket, and STORAGES as the settings module builds it for that bucket."""
    boto3 = pytest.importorskip("boto3")
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # moto keeps its buckets per Python process: start each test from none.
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).close()
    for name, value in {
        "MEDIA_S3_BUCKET": BUCKET,
        "MEDIA_S3_ENDPOINT_URL": endpoint,
        "MEDIA_S3_REGION": "us-east-1",
        "MEDIA_S3_ACCESS_KEY": "test-key",
        "MEDIA_S3_SECRET_KEY": "test-secret",
        "MEDIA_S3_PREFIX": "county",
        "MEDIA_S3_ADDRESSING_STYLE": "path",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )
    client.create_bucket(Bucket=BUCKET)
    import poverty_tracker.settings as project_settings

    built = importlib.reload(project_settings).STORAGES["default"]
    settings.STORAGES = {**settings.STORAGES, "default": built}
    yield client
    server.stop()
    monkeypatch.undo()
    importlib.reload(project_settings)


def _keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_the_settings_build_a_private_s3_storage_from_the_environment(bucket, settings):
    default = settings.STORAGES["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == BUCKET
    assert default["OPTIONS"]["default_acl"] == "private"
    assert default["OPTIONS"]["file_overwrite"] is False


def test_a_roster_is_kept_checked_and_imported_from_the_bucket(bucket):
    official = UserFactory(role=Role.COUNTY_ADMIN)
    household = make_household(natural_village=NaturalVillageFactory(), household_number="S3001")
    roster = io.BytesIO()
    households_export(user=official, queryset=Household.objects.all(), stream=roster)
    roster.seek(0)
    roster.name = "花名册.xlsx"

    checked = roster_import(user=official, file=roster, dry_run=True)

    assert checked.state == ImportRecord.State.CHECKED, checked.errors
    stored = _keys(bucket)
    assert stored == [f"county/{checked.file.name}"], stored
    body = bucket.get_object(Bucket=BUCKET, Key=stored[0])["Body"].read()
    assert body == roster.getvalue()

    committed = roster_import_commit(user=official, record=checked)  # read back from the bucket

    assert committed.state == ImportRecord.State.COMMITTED, committed.errors
    assert committed.counts["unchanged"] > 0 and committed.counts["created"] == 0
    assert Household.objects.get().pk == household.pk


def test_a_refused_roster_is_kept_in_the_bucket_and_downloads_back(bucket, client):
    official = UserFactory(role=Role.COUNTY_ADMIN)
    broken = io.BytesIO(b"not a workbook at all")
    broken.name = "坏文件.xlsx"

    record = roster_import(user=official, file=broken, dry_run=True)

    assert record.state == ImportRecord.State.FAILED
    assert _keys(bucket) == [f"county/{record.file.name}"]
    client.force_login(official)
    answer = client.get(f"/rosters/imports/{record.pk}/file/")
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == b"not a workbook at all"


def test_a_revisit_photo_is_stored_in_the_bucket_and_streamed_only_through_the_checked_view(bucket, client):
    from PIL import Image

    household = make_household(natural_village=NaturalVillageFactory())
    cadre = CadreFactory()
    PairingFactory(cadre=cadre, household=household, started_on=datetime.date(2016, 1, 5))
    user = UserFactory(role=Role.CADRE, cadre=cadre)
    jpeg = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(jpeg, "JPEG")
    sent = {
        "household": household.pk,
        "visited_on": "2016-03-01",
        "kind": "home",
        "situation": "家中三人在家",
        "client_uuid": str(uuid.uuid4()),
        "photos": [SimpleUploadedFile("a.jpg", jpeg.getvalue())],
    }

    response = client_for(user).post("/api/v1/revisits/", sent, format="multipart")

    assert response.status_code == 201, response.content
    url = response.json()["photos"][0]["url"]
    keys = _keys(bucket)
    assert len(keys) == 1 and keys[0].startswith("county/revisits/")
    client.force_login(user)
    photo = client.get(url)
    assert photo.status_code == 200
    assert b"".join(photo.streaming_content) == bucket.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read()
    client.force_login(UserFactory(role=Role.CADRE, cadre=CadreFactory()))  # not paired with the household
    assert client.get(url).status_code == 404


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump / pg_restore need PostgreSQL")
def test_backup_and_restore_carry_the_buckets_objects(bucket, tmp_path):
    from core.backup import backup_create, backup_restore

    official = UserFactory(role=Role.COUNTY_ADMIN)
    for name, content in (("花名册.xlsx", b"PK\x03\x04 roster"), ("另一份.xlsx", b"PK\x03\x04 other")):
        upload = io.BytesIO(content)
        upload.name = name
        roster_import(user=official, file=upload, dry_run=True)  # refused (not a workbook), but kept
    before = {k: bucket.get_object(Bucket=BUCKET, Key=k)["Body"].read() for k in _keys(bucket)}
    assert len(before) == 2

    result = backup_create(directory=tmp_path)
    assert result.media_files == 2
    for key in before:
        bucket.delete_object(Bucket=BUCKET, Key=key)
    bucket.put_object(Bucket=BUCKET, Key="county/imports/stray.xlsx", Body=b"added after the backup")

    restored = backup_restore(archive=result.archive)

    assert restored.media_files == 2
    after = {k: bucket.get_object(Bucket=BUCKET, Key=k)["Body"].read() for k in _keys(bucket)}
    assert after == before
    assert ImportRecord.objects.count() == 2
