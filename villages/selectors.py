"""Reads of geography, always through the access rule, with the joins a list needs already chosen."""

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet

from core.access import Access
from villages.models import (
    AdministrativeVillage,
    County,
    NaturalVillage,
    Township,
)


def township_list(*, access: Access) -> QuerySet[Township]:
    return access.visible(Township.objects.select_related("county"))


def village_list(*, access: Access) -> QuerySet[AdministrativeVillage]:
    return access.visible(AdministrativeVillage.objects.select_related("township"))


def natural_village_list(*, access: Access) -> QuerySet[NaturalVillage]:
    return access.visible(NaturalVillage.objects.select_related("village__township"))


# The navbar names the county on every page: its name is kept in the shared cache, and forgotten when a county
# is saved or deleted (at once, and again when that transaction commits, so that a page drawn meanwhile does
# not keep the old name).
COUNTY_NAME_KEY = "villages:county-name"
COUNTY_NAME_SECONDS = 600


def county_name() -> str:
    """The county's name ("" before there is one)."""
    name = cache.get(COUNTY_NAME_KEY)
    if name is None:
        name = County.objects.order_by("pk").values_list("name", flat=True).first() or ""
        cache.set(COUNTY_NAME_KEY, name, COUNTY_NAME_SECONDS)
    return name


def county_name_forget(**kwargs) -> None:
    cache.delete(COUNTY_NAME_KEY)
    transaction.on_commit(lambda: cache.delete(COUNTY_NAME_KEY))
