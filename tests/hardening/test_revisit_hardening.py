"""Issue 11, findings 1, 7, 12 and 15: revisit photos, rounds, the UUID race and length limits."""

import datetime
import io
import threading
import time
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from PIL import Image

from accounts.models import Role
from assignments.models import Revisit, RevisitRound
from assignments.services import revisit_record
from tests.factories import CadreFactory, NaturalVillageFactory, PairingFactory, UserFactory, make_household


def image_bytes(fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def _paired():
    household = make_household(natural_village=NaturalVillageFactory())
    cadre = CadreFactory()
    PairingFactory(cadre=cadre, household=household, started_on=datetime.date(2016, 1, 5))
    user = UserFactory(role=Role.CADRE, cadre=cadre)
    return household, cadre, user


@pytest.fixture
def paired(db):
    return _paired()


def record(user, household, **kw):
    return revisit_record(
        user=user,
        household_id=household.pk,
        client_uuid=kw.pop("client_uuid", uuid.uuid4()),
        visited_on=kw.pop("visited_on", datetime.date(2016, 3, 1)),
        **kw,
    )


# -- 1: photos ------------------------------------------------------------------------------------------


def test_a_gif_header_followed_by_html_is_refused(paired):
    household, _, user = paired
    with pytest.raises(ValidationError, match="不是图片"):
        record(user, household, photos=[SimpleUploadedFile("x.html", b"GIF89a<script>alert(1)</script>")])
    assert Revisit.objects.count() == 0


def test_a_photo_is_stored_under_a_server_name_and_served_as_an_image(paired, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    household, _, user = paired
    result = record(user, household, photos=[SimpleUploadedFile("x.html", image_bytes("PNG"))])
    photo = result.revisit.photos.get()
    assert "x.html" not in photo.image.name and photo.image.name.endswith(".png")
    client.force_login(user)
    response = client.get(reverse("assignments:revisit-photo", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    # re-encoded: what is stored decodes as the image, not the bytes sent
    Image.open(io.BytesIO(b"".join(response.streaming_content))).verify()


def test_a_stored_file_that_is_not_an_image_is_served_as_an_attachment(paired, client, settings, tmp_path):
    """Photos stored before the fix keep their names: anything but an image type is downloaded, never shown."""
    settings.MEDIA_ROOT = tmp_path
    household, _, user = paired
    result = record(user, household, photos=[SimpleUploadedFile("a.png", image_bytes("PNG"))])
    photo = result.revisit.photos.get()
    photo.image.save("old.html", io.BytesIO(b"GIF89a<script>alert(1)</script>"))
    client.force_login(user)
    response = client.get(reverse("assignments:revisit-photo", args=[photo.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


# -- 7: round spoofing ----------------------------------------------------------------------------------


def test_a_revisit_may_not_name_a_round_its_date_is_outside(paired):
    household, _, user = paired
    past = RevisitRound.objects.create(
        year=2015,
        number=1,
        name="2015 第一轮",
        starts_on=datetime.date(2015, 1, 1),
        ends_on=datetime.date(2015, 3, 1),
    )
    with pytest.raises(ValidationError, match="不在回访轮次"):
        record(user, household, visited_on=datetime.date(2016, 3, 1), round_id=past.pk)
    assert Revisit.objects.count() == 0


def test_a_revisit_naming_the_round_of_its_date_is_kept(paired):
    household, _, user = paired
    rnd = RevisitRound.objects.create(
        year=2016,
        number=1,
        name="2016 第一轮",
        starts_on=datetime.date(2016, 1, 1),
        ends_on=datetime.date(2016, 6, 30),
    )
    result = record(user, household, visited_on=datetime.date(2016, 3, 1), round_id=rnd.pk)
    assert result.revisit.round_id == rnd.pk


# -- 15: length limits ----------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["situation", "problems", "help_given"])
def test_revisit_text_over_the_limit_is_refused(paired, field):
    household, _, user = paired
    with pytest.raises(ValidationError, match="字") as caught:
        record(user, household, **{field: "很" * 5001})
    assert field in caught.value.message_dict
    assert Revisit.objects.count() == 0


def test_more_photos_than_the_setting_allows_are_refused(paired, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.REVISIT_MAX_PHOTOS = 2
    household, _, user = paired
    photos = [SimpleUploadedFile(f"{i}.png", image_bytes()) for i in range(3)]
    with pytest.raises(ValidationError, match="最多 2 张"):
        record(user, household, photos=photos)
    assert Revisit.objects.count() == 0


# -- 12: two sends of one UUID at once --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_sends_of_one_uuid_both_get_the_stored_revisit():
    household, _, user = _paired()
    key = uuid.uuid4()
    inserted, results, errors = threading.Event(), {}, []

    def first():
        try:
            with transaction.atomic():
                results["first"] = record(user, household, client_uuid=key)
                inserted.set()
                time.sleep(0.6)  # the second send reaches the unique index while this one is uncommitted
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
            inserted.set()
        finally:
            connection.close()

    def second():
        inserted.wait(5)
        try:
            results["second"] = record(user, household, client_uuid=key)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)
    assert errors == []
    assert results["first"].created is True and results["second"].created is False
    assert results["first"].revisit.pk == results["second"].revisit.pk
    assert Revisit.objects.count() == 1
