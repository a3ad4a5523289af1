"""Writes to geography: counties, townships, administrative and natural villages, exit indicators.

Pages, API and admin all come here; each write asks the access rule whether this user changes this record
(or creates one at this place). Households carry their village and township denormalised, so a village
never moves to another township, nor a natural village to another village. (Its pre-aggregated figures
count households: the households app refreshes them.)
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from core.access import Access
from core.services import changeable, may_create, refuse_if_held, set_fields, validated_save
from villages.models import (
    AdministrativeVillage,
    County,
    ExitIndicator,
    NaturalVillage,
    Township,
    VillageIndicatorStatus,
)

# exit_year is not here: only county approval of a unit exit (households/units) sets it.
EXIT_FIELDS = ("is_poor", "planned_exit_year", "registered_rural_population")
COUNTY_FIELDS = (
    "name",
    "region_code",
    "province",
    "prefecture",
    "is_poverty_county",
    "registered_rural_population",
)
TOWNSHIP_FIELDS = ("name", "code", *EXIT_FIELDS)
VILLAGE_FIELDS = ("name", "code", *EXIT_FIELDS)
NATURAL_VILLAGE_FIELDS = ("name", "code", "is_poor", "latitude", "longitude")
INDICATOR_FIELDS = ("level", "code", "name", "province", "order", "active", "threshold")
INDICATOR_STATUS_FIELDS = ("met", "note")


def _apply(obj: Model, changes: dict, allowed: tuple[str, ...], moved: dict[str, str] | None = None) -> None:
    """Set the allowed fields; a parent named in ``moved`` (field → message) may be given but not changed."""
    moved = moved or {}
    errors = {
        name: message
        for name, message in moved.items()
        if name in changes and getattr(changes[name], "pk", changes[name]) != getattr(obj, f"{name}_id")
    }
    if errors:
        raise ValidationError(errors)
    set_fields(obj, {k: v for k, v in changes.items() if k not in moved}, allowed)


def _unique_name(qs, obj: Model, message: str) -> None:
    if qs.filter(name=obj.name).exclude(pk=obj.pk).exists():
        raise ValidationError({"name": message})


def _delete(obj: Model, children: dict[str, int]) -> None:
    """Delete a record nothing hangs on; otherwise say what still does."""
    refuse_if_held(obj, children)
    obj.delete()


# -- county ----------------------------------------------------------------------------------------------


@transaction.atomic
def county_create(*, user, name: str, region_code: str, **fields) -> County:
    may_create(user, County)
    county = County(name=name.strip(), region_code=region_code.strip())
    _apply(county, fields, COUNTY_FIELDS)
    return validated_save(county)


@transaction.atomic
def county_update(*, user, county: County, **changes) -> County:
    county = changeable(user, county)
    _apply(county, changes, COUNTY_FIELDS)
    return validated_save(county)


@transaction.atomic
def county_delete(*, user, county: County) -> None:
    county = changeable(user, county)
    _delete(county, {_("个乡镇"): county.townships.count()})


# -- townships -------------------------------------------------------------------------------------------


def _unique_township(township: Township) -> None:
    _unique_name(
        Township.objects.filter(county_id=township.county_id),
        township,
        _("{county}已有乡镇“{township_name}”：同一县内乡镇名称须唯一。").format(
            county=township.county, township_name=township.name
        ),
    )


@transaction.atomic
def township_create(*, user, county: County, name: str, **fields) -> Township:
    may_create(user, Township)
    township = Township(county=county, name=name.strip())
    _apply(township, fields, TOWNSHIP_FIELDS)
    _unique_township(township)
    return validated_save(township)


@transaction.atomic
def township_update(*, user, township: Township, **changes) -> Township:
    township = changeable(user, township)
    _apply(township, changes, TOWNSHIP_FIELDS, moved={"county": _("乡镇不能改属其他县。")})
    _unique_township(township)
    return validated_save(township)


@transaction.atomic
def township_delete(*, user, township: Township) -> None:
    township = changeable(user, township)
    _delete(township, {_("个行政村"): township.villages.count()})


# -- administrative villages ---------------------------------------------------------------------------


def _unique_village(village: AdministrativeVillage) -> None:
    _unique_name(
        AdministrativeVillage.objects.filter(township_id=village.township_id),
        village,
        _("{township}已有行政村“{village_name}”：同一乡镇内行政村名称须唯一。").format(
            township=village.township, village_name=village.name
        ),
    )


@transaction.atomic
def village_create(*, user, township: Township, name: str, **fields) -> AdministrativeVillage:
    may_create(user, AdministrativeVillage, township_id=township.pk)
    village = AdministrativeVillage(township=township, name=name.strip())
    _apply(village, fields, VILLAGE_FIELDS)
    _unique_village(village)
    return validated_save(village)


@transaction.atomic
def village_update(*, user, village: AdministrativeVillage, **changes) -> AdministrativeVillage:
    # Households carry their township denormalised: moving a village would split its records.
    village = changeable(user, village)
    _apply(village, changes, VILLAGE_FIELDS, moved={"township": _("行政村不能改属其他乡镇。")})
    _unique_village(village)
    return validated_save(village)


@transaction.atomic
def village_delete(*, user, village: AdministrativeVillage) -> None:
    village = changeable(user, village)
    _delete(village, {_("个自然村"): village.natural_villages.count()})


# -- natural villages ----------------------------------------------------------------------------------


def _unique_natural_village(natural_village: NaturalVillage) -> None:
    _unique_name(
        NaturalVillage.objects.filter(village_id=natural_village.village_id),
        natural_village,
        _("{village}已有自然村“{natural_village_name}”：同一行政村内自然村名称须唯一。").format(
            village=natural_village.village, natural_village_name=natural_village.name
        ),
    )


@transaction.atomic
def natural_village_create(*, user, village: AdministrativeVillage, name: str, **fields) -> NaturalVillage:
    may_create(user, NaturalVillage, township_id=village.township_id, village_id=village.pk)
    natural_village = NaturalVillage(village=village, name=name.strip())
    _apply(natural_village, fields, NATURAL_VILLAGE_FIELDS)
    _unique_natural_village(natural_village)
    return validated_save(natural_village)


@transaction.atomic
def natural_village_update(*, user, natural_village: NaturalVillage, **changes) -> NaturalVillage:
    # Households carry their village denormalised: moving a natural village would split its records.
    natural_village = changeable(user, natural_village)
    _apply(
        natural_village, changes, NATURAL_VILLAGE_FIELDS, moved={"village": _("自然村不能改属其他行政村。")}
    )
    _unique_natural_village(natural_village)
    return validated_save(natural_village)


@transaction.atomic
def natural_village_delete(*, user, natural_village: NaturalVillage) -> None:
    natural_village = changeable(user, natural_village)
    _delete(natural_village, {_("户"): natural_village.households.count()})


# -- exit indicators (DESIGN.md §3: thresholds and indicators are data) ----------------------------------


@transaction.atomic
def exit_indicator_create(*, user, code: str, name: str, **fields) -> ExitIndicator:
    may_create(user, ExitIndicator)
    indicator = ExitIndicator(code=code.strip(), name=name.strip())
    _apply(indicator, fields, INDICATOR_FIELDS)
    return validated_save(indicator)


@transaction.atomic
def exit_indicator_update(*, user, indicator: ExitIndicator, **changes) -> ExitIndicator:
    indicator = changeable(user, indicator)
    _apply(indicator, changes, INDICATOR_FIELDS)
    return validated_save(indicator)


@transaction.atomic
def exit_indicator_delete(*, user, indicator: ExitIndicator) -> None:
    """An indicator villages were assessed against stays (set it inactive instead)."""
    indicator = changeable(user, indicator)
    used = VillageIndicatorStatus.objects.filter(indicator=indicator).count()
    if used:
        raise ValidationError(
            _("出列指标“{indicator}”已有 {used} 个行政村的达标记录，不能删除；请改为停用。").format(
                indicator=indicator, used=used
            )
        )
    indicator.delete()


@transaction.atomic
def village_indicator_set(
    *, user, village: AdministrativeVillage, indicator: ExitIndicator, met: bool, note: str = ""
) -> VillageIndicatorStatus:
    """Record whether a village meets an exit indicator (one record per village and indicator)."""
    access = Access.for_user(user)
    village = access.get_or_404(AdministrativeVillage.objects.select_related("township"), pk=village.pk)
    may_create(user, VillageIndicatorStatus, township_id=village.township_id, village_id=village.pk)
    status = VillageIndicatorStatus.objects.select_for_update().filter(
        village=village, indicator=indicator
    ).first() or VillageIndicatorStatus(village=village, indicator=indicator)
    status.met, status.note = bool(met), (note or "").strip()
    return validated_save(status)


@transaction.atomic
def village_indicator_delete(*, user, status: VillageIndicatorStatus) -> None:
    status = changeable(user, status)
    status.delete()
