"""Pages of the villages app: village and township exit (出列 / 摘帽)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from poverty_tracker.access import Access
from villages import selectors


@login_required
def exit_overview(request: HttpRequest) -> HttpResponse:
    """Per township its incidence against the criteria; per poor village each indicator met or missing."""
    access = Access.for_user(request.user)
    townships = list(selectors.township_list(access=access).order_by("code", "id"))
    try:
        township_id = int(request.GET.get("township") or 0) or None
    except ValueError:
        township_id = None
    if township_id not in {t.pk for t in townships}:
        township_id = None
    overview = selectors.exit_overview(access=access, township_id=township_id)
    return render(
        request,
        "villages/exit.html",
        {
            "overview": overview,
            "townships": townships,
            "township_id": township_id,
            "ready": sum(1 for v in overview.villages if v.ready and not v.figures.exit_year),
        },
    )


urlpatterns = [
    path("exit/", exit_overview, name="exit"),
]
