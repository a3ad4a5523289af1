"""Every number on a dashboard links to the household list that shows the same number."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def households_url(base: dict, **filters) -> str:
    """The household list filtered to ``base`` (the unit: township / village / natural_village) and
    ``filters`` (status, poor, removed, year, exit_year, cause, batch, look); empty values are dropped."""
    params = {k: v for k, v in {**(base or {}), **filters}.items() if v not in (None, "")}
    query = urlencode(params)
    return reverse("households:list") + (f"?{query}" if query else "")


@register.simple_tag
def row_params(base: dict, row_level: str, row_id) -> dict:
    """The list filters of one row of a ranking table (a township, village or natural village)."""
    return {**(base or {}), row_level: row_id}
