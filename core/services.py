"""Small pieces the apps' write services share: the access check of a write, setting only the fields a
service allows, validating before saving, and refusing to delete what other records still hang on."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _

from core.access import Access


def changeable(user, obj: Model) -> Model:
    """The record re-read (locked) inside the user's scope, 404 outside, if this user may change it."""
    access = Access.for_user(user)
    obj = access.get_or_404(type(obj)._default_manager.select_for_update(), pk=obj.pk)
    if not access.can_change(obj):
        raise ValidationError(
            _("您无权修改{verbose_name}“{obj}”。").format(verbose_name=obj._meta.verbose_name, obj=obj)
        )
    return obj


def may_create(user, model: type[Model], **place) -> None:
    """May this user create ``model`` at this place (township_id, village_id, household_id)?"""
    if not Access.for_user(user).can_change_in(model, **place):
        raise ValidationError(
            _("您无权在此新增{verbose_name}。").format(verbose_name=model._meta.verbose_name)
        )


def set_fields(obj: Model, values: dict, allowed: tuple[str, ...]) -> None:
    """Set the allowed fields (strings stripped); any other field is refused by name."""
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationError({name: _("该字段不能在此修改。") for name in sorted(unknown)})
    for name, value in values.items():
        setattr(obj, name, value.strip() if isinstance(value, str) else value)


def validated_save(obj: Model) -> Model:
    obj.full_clean()
    obj.save()
    return obj


def refuse_if_held(obj: Model, held: dict[str, int]) -> None:
    """Refuse to delete a record that others still hang on, saying which ({"条进度记录": 3, ...})."""
    reasons = _("、").join(f"{count} {what}" for what, count in held.items() if count)
    if reasons:
        raise ValidationError(
            _("{verbose_name}“{obj}”已有 {reasons}，不能删除。").format(
                verbose_name=obj._meta.verbose_name, obj=obj, reasons=reasons
            )
        )
