"""Issue 10 "Done when", in headless Chromium on the demo county: 姜驿乡's official's home shows 1,436
households and 5,000 persons, the five-batch pairs and the 整乡推进 investment; clicking 1,436 lists 1,436
households; a county admin clicks county → township → village → household and each page's numbers equal
stats/; no page requests anything from another host (ECharts and Leaflet are served by the app)."""

import io
import os
import re

import pytest
from django.core.management import call_command

from accounts.models import Role
from tests.factories import UserFactory
from villages.models import Township

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "pass-word-1"  # UserFactory's

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing (CI installs it)"),
]


def sign_in(browser, base, user, foreign: list):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on(
        "request",
        lambda r: None if r.url.startswith(base) or r.url.startswith("data:") else foreign.append(r.url),
    )
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{base}/")
    return page


def number(page, selector) -> int:
    return int(re.sub(r"\D", "", page.locator(selector).first.inner_text()))


def stats(page, base, **params) -> dict:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return page.request.get(f"{base}/api/v1/stats/?{query}").json()


def test_dashboards_in_chromium(live_server, browser):
    call_command("load_demo", stdout=io.StringIO())
    base = live_server.url
    foreign: list[str] = []
    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=Township.objects.get(name="姜驿乡"))
    page = sign_in(browser, base, official, foreign)
    page.wait_for_load_state("networkidle")
    assert number(page, '[data-figure="households"]') == 1436
    assert number(page, '[data-figure="persons"]') == 5000
    for category, households, persons in (
        ("production", 841, 2778),
        ("relocation", 460, 1595),
        ("education", 91, 341),
        ("ecological", 115, 443),
        ("social_security", 101, 309),
    ):
        row = page.locator(f'tr[data-batch="{category}"]')
        assert number(row, "[data-households]") == households
        assert number(row, "[data-persons]") == persons
    assert "8,091.87万元" in page.locator('[data-figure="whole-invested"]').inner_text()
    assert page.locator('[data-chart="batches"] svg').count() == 1  # ECharts drew, from the app's own copy
    page.locator('a[data-figure="households"]').first.click()
    page.wait_for_url(re.compile(r"/households/\?"))
    assert "共 1436 户" in page.locator("[data-count]").inner_text()

    admin = UserFactory(role=Role.COUNTY_ADMIN)
    page = sign_in(browser, base, admin, foreign)
    county = stats(page, base)
    assert number(page, '[data-figure="households"]') == county["households"]
    page.locator('a[href^="/villages/township/"]').first.click()
    page.wait_for_url(re.compile(r"/villages/township/\d+/$"))
    township_id = re.search(r"/township/(\d+)/", page.url).group(1)
    figures = stats(page, base, township=township_id)
    assert number(page, '[data-figure="households"]') == figures["households"]
    assert number(page, '[data-figure="persons"]') == figures["persons"]
    page.locator('a[href^="/villages/village/"]').first.click()
    page.wait_for_url(re.compile(r"/villages/village/\d+/$"))
    village_id = re.search(r"/village/(\d+)/", page.url).group(1)
    figures = stats(page, base, village=village_id)
    assert number(page, '[data-figure="households"]') == figures["households"]
    assert number(page, '[data-figure="persons"]') == figures["persons"]
    page.locator('a[data-figure="households"]').first.click()
    page.wait_for_url(re.compile(r"/households/\?"))
    assert f"共 {figures['households']} 户" in page.locator("[data-count]").inner_text()
    page.locator("#household-results [data-household-row] a").first.click()
    page.wait_for_url(re.compile(r"/households/\d+/$"))
    assert page.locator("h1").count() >= 1
    page.goto(f"{base}/villages/map/")
    page.wait_for_load_state("networkidle")
    assert page.locator(".leaflet-container").count() == 1
    assert foreign == []
