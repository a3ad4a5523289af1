"""Pages: the monitoring list, an object's detail with the procedure's forms, the data-quality page by unit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import Access
from core.views import service_errors
from monitoring import selectors, services
from monitoring.forms import (
    AdvanceForm,
    ListFilterForm,
    MarkCorrectForm,
    ObjectionForm,
    ResolveForm,
    StableSinceForm,
)
from monitoring.models import MonitoringObjection
from monitoring.quality import CHECK_BY_CODE, CHECKS


@login_required
def object_list(request: HttpRequest) -> HttpResponse:
    access = Access.for_user(request.user)
    form = ListFilterForm(request.GET or None)
    qs = selectors.monitoring_object_list(access=access)
    if form.is_valid():
        qs = selectors.monitoring_object_filter(qs, **{k: v for k, v in form.cleaned_data.items() if v})
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/list.html",
        {
            "form": form,
            "page": page,
            "panel": selectors.monitoring_panel(access=access),
            "may_run_what_if": access.may_run_what_if,
        },
    )


def _render_detail(request, pk, *, status=200, **forms):
    access = Access.for_user(request.user)
    obj = access.get_or_404(selectors.monitoring_object_list(access=access), pk=pk)
    step = services.next_step(obj)
    context = {
        "obj": obj,
        "step": step,
        "may_act": step is not None and access.may_take_step(step),
        "steps": obj.steps.select_related("actor"),
        "objections": obj.objections.all(),
        "notice_open": services.notice_open(obj),
        "clearable_from": services.clearable_from(obj) if obj.monitored_on else None,
        "advance_form": forms.get("advance_form") or AdvanceForm(initial={"expected_state": obj.state}),
        "objection_form": forms.get("objection_form") or ObjectionForm(),
        "stable_form": forms.get("stable_form")
        or StableSinceForm(initial={"stable_since": obj.stable_since}),
        "resolve_form": ResolveForm(),
    }
    return render(request, "monitoring/detail.html", context, status=status)


@login_required
def object_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, pk)


@login_required
@require_POST
def object_advance(request: HttpRequest, pk: int) -> HttpResponse:
    access = Access.for_user(request.user)
    obj = access.get_or_404(selectors.monitoring_object_list(access=access), pk=pk)
    form = AdvanceForm(request.POST)
    if form.is_valid():
        with service_errors(form, request):
            services.monitoring_object_advance(obj=obj, user=request.user, **form.cleaned_data)
            messages.success(request, _("已办理。"))
            return redirect("monitoring:detail", pk=pk)
    return _render_detail(request, pk, status=400, advance_form=form)


@login_required
@require_POST
def object_stable_since(request: HttpRequest, pk: int) -> HttpResponse:
    access = Access.for_user(request.user)
    obj = access.get_or_404(selectors.monitoring_object_list(access=access), pk=pk)
    form = StableSinceForm(request.POST)
    if form.is_valid():
        with service_errors(form, request):
            services.monitoring_stable_since_set(
                obj=obj, user=request.user, since=form.cleaned_data["stable_since"]
            )
            messages.success(request, _("已登记收入稳定起始日期。"))
            return redirect("monitoring:detail", pk=pk)
    return _render_detail(request, pk, status=400, stable_form=form)


@login_required
@require_POST
def objection_record(request: HttpRequest, pk: int) -> HttpResponse:
    access = Access.for_user(request.user)
    obj = access.get_or_404(selectors.monitoring_object_list(access=access), pk=pk)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        with service_errors(form, request):
            services.monitoring_objection_record(obj=obj, user=request.user, **form.cleaned_data)
            messages.success(request, _("已记录异议。"))
            return redirect("monitoring:detail", pk=pk)
    return _render_detail(request, pk, status=400, objection_form=form)


@login_required
@require_POST
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    access = Access.for_user(request.user)
    objection = access.get_or_404(MonitoringObjection.objects, pk=pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        with service_errors(form, request):
            services.monitoring_objection_resolve(objection=objection, user=request.user, **form.cleaned_data)
            messages.success(request, _("已处理异议。"))
    else:
        messages.error(request, _("请填写处理结果。"))
    return redirect("monitoring:detail", pk=objection.object_id)


@login_required
def quality(request: HttpRequest) -> HttpResponse:
    access = Access.for_user(request.user)
    issues = selectors.quality_issue_list(access=access)
    rule = request.GET.get("rule", "")
    if rule in CHECK_BY_CODE:
        issues = issues.filter(rule=rule)
    page = Paginator(issues, 50).get_page(request.GET.get("page"))
    for issue in page:
        issue.check = CHECK_BY_CODE.get(issue.rule)
    return render(
        request,
        "monitoring/quality.html",
        {
            "by_unit": selectors.quality_by_unit(access=access),
            "checks": CHECKS,
            "names": {c.code: c.name for c in CHECKS},
            "rule": rule,
            "page": page,
            "form": MarkCorrectForm(),
        },
    )


@login_required
@require_POST
def quality_mark_correct(request: HttpRequest, pk: int) -> HttpResponse:
    access = Access.for_user(request.user)
    issue = access.get_or_404(selectors.quality_issue_list(access=access, include_checked=True), pk=pk)
    form = MarkCorrectForm(request.POST)
    if form.is_valid():
        with service_errors(form, request):
            services.quality_issue_mark_correct(
                issue=issue, user=request.user, note=form.cleaned_data["note"]
            )
            messages.success(request, _("已标记为核实无误。"))
    else:
        messages.error(request, _("请填写核实说明。"))
    return redirect("monitoring:quality")
