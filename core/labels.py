"""``get_FOO_display`` for models listed many rows at a time, without rebuilding the choices per call."""

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


class ChoiceLabels:
    """A model mixin. Django's ``Model._get_FIELD_display`` builds a dict of the field's choices on every
    call, once per row and column of a list page (about an eighth of the household list's time); this
    keeps one dict per field. The labels stay lazy, so each call still answers in the active language."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)


def _labels(field) -> dict:
    labels = field.__dict__.get("_choice_labels")
    if labels is None:
        labels = dict(make_hashable(field.flatchoices))
        if isinstance(field.choices, list | tuple):  # choices from a callable may change: not kept
            field._choice_labels = labels
    return labels
