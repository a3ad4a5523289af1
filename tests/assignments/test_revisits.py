"""Pairings and revisits: one active cadre per household; revisits idempotent by the phone's UUID."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from accounts.models import Role
from assignments.models import Pairing, Revisit
from assignments.services import RevisitConflict, pairing_create, pairing_end, revisit_record, revisit_update
from tests.factories import CadreFactory, NaturalVillageFactory, PairingFactory, UserFactory, make_household

pytestmark = pytest.mark.django_db


def _jpeg() -> bytes:
    """A real JPEG (photos are decoded and re-encoded on upload); Pillow re-encodes it to the same bytes."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


JPEG = _jpeg()


@pytest.fixture
def paired():
    household = make_household(natural_village=NaturalVillageFactory())
    cadre = CadreFactory()
    PairingFactory(cadre=cadre, household=household, started_on=datetime.date(2016, 1, 5))
    user = UserFactory(role=Role.CADRE, cadre=cadre)
    return household, cadre, user


def record(user, household, **kw):
    return revisit_record(
        user=user,
        household_id=household.pk,
        client_uuid=kw.pop("client_uuid", uuid.uuid4()),
        visited_on=kw.pop("visited_on", datetime.date(2016, 3, 1)),
        **kw,
    )


def test_the_same_uuid_sent_twice_is_stored_once(paired):
    household, _, user = paired
    key = uuid.uuid4()
    first = record(user, household, client_uuid=key, situation="家中三人在家")
    again = record(user, household, client_uuid=key, situation="家中三人在家")
    assert (first.created, again.created) == (True, False)
    assert again.revisit.pk == first.revisit.pk
    assert Revisit.objects.count() == 1


def test_a_household_that_is_not_the_cadres_is_not_found(paired):
    _, _, user = paired
    other = make_household(natural_village=NaturalVillageFactory())
    with pytest.raises(Http404):
        record(user, other)


@pytest.mark.parametrize(
    "visited_on, message",
    [
        (datetime.date.today() + datetime.timedelta(days=1), "不能晚于今天"),
        (datetime.date(2015, 12, 31), "不能早于结对开始日期"),
    ],
)
def test_dates_in_the_future_or_before_the_pairing_are_refused(paired, visited_on, message):
    household, _, user = paired
    with pytest.raises(ValidationError, match=message):
        record(user, household, visited_on=visited_on)
    assert Revisit.objects.count() == 0


def test_a_file_that_is_not_an_image_or_too_big_is_refused(paired, settings):
    household, _, user = paired
    with pytest.raises(ValidationError, match="不是图片"):
        record(user, household, photos=[SimpleUploadedFile("a.jpg", b"%PDF-1.4 not a photo")])
    settings.REVISIT_PHOTO_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="超过"):
        record(user, household, photos=[SimpleUploadedFile("b.jpg", JPEG)])
    assert Revisit.objects.count() == 0


def test_a_position_outside_the_county_is_kept_and_flagged(paired, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    household, _, user = paired
    inside = record(
        user, household, latitude="25.70", longitude="101.87", photos=[SimpleUploadedFile("c.jpg", JPEG)]
    )
    outside = record(user, household, latitude="39.90", longitude="116.40")
    assert inside.revisit.location_flagged is False and inside.revisit.photos.count() == 1
    assert outside.revisit.location_flagged is True


def test_an_edit_from_a_stale_copy_is_a_conflict_not_an_overwrite(paired):
    household, _, user = paired
    revisit = record(user, household, problems="屋顶漏雨").revisit
    stale = revisit.updated_at
    revisit_update(revisit=revisit, user=user, base_updated_at=stale, problems="屋顶漏雨，已报危房改造")

    with pytest.raises(RevisitConflict) as conflict:
        revisit_update(revisit=revisit, user=user, base_updated_at=stale, problems="屋顶已修好")

    assert conflict.value.server.problems == "屋顶漏雨，已报危房改造"
    revisit.refresh_from_db()
    assert revisit.problems == "屋顶漏雨，已报危房改造"


def test_re_pairing_ends_the_old_pairing_and_keeps_history(paired):
    household, old_cadre, _ = paired
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=household.township)
    new = pairing_create(
        cadre=CadreFactory(), household=household, started_on=datetime.date(2016, 6, 1), user=official
    )

    pairings = Pairing.objects.filter(household=household).order_by("started_on")
    assert [(p.cadre_id, p.ended_on) for p in pairings] == [
        (old_cadre.pk, datetime.date(2016, 6, 1)),
        (new.cadre_id, None),
    ]
    with pytest.raises(ValidationError, match="已结束"):
        pairing_end(pairing=pairings[0], ended_on=datetime.date(2016, 7, 1), user=official)


def test_after_the_pairing_ends_the_cadre_can_no_longer_record(paired):
    household, _, user = paired
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=household.township)
    pairing_end(
        pairing=Pairing.objects.get(household=household), ended_on=datetime.date(2016, 6, 1), user=official
    )
    with pytest.raises(Http404):
        record(user, household)


def test_an_edit_cannot_move_the_visit_into_the_future_or_before_the_pairing(paired):
    household, _, user = paired
    revisit = record(user, household).revisit
    for bad, message in (
        (datetime.date.today() + datetime.timedelta(days=2), "不能晚于今天"),
        (datetime.date(2015, 6, 1), "不能早于结对开始日期"),
    ):
        with pytest.raises(ValidationError, match=message):
            revisit_update(revisit=revisit, user=user, base_updated_at=revisit.updated_at, visited_on=bad)
    revisit.refresh_from_db()
    assert revisit.visited_on == datetime.date(2016, 3, 1)
