"""``{% phone value %}``: a phone number as the signed-in user may see it (issue 11, privacy): whole, as a
``tel:`` link, for an official in scope; ``139****0000`` otherwise. The access rule decides
(``Access.phone``); nothing here knows the roles."""

from django import template
from django.utils.html import format_html

from core.access import Access, mask_phone

register = template.Library()


@register.simple_tag(takes_context=True)
def phone(context, value, link: bool = True) -> str:
    if not value:
        return "—"
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = Access.for_user(user).phone(str(value)) if user is not None else mask_phone(str(value))
    if link and shown == str(value):
        return format_html('<a href="tel:{}">{}</a>', shown, shown)
    return format_html("{}", shown)
