"""The project's form renderer: Django's, with <select> written in Python.

Django renders each <option> through its own template include, about 80 µs an option on these machines:
the household list's filter form (75 villages, fourteen other drop-downs) spent 15 ms of a 45 ms request
on it. ``render_select`` writes the same markup as ``django/forms/widgets/select.html`` and
``select_option.html`` (attributes as ``attrs.html`` writes them, values and labels escaped the same way);
a widget with templates of its own still goes through them. tests/core/test_forms_renderer.py holds the
two to the same HTML.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict[str, Any]) -> str:
    """As attrs.html: False leaves the attribute out, True writes its name alone."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {name}")
        else:
            out.append(f' {name}="{conditional_escape(str(value))}"')
    return "".join(out)


def render_select(widget: dict[str, Any]) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT:
            widget = context["widget"]
            if all(
                option.get("template_name") == OPTION
                for _, options, _ in widget["optgroups"]
                for option in options
            ):
                return render_select(widget)
        return super().render(template_name, context, request=request)
