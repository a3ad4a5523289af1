"""A dashboard counted live is kept for DASHBOARD_CACHE_SECONDS per user (officials reopen their home page
again and again); the page says when its figures were counted."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from tests.factories import NaturalVillageFactory, UserFactory, make_household

pytestmark = pytest.mark.django_db


def _home(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return response, len(queries)


def test_a_users_dashboard_is_counted_once_and_kept_for_the_set_time(client, settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    place = NaturalVillageFactory()
    make_household(natural_village=place)
    admin = UserFactory(role=Role.COUNTY_ADMIN)

    first, counted = _home(client, admin)
    make_household(natural_village=place)  # a second household after the first count
    again, kept = _home(client, admin)

    assert first.context["figures"].households == 1
    assert again.context["figures"].households == 1  # the kept count, shown with its time
    assert again.context["board"].computed_at == first.context["board"].computed_at
    assert kept <= 6 < counted, (kept, counted)  # session, user, the size check, the monitoring panel

    other, _ = _home(client, UserFactory(role=Role.COUNTY_ADMIN))  # nothing is shared between users
    assert other.context["figures"].households == 2


def test_with_no_keeping_every_visit_counts_again(client, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    place = NaturalVillageFactory()
    make_household(natural_village=place)
    admin = UserFactory(role=Role.COUNTY_ADMIN)

    _home(client, admin)
    make_household(natural_village=place)
    again, _ = _home(client, admin)

    assert again.context["figures"].households == 2
