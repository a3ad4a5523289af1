"""The signed-in user's home, the dashboard of their own scope (DESIGN.md §8), and the village and
township exit page: pages that combine the figures of every app."""

from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assignments.phone import views as phone_views
from assignments.selectors import overdue_for
from core.access import Access
from dashboards import selectors
from dashboards.exports import dashboard_workbook
from households.units.procedure import PROPOSE
from monitoring.selectors import monitoring_panel
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
    unit_id = {"village": user.village_id, "township": user.township_id}.get(level)
    unit = selectors.dashboard_unit(access=access, level=level if unit_id else "county", unit_id=unit_id)
    return _dashboard_page(request, access, unit)


def _dashboard_page(request, access: Access, unit) -> HttpResponse:
    """The dashboard page. Its body is kept rendered beside the figures it shows, for the users who share
    them (``kept_for_scope``): drawing the tables took most of a kept page's time (about 25 of 30 ms), and
    officials reopen their home page all day. The key holds the time the figures were counted, so a new
    count draws a new body; the body shows nothing of the user but their role and unit."""
    # ?fresh=1 (the 重新统计 link): count now rather than show what was kept, e.g. just after an approval.
    fresh = request.GET.get("fresh") == "1"
    board = selectors.unit_dashboard(access=access, unit=unit, fresh=fresh)
    body = _kept_drawing(
        request,
        access,
        f"page:{unit.level}:{unit.id}:{board.computed_at.isoformat()}",
        "includes/dashboard_body.html",
        lambda: _dashboard_context(access, unit, board, fresh),
        fresh=fresh,
    )
    return render(request, "home.html", {"board": board, "figures": board.figures, "dashboard_body": body})


def _kept_drawing(request, access: Access, name: str, template: str, context, *, fresh: bool = False) -> str:
    """``template`` drawn with ``context()``, kept by ``kept_for_scope`` under ``name`` and the language: a
    page part that shows nothing of the user but their role and unit (no form, no CSRF token)."""
    return selectors.kept_for_scope(
        access,
        f"{name}:{get_language()}",
        lambda: render_to_string(template, context(), request=request),
        fresh=fresh,
    )


def _dashboard_context(access: Access, unit, board, fresh: bool) -> dict:
    return {
        "can_recount": not board.from_summary and selectors.keeps_live_figures(access),
        "level": unit.level,
        "board": board,
        "figures": board.figures,
        "rows": board.rows,
        "unit_params": unit.list_params,
        "charts": _chart_data(board),
        # 转走访 reminders: what is overdue in this user's scope (the cadre's phone page shows its own).
        "overdue": selectors.kept_for_scope(
            access, "overdue", lambda: overdue_for(access=access), fresh=fresh
        ),
        # 防返贫监测 in the unit (monitoring/_dashboard_panel.html): one query.
        "monitoring": monitoring_panel(access=access, **unit.list_params),
    }


def _chart_data(board) -> dict:
    """What the charts draw: the same figures as the tables beside them (static/js/dashboard.js)."""
    targets = {t.target.year: t.target.households for t in board.targets if t.target.households is not None}
    chart = {
        "years": {
            "labels": [str(y["year"]) for y in board.by_year],
            "exits": [y["exits"] for y in board.by_year],
            "identified": [y["households"] for y in board.by_year],
            "targets": [targets.get(y["year"]) for y in board.by_year],
        },
        "causes": [{"name": c["label"], "value": c["households"]} for c in board.causes],
        "batches": {
            "labels": [b.label for b in board.batches],
            "households": [b.households for b in board.batches],
            "persons": [b.persons for b in board.batches],
        },
    }
    if board.completion:
        rows = board.completion[0]
        chart["completion"] = {
            "labels": [r.name for r in rows],
            "visited": [r.visited for r in rows],
            "overdue": [r.overdue for r in rows],
            "pending": [r.pending for r in rows],
        }
    return chart


@login_required
def unit_dashboard(request, level: str, unit_id: int | None = None):
    """The dashboard of any unit in the user's scope: the county ranks townships, a township its villages."""
    access = Access.for_user(request.user)
    unit = selectors.dashboard_unit(access=access, level=level, unit_id=unit_id)
    return _dashboard_page(request, access, unit)


@login_required
def unit_dashboard_xlsx(request, level: str, unit_id: int | None = None):
    """The dashboard as a workbook, one sheet per table."""
    access = Access.for_user(request.user)
    unit = selectors.dashboard_unit(access=access, level=level, unit_id=unit_id)
    board = selectors.unit_dashboard(access=access, unit=unit)
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = _("{name}工作概况.xlsx").format(name=board.figures.name or unit.name)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    dashboard_workbook(board, response)
    return response


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


@login_required
def battle_map(request):
    """挂图作战: natural villages coloured by the share of poor persons, relocation sites by state, projects
    as markers; a click opens the unit's dashboard. Tiles from MAP_TILE_URL, or a plain background."""
    access = Access.for_user(request.user)
    townships = list(township_list(access=access).order_by("code", "id"))
    try:
        township_id = int(request.GET.get("township") or 0) or None
    except ValueError:
        township_id = None
    if township_id not in {t.pk for t in townships}:
        township_id = None

    def context():
        data = selectors.battle_map(access=access, township_id=township_id)
        return {
            "map": data,
            "map_json": {
                "points": data.points,
                "sites": data.sites,
                "projects": data.projects,
                "tiles": settings.MAP_TILE_URL,
                "village_url": reverse("dashboards:village", args=[0]),
            },
            "townships": townships,
            "township_id": township_id,
        }

    # Kept drawn, as the dashboards' bodies are: its table of every natural village took most of the page.
    body = _kept_drawing(request, access, f"map-page:{township_id}", "dashboards/_map_body.html", context)
    return render(request, "dashboards/map.html", {"map_body": body})
