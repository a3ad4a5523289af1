"""Pages for officials: pairings (挂包帮), households without a cadre, work units, cadres, revisit rounds
with their completion, revisits in scope, and the printables (公示牌, 联系卡).

Views collect input and call ``assignments.services``; reads come from ``assignments.selectors``, which
ask the access rule. Whatever a service refuses is shown in its own words, and nothing is changed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assignments import selectors
from assignments.forms import CadreFilterForm, CompletionForm, PairingBatchForm, RevisitFilterForm, RoundForm
from assignments.models import Pairing, RevisitRound
from assignments.services import pairings_apply, revisit_round_create
from core.access import Access
from core.views import page_of, service_errors

PER_PAGE = 50
NOTICE_TABLE_MAX = 40
COMPLETION_ROWS_PER_PAGE = 100


def _officials_only(request: HttpRequest) -> Access:
    """These are office pages; a cadre's pages are the phone pages (我的挂包户)."""
    access = Access.for_user(request.user)
    if not access.is_official:
        raise Http404(_("未找到该页面。"))
    return access


def _int(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


# -- pairings ------------------------------------------------------------------------------------------


@login_required
def pairings(request: HttpRequest) -> HttpResponse:
    """挂包帮: the villages in scope with their paired and unpaired households."""
    access = _officials_only(request)
    rows = selectors.pairing_villages(access=access)
    return render(
        request,
        "assignments/pairings.html",
        {
            "rows": rows,
            "total_households": sum(r.households for r in rows),
            "total_paired": sum(r.paired for r in rows),
            "tab": "pairings",
        },
    )


def _village_form_context(access: Access, village_id: int, data=None) -> dict:
    village = selectors.pairing_village_get(access=access, village_id=village_id)
    households = list(selectors.pairing_households(access=access, village_id=village.pk))
    may_change = access.can_change_in(Pairing, township_id=village.township_id, village_id=village.pk)
    cadres = list(selectors.pairing_cadre_choices(access=access, village_id=village.pk)) if may_change else []
    form = PairingBatchForm(data, households=households, cadres=cadres)
    return {
        "village": village,
        "form": form,
        "households": households,
        "may_change": may_change,
        "paired": sum(1 for h in households if h.active_pairings),
        "cadre_count": len(cadres),
        "tab": "pairings",
    }


@login_required
def pairing_village(request: HttpRequest, pk: int) -> HttpResponse:
    """One village: its households with their active cadre; pair, re-pair and end many at once."""
    access = _officials_only(request)
    if request.method != "POST":
        return render(request, "assignments/pairing_village.html", _village_form_context(access, pk))
    context = _village_form_context(access, pk, request.POST)
    form = context["form"]
    if not context["may_change"]:
        messages.error(request, _("您的角色不能安排结对帮扶。"))
        return render(request, "assignments/pairing_village.html", context, status=403)
    if not form.is_valid():
        return render(request, "assignments/pairing_village.html", context, status=400)
    with service_errors(form):
        result = pairings_apply(
            user=request.user, village_id=pk, changes=form.changes(), on=form.cleaned_data["on"]
        )
        messages.success(
            request,
            _("已保存：新结对 {paired} 户，更换干部 {repaired} 户，结束结对 {ended} 户。").format(
                paired=result.paired, repaired=result.repaired, ended=result.ended
            ),
        )
        return redirect("assignments:pairing-village", pk=pk)
    return render(request, "assignments/pairing_village.html", context, status=400)


@login_required
def without_cadre(request: HttpRequest) -> HttpResponse:
    """Poor households with no active cadre."""
    access = _officials_only(request)
    village_id = _int(request.GET.get("village"))
    households = selectors.households_without_cadre(access=access, village_id=village_id)
    page = page_of(request, households, PER_PAGE)
    return render(
        request,
        "assignments/without_cadre.html",
        {"page_obj": page, "tab": "without-cadre"},
    )


# -- work units and cadres -----------------------------------------------------------------------------


@login_required
def work_units(request: HttpRequest) -> HttpResponse:
    access = _officials_only(request)
    units = selectors.work_unit_list(access=access)
    return render(request, "assignments/work_units.html", {"units": units, "tab": "units"})


@login_required
def cadres(request: HttpRequest) -> HttpResponse:
    access = _officials_only(request)
    form = CadreFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.cadre_list(access=access, unit_id=filters.get("unit"), q=filters.get("q") or "")
    page = page_of(request, rows, PER_PAGE)
    return render(
        request,
        "assignments/cadres.html",
        {"form": form, "page_obj": page, "tab": "cadres"},
    )


@login_required
def cadre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = _officials_only(request)
    cadre = selectors.cadre_get(access=access, cadre_id=pk)
    pairings_ = list(selectors.cadre_pairings(access=access, cadre_id=cadre.pk))
    return render(
        request,
        "assignments/cadre_detail.html",
        {
            "cadre": cadre,
            "active": [p for p in pairings_ if p.ended_on is None],
            "ended": [p for p in pairings_ if p.ended_on is not None],
            "tab": "cadres",
        },
    )


# -- revisit rounds ------------------------------------------------------------------------------------


@login_required
def rounds(request: HttpRequest) -> HttpResponse:
    access = _officials_only(request)
    return render(
        request,
        "assignments/rounds.html",
        {
            "rounds": selectors.round_list(access=access),
            "today": timezone.localdate(),
            "may_create": access.may_create_model(RevisitRound),
            "tab": "rounds",
        },
    )


@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    if not _officials_only(request).may_create_model(RevisitRound):
        raise Http404(_("未找到该页面。"))
    form = RoundForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            with service_errors(form):
                rnd = revisit_round_create(user=request.user, **form.cleaned_data)
                messages.success(request, _("已新建回访轮次：{name}。").format(name=rnd.name))
                return redirect("assignments:round-detail", pk=rnd.pk)
        return render(request, "assignments/round_form.html", {"form": form, "tab": "rounds"}, status=400)
    return render(request, "assignments/round_form.html", {"form": form, "tab": "rounds"})


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A round's completion (visited / due / overdue), grouped by cadre, unit, village, township or county."""
    access = _officials_only(request)
    rnd = selectors.round_get(access=access, round_id=pk)
    choices = selectors.group_choices(access)
    form = CompletionForm(request.GET or None, choices=choices)
    group_by = (form.cleaned_data.get("group_by") if form.is_valid() else None) or selectors.default_group(
        access
    )
    today = timezone.localdate()
    rows = selectors.round_completion(access=access, round_id=rnd, group_by=group_by, today=today)
    # A county has thousands of cadres: the figures are computed once, the rows shown a page at a time.
    page = page_of(request, rows, COMPLETION_ROWS_PER_PAGE)
    return render(
        request,
        "assignments/round_detail.html",
        {
            "round": rnd,
            "rows": page.object_list,
            "page_obj": page,
            "total": selectors.completion_total(rows),
            "group_by": group_by,
            "choices": choices,
            "closed": today > rnd.ends_on,
            "tab": "rounds",
        },
    )


@login_required
def revisit_list(request: HttpRequest) -> HttpResponse:
    """转走访 records in the user's scope."""
    access = _officials_only(request)
    rounds_ = list(selectors.round_list(access=access))
    form = RevisitFilterForm(request.GET or None, rounds=rounds_)
    filters = form.cleaned_data if form.is_valid() else {}
    revisits = selectors.revisit_list(
        access=access,
        round_id=filters.get("round"),
        village_id=filters.get("village"),
        cadre_id=filters.get("cadre"),
    )
    page = page_of(request, revisits, PER_PAGE)
    return render(
        request,
        "assignments/revisits.html",
        {"form": form, "page_obj": page, "tab": "revisits"},
    )


# -- printables ----------------------------------------------------------------------------------------


@login_required
def notice_board(request: HttpRequest, pk: int) -> HttpResponse:
    """公示牌 of a village: paired cadres, their households, units and phone numbers, on one A4 sheet."""
    access = _officials_only(request)
    village = selectors.pairing_village_get(access=access, village_id=pk)
    pairings_ = list(selectors.notice_board(access=access, village_id=village.pk))
    groups: list[dict] = []
    for pairing in pairings_:
        if not groups or groups[-1]["cadre"].pk != pairing.cadre_id:
            groups.append({"cadre": pairing.cadre, "households": []})
        groups[-1]["households"].append(pairing.household)
    units = sorted({p.cadre.unit.name for p in pairings_})
    return render(
        request,
        "assignments/notice_board.html",
        {
            "village": village,
            "groups": groups,
            "units": units,
            "household_count": len(pairings_),
            # Past about 40 households a table row per cadre runs over one A4 sheet: use the dense layout.
            "dense": len(pairings_) > NOTICE_TABLE_MAX,
            "today": timezone.localdate(),
        },
    )


@login_required
def contact_cards(request: HttpRequest, pk: int) -> HttpResponse:
    """联系卡 for every paired household of a village, several to an A4 sheet, to cut apart."""
    access = _officials_only(request)
    village = selectors.pairing_village_get(access=access, village_id=pk)
    cards = list(selectors.contact_cards(access=access, village_id=village.pk))
    return render(
        request,
        "assignments/contact_cards.html",
        {"village": village, "cards": cards, "back": reverse("assignments:pairing-village", args=[pk])},
    )


@login_required
def household_card(request: HttpRequest, pk: int) -> HttpResponse:
    """联系卡 of one household."""
    access = _officials_only(request)
    cards = list(selectors.contact_cards(access=access, household_id=pk))
    if not cards:
        raise Http404(_("该户没有在帮的干部，或不在您的管辖范围内。"))
    village = cards[0].household.village
    return render(
        request,
        "assignments/contact_cards.html",
        {
            "village": village,
            "cards": cards,
            "back": reverse("assignments:pairing-village", args=[village.pk]),
        },
    )
