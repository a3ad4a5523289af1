"""View helpers of the infrastructure: what every app's pages do the same way.

- ``form_add_errors``: a service's ValidationError shown on the form that sent the input;
  ``service_errors``: the same around the service calls of a view, as a ``with`` block.
- ``page_of``: the page of a list the query string asks for; ``query_without``: a page's query string
  without one parameter (the filters its links keep), which templates/includes/pagination.html reads
  through the ``page_url`` tag (core/templatetags/pagination.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def form_add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's ValidationError beside the fields it names; the rest (and a field the form does not
    show) above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.error_list)


@contextmanager
def service_errors(form: forms.BaseForm, request: HttpRequest | None = None) -> Iterator[None]:
    """Leaves the block when a service in it refuses: its ValidationError goes on ``form`` (and, given the
    request, into the page's messages too), and the view goes on to show the form again.

        with service_errors(form):
            services.head_change(household=household, ...)
            messages.success(request, "户主已变更。")
            return redirect("households:detail", pk=household.pk)
        return render(request, "households/head_change.html", {"form": form})
    """
    try:
        yield
    except ValidationError as exc:
        if request is not None:
            for text in exc.messages:
                messages.error(request, text)
        form_add_errors(form, exc)


def page_of(
    request: HttpRequest, rows, per_page: int, *, param: str = "page", paginator: type[Paginator] = Paginator
) -> Page:
    """The page of ``rows`` that ``?page=`` (or ``param``, for a second list on a page) asks for; a number
    that is not one, or is past the end, gives the first or the last page."""
    return paginator(rows, per_page).get_page(request.GET.get(param))


def query_without(request: HttpRequest | None, name: str = "page") -> str:
    """The request's query string without ``name``: ``?q=张&page=2`` → ``q=%E5%BC%A0``."""
    if request is None:
        return ""
    params = request.GET.copy()
    params.pop(name, None)
    return params.urlencode()
