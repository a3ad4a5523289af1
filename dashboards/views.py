"""The signed-in user's home, the dashboard of their own scope (DESIGN.md §8), and the village and
township exit page: pages that combine the figures of every app."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from assignments.phone import views as phone_views
from assignments.selectors import overdue_for
from core.access import Access
from dashboards import selectors
from households import selectors as household_selectors
from households.units.procedure import PROPOSE
from villages.models import VillageIndicatorStatus
from villages.selectors import township_list


@login_required
def home(request):
    """Which dashboard is decided by the level of the user's scope (the access rule answers it); what it
    shows is decided by the selectors, which ask Access."""
    access = Access.for_user(request.user)
    user = request.user
    level = access.scope_level
    if level == "cadre":
        # A cadre's home is their households, on the phone pages that keep working offline.
        return phone_views.my_households(request)
    if level == "village":
        context = {
            "level": "village",
            "figures": household_selectors.scope_figures(access=access, village_id=user.village_id),
            "rows": household_selectors.figures_by_natural_village(access=access, village_id=user.village_id),
        }
    elif level == "township":
        context = {
            "level": "township",
            "figures": household_selectors.scope_figures(access=access, township_id=user.township_id),
            "rows": household_selectors.figures_by_village(access=access, township_id=user.township_id),
        }
    else:  # the county (county_admin and inspector)
        context = {
            "level": "county",
            "figures": household_selectors.scope_figures(access=access),
            "rows": household_selectors.figures_by_township(access=access),
        }
    # 转走访 reminders: what is overdue in this user's scope (the cadre's phone page shows its own).
    context["overdue"] = overdue_for(access=access)
    return render(request, "home.html", context)


@login_required
def exit_overview(request: HttpRequest) -> HttpResponse:
    """Per township its incidence against the criteria; per poor village each indicator met or missing."""
    access = Access.for_user(request.user)
    townships = list(township_list(access=access).order_by("code", "id"))
    try:
        township_id = int(request.GET.get("township") or 0) or None
    except ValueError:
        township_id = None
    if township_id not in {t.pk for t in townships}:
        township_id = None
    overview = selectors.exit_overview(access=access, township_id=township_id)
    return render(
        request,
        "dashboards/exit.html",
        {
            "overview": overview,
            "townships": townships,
            "township_id": township_id,
            "ready": sum(1 for v in overview.villages if v.ready and not v.figures.exit_year),
            # 申请出列 / 摘帽 links for the role that proposes; 填报 for the role that records indicators.
            "may_propose": access.may_take_step(PROPOSE),
            "may_record_indicators": access.may_change_model(VillageIndicatorStatus),
        },
    )
