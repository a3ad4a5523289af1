"""The cadre's phone pages: who sees what, the access-checked photo view, the service worker, page weight."""

import datetime
import gzip
import re
import uuid
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from assignments.models import Pairing
from assignments.services import pairing_end, revisit_record
from households.models import AssistanceMeasure, HelpPlan
from tests.factories import (
    AssessmentFactory,
    NaturalVillageFactory,
    PairingFactory,
    RevisitFactory,
    RevisitRoundFactory,
    UserFactory,
    make_household,
)

pytestmark = pytest.mark.django_db

M = "/assignments/m/"


def _jpeg() -> bytes:
    """A real JPEG (photos are decoded and re-encoded on upload); Pillow re-encodes it to the same bytes."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


JPEG = _jpeg()
PAGE_WEIGHT_BUDGET = 150 * 1024  # HTML + CSS + JS of the revisit form, gzip-compressed (issue 5)


def signed_in(client, user):
    client.force_login(user)
    return client


def record(user, household, **kw):
    return revisit_record(
        user=user,
        household_id=household.pk,
        client_uuid=uuid.uuid4(),
        visited_on=kw.pop("visited_on", datetime.date(2016, 3, 1)),
        **kw,
    ).revisit


# -- my households ------------------------------------------------------------------------------------


def test_my_households_lists_the_last_visit_and_what_is_due(client, paired):
    today = datetime.date.today()
    RevisitRoundFactory(
        year=today.year,
        number=9,
        starts_on=today - datetime.timedelta(days=3),
        ends_on=today + datetime.timedelta(days=20),
    )
    RevisitFactory(household=paired["household"], cadre=paired["cadre"], visited_on=datetime.date(2016, 3, 1))

    page = signed_in(client, paired["user"]).get(M)

    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-household-id="{paired["household"].pk}"' in html
    assert f'data-household-id="{paired["other"].pk}"' not in html
    assert "最近走访 2016-03-01" in html
    assert "待走访" in html
    assert f"{M}revisit/?household={paired['household'].pk}" in html


def test_a_visit_in_the_due_round_shows_as_done(client, paired):
    today = datetime.date.today()
    RevisitRoundFactory(year=today.year, number=9, name="本年第9轮", starts_on=today, ends_on=today)
    record(paired["user"], paired["household"], visited_on=today)
    html = signed_in(client, paired["user"]).get(M).content.decode()
    assert "本年第9轮已走访" in html


def test_my_households_is_the_navigation_target_and_needs_a_login(client, paired):
    from django.urls import reverse

    assert reverse("assignments:my-households") == M
    response = client.get(M)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_my_households_query_count_does_not_grow_with_the_households(client, paired):
    RevisitRoundFactory()
    client = signed_in(client, paired["user"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(M).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(4):
        PairingFactory(
            cadre=paired["cadre"], household=make_household(natural_village=NaturalVillageFactory())
        )
    assert count() == few


# -- the household summary ----------------------------------------------------------------------------


def test_the_household_summary_shows_members_income_problems_and_help_plan(client, paired):
    household = paired["household"]
    AssessmentFactory(household=household, year=2016, wage_income=6000, housing_secure=False)
    HelpPlan.objects.create(household=household, year=2016, cause_analysis="因病致贫", plan="发展养殖")
    AssistanceMeasure.objects.create(
        household=household, year=2016, category="production", description="扶持肉牛2头"
    )
    record(paired["user"], household, problems="屋顶漏雨")

    page = signed_in(client, paired["user"]).get(f"{M}households/{household.pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    for text in (
        "张三",
        "户主",
        "李四妹",
        "人均纯收入",
        "✗ 住房安全有保障",
        "屋顶漏雨",
        "因病致贫",
        "发展养殖",
        "扶持肉牛2头",
    ):
        assert text in html, text
    assert "tel:13912345678" in html
    assert "5323281970" not in html  # no ID numbers on a cadre's phone


def test_the_summary_of_a_household_that_is_not_the_cadres_is_404(client, paired):
    response = signed_in(client, paired["user"]).get(f"{M}households/{paired['other'].pk}/")
    assert response.status_code == 404


def test_after_the_pairing_ends_the_cadre_keeps_only_their_own_records(client, paired):
    household = paired["household"]
    revisit = record(paired["user"], household, situation="一切正常")
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=household.township)
    pairing_end(
        pairing=Pairing.objects.get(household=household), ended_on=datetime.date(2016, 6, 1), user=official
    )
    client = signed_in(client, paired["user"])

    assert client.get(f"{M}households/{household.pk}/").status_code == 404
    assert f'data-household-id="{household.pk}"' not in client.get(M).content.decode()
    assert client.get(f"{M}revisits/{revisit.pk}/").status_code == 200
    assert "一切正常" in client.get(f"{M}revisits/").content.decode()
    assert client.get(f"{M}revisits/{revisit.pk}/edit/").status_code == 404
    assert str(household.pk) not in re.findall(
        r'<option value="(\d+)"', client.get(f"{M}revisit/").content.decode()
    )


# -- the revisit form ---------------------------------------------------------------------------------


def test_the_revisit_form_offers_only_the_cadres_households(client, paired):
    html = (
        signed_in(client, paired["user"])
        .get(f"{M}revisit/?household={paired['household'].pk}")
        .content.decode()
    )
    options = re.findall(r'<option value="(\d+)"', html)
    assert options == [str(paired["household"].pk)]
    assert 'capture="environment"' in html and 'accept="image/*"' in html
    assert 'name="kind" value="home"' in html and 'name="kind" value="phone"' in html
    assert "获取当前位置" in html


def test_the_edit_form_carries_the_version_it_started_from(client, paired):
    revisit = record(paired["user"], paired["household"])
    html = signed_in(client, paired["user"]).get(f"{M}revisits/{revisit.pk}/edit/").content.decode()
    assert f'data-base-updated-at="{revisit.updated_at.isoformat()}"' in html


def test_officials_are_told_that_cadres_record_revisits(client, paired):
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=paired["household"].township)
    html = signed_in(client, official).get(f"{M}revisit/").content.decode()
    assert "走访记录由挂包干部填写" in html and "revisit-form" not in html


def _static_path(url: str) -> Path:
    name = url.split("/static/", 1)[1]
    found = finders.find(name)
    assert found, f"{url} is not a static file of the app"
    return Path(found)


def test_the_revisit_form_is_under_150_kb_compressed_with_no_external_requests(client, paired):
    html = signed_in(client, paired["user"]).get(f"{M}revisit/").content
    text = html.decode()
    assets = re.findall(r'<(?:script[^>]+src|link[^>]+href)="([^"]+\.(?:js|css))"', text)
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)

    weight = len(gzip.compress(html)) + sum(len(gzip.compress(_static_path(a).read_bytes())) for a in assets)
    print(f"revisit form page weight, gzip: {weight / 1024:.1f} KB")  # shown with pytest -s
    assert weight < PAGE_WEIGHT_BUDGET

    urls = re.findall(r'(?:src|href|action)="([^"]*)"', text)
    external = [u for u in urls if re.match(r"^(?:[a-z]+:)?//", u, re.I)]
    assert external == []
    for asset in assets:
        assert not re.search(r"https?://", _static_path(asset).read_text()), asset


def test_every_phone_page_shows_the_outbox_count_and_a_guarded_logout(client, paired):
    client = signed_in(client, paired["user"])
    revisit = record(paired["user"], paired["household"])
    for url in (
        M,
        f"{M}households/{paired['household'].pk}/",
        f"{M}revisit/",
        f"{M}outbox/",
        f"{M}conflict/",
        f"{M}revisits/",
        f"{M}revisits/{revisit.pk}/",
    ):
        html = client.get(url).content.decode()
        assert "data-outbox-count" in html, url
        assert "data-logout" in html, url
        assert "/static/phone/app.js" in html, url


# -- photos -------------------------------------------------------------------------------------------


def test_photos_are_served_only_to_users_who_may_see_the_revisit(client, paired, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    revisit = record(paired["user"], paired["household"], photos=[SimpleUploadedFile("a.jpg", JPEG)])
    photo = revisit.photos.get()
    url = f"{M}photos/{photo.pk}/"

    assert client.get(url).status_code == 302  # anonymous: to the login page
    mine = signed_in(client, paired["user"]).get(url)
    assert mine.status_code == 200
    assert b"".join(mine.streaming_content) == JPEG
    assert mine["Content-Type"] == "image/jpeg"
    assert "private" in mine["Cache-Control"]

    stranger = UserFactory(role=Role.CADRE, cadre=Pairing.objects.get(household=paired["other"]).cadre)
    assert signed_in(client, stranger).get(url).status_code == 404
    far_official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=paired["other"].township)
    assert signed_in(client, far_official).get(url).status_code == 404
    near_official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=paired["household"].township)
    assert signed_in(client, near_official).get(url).status_code == 200
    assert (
        settings.MEDIA_URL
        not in signed_in(client, paired["user"]).get(f"{M}revisits/{revisit.pk}/").content.decode()
    )


# -- offline plumbing ---------------------------------------------------------------------------------


def test_the_service_worker_is_served_at_the_root_uncached_and_precaches_the_shell(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    source = response.content.decode()
    for needed in (
        "/static/phone/outbox.js",
        "/static/phone/revisit_form.js",
        f"{M}revisit/",
        f"{M}offline/",
    ):
        assert needed in source


def test_the_offline_page_needs_no_login(client):
    response = client.get(f"{M}offline/")
    assert response.status_code == 200
    assert "当前没有网络" in response.content.decode()
