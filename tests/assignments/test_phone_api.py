"""revisits/ API used by the cadre's phone: idempotent by client UUID, scoped by Access, conflicts as 409."""

import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Role
from assignments.models import Pairing, Revisit, RevisitPhoto
from assignments.services import pairing_end, revisit_record
from tests.clients import client_for
from tests.factories import (
    CadreFactory,
    PairingFactory,
    RevisitFactory,
    RevisitRoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/revisits/"


def _jpeg() -> bytes:
    """A real JPEG (photos are decoded and re-encoded on upload); Pillow re-encodes it to the same bytes."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


JPEG = _jpeg()


def body(household, **kw) -> dict:
    return {
        "household": household.pk,
        "visited_on": "2016-03-01",
        "kind": "home",
        "situation": "家中三人在家，生产生活正常",
        "client_uuid": str(kw.pop("client_uuid", uuid.uuid4())),
        **kw,
    }


def test_the_same_uuid_sent_twice_is_stored_once(paired):
    client = client_for(paired["user"])
    sent = body(paired["household"], problems="屋顶漏雨")

    first = client.post(API, sent, format="json")
    again = client.post(API, sent, format="json")

    assert first.status_code == 201, first.content
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["client_uuid"] == sent["client_uuid"]
    assert Revisit.objects.filter(client_uuid=sent["client_uuid"]).count() == 1
    row = first.json()
    assert row["kind"] == "home" and row["kind_display"] == "入户"
    assert row["cadre"] == paired["cadre"].pk and row["problems"] == "屋顶漏雨"


def test_multipart_with_photos_stores_them_behind_the_access_checked_view(paired, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sent = body(paired["household"], latitude="25.703612", longitude="101.871234", location_accuracy="12.5")
    sent["photos"] = [SimpleUploadedFile("a.jpg", JPEG), SimpleUploadedFile("b.jpg", JPEG)]

    response = client_for(paired["user"]).post(API, sent, format="multipart")

    assert response.status_code == 201, response.content
    photos = response.json()["photos"]
    assert len(photos) == 2
    assert all(p["url"].startswith("/assignments/m/photos/") for p in photos)
    assert not any("/media" in p["url"] for p in photos)
    revisit = Revisit.objects.get(client_uuid=sent["client_uuid"])
    assert revisit.photos.count() == 2
    assert revisit.location_accuracy == 12.5 and revisit.location_flagged is False


def test_a_resend_with_photos_stores_the_photos_once(paired, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    key = uuid.uuid4()
    client = client_for(paired["user"])
    for _ in range(2):
        sent = body(paired["household"], client_uuid=key)
        sent["photos"] = [SimpleUploadedFile("a.jpg", JPEG)]
        client.post(API, sent, format="multipart")
    assert RevisitPhoto.objects.filter(revisit__client_uuid=key).count() == 1


def test_a_household_that_is_not_the_cadres_is_not_found(paired):
    response = client_for(paired["user"]).post(API, body(paired["other"]), format="json")
    assert response.status_code == 404
    assert Revisit.objects.count() == 0


@pytest.mark.parametrize(
    "visited_on, message",
    [
        (datetime.date.today() + datetime.timedelta(days=2), "走访日期不能晚于今天。"),
        (datetime.date(2016, 1, 4), "走访日期不能早于结对开始日期 2016-01-05。"),
    ],
)
def test_a_date_in_the_future_or_before_the_pairing_is_a_clear_error(paired, visited_on, message):
    response = client_for(paired["user"]).post(
        API, body(paired["household"], visited_on=visited_on.isoformat()), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"visited_on": [message]}


def test_a_malformed_date_is_a_field_error_in_chinese(paired):
    response = client_for(paired["user"]).post(
        API, body(paired["household"], visited_on="3月1日"), format="json"
    )
    assert response.status_code == 400
    assert "日期格式错误" in response.json()["visited_on"][0]


def test_a_file_that_is_not_an_image_is_refused_with_a_message(paired, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sent = body(paired["household"])
    sent["photos"] = [SimpleUploadedFile("report.jpg", b"%PDF-1.4 not a photo")]
    response = client_for(paired["user"]).post(API, sent, format="multipart")
    assert response.status_code == 400
    assert response.json()["photos"] == ["文件 report.jpg 不是图片（支持 JPEG、PNG、WebP、GIF）。"]
    assert Revisit.objects.count() == 0


def test_a_photo_over_the_size_limit_is_refused_with_a_message(paired, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.REVISIT_PHOTO_MAX_BYTES = 100
    sent = body(paired["household"])
    sent["photos"] = [SimpleUploadedFile("big.jpg", JPEG)]
    response = client_for(paired["user"]).post(API, sent, format="multipart")
    assert response.status_code == 400
    assert "超过" in response.json()["photos"][0] and "上限" in response.json()["photos"][0]
    assert Revisit.objects.count() == 0


def test_a_position_outside_the_county_is_kept_and_flagged(paired):
    client = client_for(paired["user"])
    outside = client.post(
        API, body(paired["household"], latitude=39.9042123456, longitude=116.4074987654), format="json"
    )
    inside = client.post(API, body(paired["household"], latitude=25.70, longitude=101.87), format="json")

    assert outside.status_code == 201, outside.content
    assert outside.json()["location_flagged"] is True
    # A phone's many decimals are rounded to the 6 the model keeps, not refused.
    assert outside.json()["latitude"] == "39.904212"
    assert inside.json()["location_flagged"] is False


def test_half_a_position_is_refused(paired):
    response = client_for(paired["user"]).post(API, body(paired["household"], latitude=25.7), format="json")
    assert response.status_code == 400
    assert "经纬度须同时填写" in response.json()["latitude"][0]


def test_an_edit_from_a_stale_copy_answers_409_with_the_servers_version(paired):
    client = client_for(paired["user"])
    created = client.post(API, body(paired["household"], problems="屋顶漏雨"), format="json").json()
    url = f"{API}{created['id']}/"

    first = client.patch(
        url, {"base_updated_at": created["updated_at"], "problems": "已报危房改造"}, format="json"
    )
    assert first.status_code == 200, first.content
    stale = client.patch(
        url, {"base_updated_at": created["updated_at"], "problems": "屋顶已修好"}, format="json"
    )

    assert stale.status_code == 409
    assert "已被修改" in stale.json()["detail"]
    server = stale.json()["server"]
    assert server["problems"] == "已报危房改造"
    assert server["updated_at"] == first.json()["updated_at"]
    assert Revisit.objects.get(pk=created["id"]).problems == "已报危房改造"

    # Keeping one's own version means resending against the version just seen.
    kept = client.patch(
        url, {"base_updated_at": server["updated_at"], "problems": "屋顶已修好"}, format="json"
    )
    assert kept.status_code == 200
    assert Revisit.objects.get(pk=created["id"]).problems == "屋顶已修好"


def test_an_edit_without_its_base_version_is_refused(paired):
    client = client_for(paired["user"])
    created = client.post(API, body(paired["household"]), format="json").json()
    response = client.patch(f"{API}{created['id']}/", {"problems": "x"}, format="json")
    assert response.status_code == 400
    assert "base_updated_at" in response.json()
    assert client.put(f"{API}{created['id']}/", body(paired["household"]), format="json").status_code == 405


def test_after_the_pairing_ends_the_cadre_reads_their_revisits_but_records_nothing(paired):
    client = client_for(paired["user"])
    created = client.post(API, body(paired["household"]), format="json").json()
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=paired["household"].township)
    pairing_end(
        pairing=Pairing.objects.get(household=paired["household"]),
        ended_on=datetime.date(2016, 6, 1),
        user=official,
    )
    # Another cadre's revisit of the household after the pairing ended is no longer theirs to read.
    successor = CadreFactory()
    PairingFactory(cadre=successor, household=paired["household"], started_on=datetime.date(2016, 6, 1))
    later = RevisitFactory(
        household=paired["household"], cadre=successor, visited_on=datetime.date(2016, 7, 1)
    )

    listed = client.get(API).json()
    assert [r["id"] for r in listed["results"]] == [created["id"]]
    assert client.get(f"{API}{created['id']}/").status_code == 200
    assert client.get(f"{API}{later.pk}/").status_code == 404
    assert client.post(API, body(paired["household"]), format="json").status_code == 404
    edit = client.patch(
        f"{API}{created['id']}/", {"base_updated_at": created["updated_at"], "problems": "x"}, format="json"
    )
    assert edit.status_code == 403


def test_a_uuid_used_by_another_cadre_is_refused(paired):
    key = uuid.uuid4()
    assert (
        client_for(paired["user"])
        .post(API, body(paired["household"], client_uuid=key), format="json")
        .status_code
        == 201
    )
    intruder = UserFactory(role=Role.CADRE, cadre=Pairing.objects.get(household=paired["other"]).cadre)
    response = client_for(intruder).post(API, body(paired["other"], client_uuid=key), format="json")
    assert response.status_code == 400
    assert "已被其他记录使用" in response.json()["client_uuid"][0]


def test_only_cadres_record_revisits(paired):
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=paired["household"].township)
    response = client_for(official).post(API, body(paired["household"]), format="json")
    assert response.status_code == 400
    assert "挂包干部" in str(response.json())


def test_the_list_is_scoped_and_filters_by_household_round_and_cadre(paired):
    mine = RevisitFactory(household=paired["household"], cadre=paired["cadre"])
    later_round = RevisitRoundFactory(number=2, starts_on=datetime.date(2016, 4, 1))
    second = RevisitFactory(household=paired["household"], cadre=paired["cadre"], round=later_round)
    other_cadre = Pairing.objects.get(household=paired["other"]).cadre
    hidden = RevisitFactory(household=paired["other"], cadre=other_cadre)
    client = client_for(paired["user"])

    def ids(query=""):
        response = client.get(API + query)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids() == {mine.pk, second.pk}
    assert ids(f"?household={paired['household'].pk}") == {mine.pk, second.pk}
    assert ids(f"?household={paired['other'].pk}") == set()
    assert ids(f"?round={later_round.pk}") == {second.pk}
    assert ids(f"?cadre={paired['cadre'].pk}") == {mine.pk, second.pk}
    assert client.get(f"{API}{hidden.pk}/").status_code == 404
    admin = client_for(UserFactory(role=Role.COUNTY_ADMIN))
    assert {r["id"] for r in admin.get(f"{API}?cadre={other_cadre.pk}").json()["results"]} == {hidden.pk}
    assert client.get(API + "?household=abc").status_code == 400


def test_the_list_query_count_does_not_grow_with_the_revisits(paired, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(paired["user"])

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(API).status_code == 200
        return len(ctx.captured_queries)

    revisit_record(
        user=paired["user"],
        household_id=paired["household"].pk,
        client_uuid=uuid.uuid4(),
        visited_on=datetime.date(2016, 3, 1),
        photos=(SimpleUploadedFile("a.jpg", JPEG),),
    )
    few = count_queries()
    for day in range(2, 8):
        revisit_record(
            user=paired["user"],
            household_id=paired["household"].pk,
            client_uuid=uuid.uuid4(),
            visited_on=datetime.date(2016, 3, day),
            photos=(SimpleUploadedFile("a.jpg", JPEG),),
        )
    assert count_queries() == few


def test_signing_in_is_required():
    assert APIClient().get(API).status_code == 401
    assert APIClient().post(API, {}, format="json").status_code == 401
