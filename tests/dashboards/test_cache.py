"""A dashboard counted live is kept for DASHBOARD_CACHE_SECONDS and shared by the users who see the same rows
(same role, same unit): officials reopen their home page again and again. The page says when its figures
were counted."""

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

    colleague, _ = _home(client, UserFactory(role=Role.COUNTY_ADMIN))  # same role and unit: shared
    assert colleague.context["figures"].households == 1
    inspector, _ = _home(client, UserFactory(role=Role.INSPECTOR))  # another role: counted for itself
    assert inspector.context["figures"].households == 2
    township = place.village.township
    official, _ = _home(client, UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=township))
    assert official.context["figures"].households == 2


def test_the_view_key_separates_roles_and_units():
    from core.access import Access

    place = NaturalVillageFactory()
    township, other = place.village.township, NaturalVillageFactory().village.township
    keys = {
        Access(UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=township)).view_key,
        Access(UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=other)).view_key,
        Access(UserFactory(role=Role.COUNTY_ADMIN)).view_key,
        Access(UserFactory(role=Role.INSPECTOR)).view_key,
        Access(UserFactory(role=Role.VILLAGE_OFFICIAL, village=place.village)).view_key,
    }
    assert len(keys) == 5
    assert Access(UserFactory(role=Role.COUNTY_ADMIN)).view_key in keys  # two county admins: one key


def test_with_no_keeping_every_visit_counts_again(client, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    place = NaturalVillageFactory()
    make_household(natural_village=place)
    admin = UserFactory(role=Role.COUNTY_ADMIN)

    _home(client, admin)
    make_household(natural_village=place)
    again, _ = _home(client, admin)

    assert again.context["figures"].households == 2


def test_count_again_shows_the_figures_of_now_and_keeps_them(client, settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    place = NaturalVillageFactory()
    make_household(natural_village=place)
    admin = UserFactory(role=Role.COUNTY_ADMIN)
    first, _ = _home(client, admin)
    assert b"data-recount" in first.content
    make_household(natural_village=place)

    recounted = client.get("/?fresh=1")
    kept, _ = _home(client, UserFactory(role=Role.COUNTY_ADMIN))

    assert recounted.context["figures"].households == 2
    assert kept.context["figures"].households == 2  # the new count is what is kept now


def test_no_count_again_link_when_nothing_is_kept(client, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    make_household(natural_village=NaturalVillageFactory())
    page, _ = _home(client, UserFactory(role=Role.COUNTY_ADMIN))
    assert b"data-recount" not in page.content


def _drawn(response) -> set[str]:
    return {t.name for t in response.templates}


def test_the_drawn_dashboard_is_kept_with_its_figures_and_drawn_again_on_a_recount(client, settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    place = NaturalVillageFactory()
    make_household(natural_village=place)
    first, _ = _home(client, UserFactory(role=Role.COUNTY_ADMIN))
    colleague, queries = _home(client, UserFactory(role=Role.COUNTY_ADMIN))

    assert "includes/figures_table.html" in _drawn(first)
    assert "includes/figures_table.html" not in _drawn(colleague)  # the kept body, not drawn again
    table = first.content.decode().split('id="dashboard-charts"')[0].rsplit("<main", 1)[1]
    assert table in colleague.content.decode()
    assert queries <= 4, queries  # session, user, the size check: not the monitoring panel's either

    make_household(natural_village=place)
    recounted = client.get("/?fresh=1")
    assert "includes/figures_table.html" in _drawn(recounted)
    assert recounted.context["figures"].households == 2


def test_a_kept_dashboard_is_not_shown_to_another_unit_or_in_another_language(client, settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    place = NaturalVillageFactory()
    make_household(natural_village=place)
    _home(client, UserFactory(role=Role.COUNTY_ADMIN))

    official = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=place.village.township)
    own, _ = _home(client, official)
    assert "includes/figures_table.html" in _drawn(own)

    client.cookies["django_language"] = "en"
    english, _ = _home(client, UserFactory(role=Role.COUNTY_ADMIN))
    assert "includes/figures_table.html" in _drawn(english)


def test_the_battle_map_is_kept_drawn_per_unit_and_township_choice(client, settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    place = NaturalVillageFactory()
    make_household(natural_village=place)
    township = place.village.township

    def map_page(user, query=""):
        client.force_login(user)
        response = client.get(f"/villages/map/{query}")
        assert response.status_code == 200
        return response

    first = map_page(UserFactory(role=Role.COUNTY_ADMIN))
    colleague = map_page(UserFactory(role=Role.COUNTY_ADMIN))
    chosen = map_page(UserFactory(role=Role.COUNTY_ADMIN), f"?township={township.pk}")
    official = map_page(UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=township))

    assert "dashboards/_map_body.html" in _drawn(first)
    assert "dashboards/_map_body.html" not in _drawn(colleague)
    assert 'id="battle-map-data"' in colleague.content.decode()
    assert "dashboards/_map_body.html" in _drawn(chosen)  # another township chosen: drawn for itself
    assert f'value="{township.pk}" selected' in chosen.content.decode()
    assert "dashboards/_map_body.html" in _drawn(official)  # another role and unit
