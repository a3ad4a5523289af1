"""``{% page_url number %}``: the link to another page of a list, keeping the page's filters."""

from django import template

from core.views import query_without

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number, param: str = "page", anchor: str = "") -> str:
    """``?q=张&page=2``: the current query string with ``param`` set to ``number`` (last), then ``anchor``.

    Returned unescaped: the template's autoescape writes ``&`` as ``&amp;`` in the attribute."""
    query = query_without(getattr(context, "request", None), param)
    return f"?{query}{'&' if query else ''}{param}={number}{anchor or ''}"
