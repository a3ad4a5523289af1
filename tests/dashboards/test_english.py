"""English is complete (issue 10): the exit overview and the dashboard workbook's headings in English."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.models import Role
from tests.factories import UserFactory, VillageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese_again_afterwards():
    """A request in English leaves English active in this thread: put the primary language back."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_the_exit_overview_in_english(client):
    VillageFactory(is_poor=True, registered_rural_population=100)
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    client.cookies["django_language"] = "en"
    html = client.get(reverse("dashboards:exit")).content.decode()
    for text in (
        "Poor townships and villages exiting poverty",
        "Exit indicators: ",
        "Poverty incidence = poor persons",
    ):
        assert text in html
    assert "贫困村出列" not in html and "出列指标：" not in html and "还差" not in html
