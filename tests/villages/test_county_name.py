"""The county's name in the navbar of every page: kept in the shared cache, forgotten when a county changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CountyFactory, UserFactory
from villages.selectors import county_name

pytestmark = pytest.mark.django_db


def _county_reads(queries) -> int:
    """The navbar's read of the name (the dashboard reads the county for its own figures)."""
    return sum(q["sql"].startswith('SELECT "villages_county"."name" AS "name"') for q in queries)


def test_pages_read_the_county_name_once_and_show_it_renamed(client):
    county = CountyFactory(name="元谋县")
    client.force_login(UserFactory())
    with CaptureQueriesContext(connection) as first:
        assert "元谋县" in client.get("/").content.decode()
    with CaptureQueriesContext(connection) as second:
        assert "元谋县" in client.get("/").content.decode()
    assert (_county_reads(first), _county_reads(second)) == (1, 0)

    county.name = "永仁县"
    county.save()
    page = client.get("/").content.decode()
    assert "永仁县" in page and "元谋县" not in page


def test_no_county_yet_and_then_one():
    assert county_name() == ""
    CountyFactory(name="元谋县")
    assert county_name() == "元谋县"
    CountyFactory._meta.model.objects.all().delete()
    assert county_name() == ""
