"""View helpers of the infrastructure: what every app's pages do the same way.

- ``form_add_errors``: a service's ValidationError shown on the form that sent the input.
- ``query_without``: a page's query string without one parameter (the filters its links keep); the
  pagination include reads it through the ``page_url`` tag (core/templatetags/pagination.py).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def form_add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's ValidationError beside the fields it names; the rest (and a field the form does not
    show) above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.error_list)


def query_without(request: HttpRequest | None, name: str = "page") -> str:
    """The request's query string without ``name``: ``?q=张&page=2`` → ``q=%E5%BC%A0``."""
    if request is None:
        return ""
    params = request.GET.copy()
    params.pop(name, None)
    return params.urlencode()
