"""Reads of geography, always through the access rule, with the joins a list needs already chosen."""

from django.db.models import QuerySet

from core.access import Access
from villages.models import (
    AdministrativeVillage,
    NaturalVillage,
    Township,
)


def township_list(*, access: Access) -> QuerySet[Township]:
    return access.visible(Township.objects.select_related("county"))


def village_list(*, access: Access) -> QuerySet[AdministrativeVillage]:
    return access.visible(AdministrativeVillage.objects.select_related("township"))


def natural_village_list(*, access: Access) -> QuerySet[NaturalVillage]:
    return access.visible(NaturalVillage.objects.select_related("village__township"))
