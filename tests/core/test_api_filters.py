"""Every list of the API filters by id (DESIGN.md §7) through the one base FilterSet of core.api."""

import pytest

from core.api import FilterSet
from poverty_tracker.api_urls import router
from tests.clients import client_for

LISTS = [(prefix, viewset) for prefix, viewset, _ in router.registry if hasattr(viewset, "list")]


@pytest.mark.parametrize("viewset", [v for _, v in LISTS], ids=[p for p, _ in LISTS])
def test_every_list_filters_through_the_base_filterset(viewset):
    assert issubclass(viewset.filterset_class, FilterSet)


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", [p for p, _ in LISTS])
def test_every_list_refuses_an_id_that_is_no_whole_number(prefix, admin):
    client = client_for(admin)  # the county admin sees every list
    assert client.get(f"/api/v1/{prefix}/?id=0").status_code == 200
    response = client.get(f"/api/v1/{prefix}/?id=3.5")
    assert response.status_code == 400, response.content
    assert "id" in response.json()
