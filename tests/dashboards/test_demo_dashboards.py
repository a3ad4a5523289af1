"""Issue 10 "Done when", on the demo county through the Django test client: 姜驿乡's official's home shows
1,436 households and 5,000 persons, the five-batch pairs and the 整乡推进 investment; the 1,436 link lists
1,436 households; county → township → village pages equal stats/."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from tests.demo.test_demo import demo  # noqa: F401  (the demo county, loaded once for the module)
from tests.factories import UserFactory
from villages.models import Township

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]

PAIRS = [
    ("production", 841, 2778),
    ("relocation", 460, 1595),
    ("education", 91, 341),
    ("ecological", 115, 443),
    ("social_security", 101, 309),
]


def text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def test_jiangyis_home(client):
    jiangyi = Township.objects.get(name="姜驿乡")
    client.force_login(UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=jiangyi))
    page = text(client.get(reverse("home")))
    assert re.search(r'data-figure="households">1436<', page)
    assert re.search(r'data-figure="persons">5000 ', page)
    for category, households, persons in PAIRS:
        found = re.search(rf'data-batch="{category}">.*?data-households>(\d+)<.*?data-persons>(\d+)<', page)
        assert found and found.groups() == (str(households), str(persons)), category
    assert 'data-figure="whole-planned">2.05亿元' in page
    assert 'data-figure="whole-invested">8,091.87万元' in page
    link = re.search(r'<a href="([^"]+)" data-figure="households">1436<', page).group(1)
    listed = client.get(link.replace("&amp;", "&"))
    assert listed.context["page_obj"].paginator.count == 1436


def test_county_township_village_pages_equal_stats(client):
    user = UserFactory(role=Role.COUNTY_ADMIN)
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    county = client.get(reverse("dashboards:county")).context["board"]
    assert county.figures.households == api.get("/api/v1/stats/").json()["households"]
    township = county.rows[0]
    board = client.get(reverse("dashboards:township", args=[township.id])).context["board"]
    stats = api.get("/api/v1/stats/", {"township": township.id}).json()
    assert (board.figures.households, board.figures.persons) == (stats["households"], stats["persons"])
    assert (township.households, township.persons) == (stats["households"], stats["persons"])
    village = board.rows[0]
    vboard = client.get(reverse("dashboards:village", args=[village.id])).context["board"]
    stats = api.get("/api/v1/stats/", {"village": village.id}).json()
    assert (vboard.figures.households, vboard.figures.persons) == (stats["households"], stats["persons"])
    assert (village.households, village.persons) == (stats["households"], stats["persons"])
