"""Pages of the exit procedure (申请 → 村委会确定 → 民主评议 → 乡镇复核 → 县审批) and its notices.

Views only collect input and call ``households.exit.services``; whatever it refuses is shown in its own
words. Reads come from ``households.exit.selectors``, which go through the access rule.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import Access
from core.views import page_of, service_errors
from households.choices import Decision
from households.exit import selectors
from households.exit.forms import (
    AnnouncementForm,
    ExitAdvanceForm,
    ExitBatchApproveForm,
    ExitBatchCreateForm,
    ExitCreateForm,
    ExitFilterForm,
    ExitObjectionForm,
    ExitObjectionResolveForm,
    NoticeForm,
)
from households.exit.services import (
    APPLICATION,
    STEPS,
    BatchResult,
    exit_application_advance,
    exit_application_create,
    exit_applications_advance_batch,
    exit_applications_create_for_village,
    exit_objection_record,
    exit_objection_resolve,
    next_step,
)
from households.models import ExitObjection

PER_PAGE = 20
# 县审批 is the last step.
APPROVER_STEP_TARGET = STEPS[-1].target


def _date(day) -> str:
    return _("{year}年{month}月{day}日").format(year=day.year, month=day.month, day=day.day)


def _default_year(years: list[int]) -> int:
    return years[0] if years else timezone.localdate().year


# -- list and detail --------------------------------------------------------------------------------


@login_required
def exit_list(request: HttpRequest) -> HttpResponse:
    access = Access.for_user(request.user)
    form = ExitFilterForm(request.GET or None, years=selectors.exit_years(access=access))
    filters = form.cleaned_data if form.is_valid() else {}
    applications = selectors.exit_application_list(
        access=access,
        state=filters.get("state") or "",
        year=filters.get("year"),
        my_turn=bool(filters.get("mine")),
    )
    page = page_of(request, applications, PER_PAGE)
    today = timezone.localdate()
    rows = [(a, selectors.exit_progress(a, access=access, on=today)) for a in page.object_list]
    return render(
        request,
        "households/exit_list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": rows,
            "may_apply": access.may_take_step(APPLICATION),
            "may_approve": access.may_take_step(STEPS[-1]),
        },
    )


def _render_detail(request: HttpRequest, pk: int, *, status: int = 200, **forms) -> HttpResponse:
    access = Access.for_user(request.user)
    record = selectors.exit_application_record(access=access, pk=pk)
    may_record_objections = access.may_change_model(ExitObjection)
    context = {
        "record": record,
        "application": record.application,
        "household": record.household,
        "progress": record.progress,
        "advance_form": forms.get("advance_form") or ExitAdvanceForm(),
        "objection_form": forms.get("objection_form") or ExitObjectionForm(),
        "resolve_form": forms.get("resolve_form"),
        "resolve_pk": forms.get("resolve_pk"),
        "may_record_objections": may_record_objections,
    }
    return render(request, "households/exit_detail.html", context, status=status)


@login_required
def exit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, pk)


@login_required
@require_POST
def exit_advance(request: HttpRequest, pk: int) -> HttpResponse:
    access = Access.for_user(request.user)
    record = selectors.exit_application_record(access=access, pk=pk)  # 404 out of scope
    application = record.application
    step = next_step(application)
    form = ExitAdvanceForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("请刷新页面后再办理。") if "step" in form.errors else _("请选择同意或不同意。")
        )
        return _render_detail(request, pk, status=400, advance_form=form)
    decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
    with service_errors(form, request):
        application = exit_application_advance(
            application=application,
            user=request.user,
            decision=decision,
            comment=comment,
            step=form.cleaned_data["step"],
        )
        head = record.household.head_name or record.household.household_number
        if decision == Decision.REJECT:
            messages.warning(
                request,
                _("已退回{head}户的脱贫申请（{label}）：{comment}").format(
                    head=head, label=step.label, comment=comment.strip()
                ),
            )
        elif step.target == APPROVER_STEP_TARGET:
            messages.success(
                request,
                _("{head}户已审批脱贫，脱贫年度 {year} 年。").format(head=head, year=application.year),
            )
        elif application.notice_ends_on:
            messages.success(
                request,
                _("已办理“{step}”：同意。公示至 {day}，期间可记录异议。").format(
                    step=step.label, day=_date(application.notice_ends_on)
                ),
            )
        else:
            messages.success(request, _("已办理“{label}”：同意。").format(label=step.label))
        return redirect("households:exit-detail", pk=pk)
    return _render_detail(request, pk, status=400, advance_form=form)


@login_required
@require_POST
def exit_objection(request: HttpRequest, pk: int) -> HttpResponse:
    access = Access.for_user(request.user)
    record = selectors.exit_application_record(access=access, pk=pk)
    form = ExitObjectionForm(request.POST)
    if form.is_valid():
        with service_errors(form, request):
            exit_objection_record(
                application=record.application,
                user=request.user,
                content=form.cleaned_data["content"],
                raised_by=form.cleaned_data["raised_by"],
            )
            messages.success(request, _("已记录公示异议。异议处理完毕前，下一步不能办理。"))
            return redirect("households:exit-detail", pk=pk)
    return _render_detail(request, pk, status=400, objection_form=form)


@login_required
@require_POST
def exit_objection_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    access = Access.for_user(request.user)
    objection = selectors.objection_in_scope(access=access, pk=pk)
    form = ExitObjectionResolveForm(request.POST)
    if form.is_valid():
        with service_errors(form, request):
            exit_objection_resolve(
                objection=objection, user=request.user, resolution=form.cleaned_data["resolution"]
            )
            messages.success(request, _("已记录异议处理结果。"))
            return redirect("households:exit-detail", pk=objection.application_id)
    return _render_detail(request, objection.application_id, status=400, resolve_form=form, resolve_pk=pk)


# -- 申请脱贫: one household, or the village's list ---------------------------------------------------


@login_required
def exit_create(request: HttpRequest, household_pk: int) -> HttpResponse:
    access = Access.for_user(request.user)
    household = selectors.household_for_exit(access=access, pk=household_pk)
    open_application = selectors.open_application_for(access=access, household_id=household.pk)
    initial_year = household.eligibility_year or timezone.localdate().year
    form = ExitCreateForm(request.POST or None, initial={"year": initial_year})
    if request.method == "POST" and form.is_valid():
        with service_errors(form, request):
            application = exit_application_create(
                household=household,
                year=form.cleaned_data["year"],
                user=request.user,
                comment=form.cleaned_data["comment"],
            )
            messages.success(
                request,
                _("已登记{head_name}户的脱贫申请（{year}年）。下一步：{label}。").format(
                    head_name=household.head_name, year=application.year, label=STEPS[0].label
                ),
            )
            return redirect("households:exit-detail", pk=application.pk)
    return render(
        request,
        "households/exit_create.html",
        {
            "household": household,
            "open_application": open_application,
            "form": form,
            "may_apply": access.may_take_step(APPLICATION),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def exit_batch_create(request: HttpRequest) -> HttpResponse:
    access = Access.for_user(request.user)
    if not access.may_take_step(APPLICATION):
        messages.error(request, _("脱贫申请由村委会工作人员登记，整村提交请由村委会办理。"))
        return redirect("households:exit-list")
    years = selectors.candidate_years(access=access)
    data = request.POST if request.method == "POST" else None
    try:
        year = int((data or request.GET).get("year") or _default_year(years))
    except ValueError:
        year = _default_year(years)
    candidates = list(selectors.exit_candidates(access=access, year=year))
    form = ExitBatchCreateForm(data, initial={"year": year})
    if data is not None and form.is_valid():
        chosen = sorted(set(form.cleaned_data["households"]))
        result = exit_applications_create_for_village(
            user=request.user, household_ids=chosen, year=form.cleaned_data["year"]
        )
        result_households = selectors.households_by_id(access=access, ids=result.refused)
        if result.done:
            messages.success(
                request,
                _("已提交 {count} 户脱贫申请（{year}年），下一步：{label}。").format(
                    count=len(result.done), year=year, label=STEPS[0].label
                ),
            )
        names = {pk: h.head_name or h.household_number for pk, h in result_households.items()}
        for pk, reason in result.refused.items():
            messages.error(
                request,
                _("{household}户未提交：{reason}").format(
                    household=names.get(pk, _("编号 {pk} 的").format(pk=pk)), reason=reason
                ),
            )
        return redirect(f"{reverse('households:exit-list')}?state=applied&year={year}")
    if data is not None:
        messages.error(request, _("请检查填写的内容。"))
    return render(
        request,
        "households/exit_batch_create.html",
        {"form": form, "candidates": candidates, "year": year, "years": years},
        status=400 if data is not None else 200,
    )


# -- 县审批: a township's verified list in one go -----------------------------------------------------


@login_required
def exit_batch_advance(request: HttpRequest) -> HttpResponse:
    access = Access.for_user(request.user)
    if not access.may_take_step(STEPS[-1]):
        messages.error(request, _("“{label}”由县扶贫办管理员办理。").format(label=STEPS[-1].label))
        return redirect("households:exit-list")
    townships = list(selectors.township_choices(access=access))
    data = request.POST if request.method == "POST" else request.GET
    try:
        township_id = int(data.get("township") or 0) or None
    except ValueError:
        township_id = None
    applications = (
        list(selectors.verified_applications(access=access, township_id=township_id)) if township_id else []
    )
    form = ExitBatchApproveForm(
        request.POST if request.method == "POST" else None,
        townships=townships,
        initial={"township": township_id},
    )
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["applications"])
        selected = [a for a in applications if a.pk in chosen]
        if not selected:
            messages.error(request, _("请至少勾选一户（已审批或已退回的户不再列出）。"))
        else:
            result = exit_applications_advance_batch(
                user=request.user,
                applications=selected,
                decision=Decision.APPROVE,
                comment=form.cleaned_data["comment"],
            )
            return _batch_result(request, access, selected, result, townships, township_id)
    today = timezone.localdate()
    rows = [(a, selectors.exit_progress(a, access=access, on=today)) for a in applications]
    return render(
        request,
        "households/exit_batch_advance.html",
        {"form": form, "rows": rows, "township_id": township_id, "townships": townships},
        status=400 if request.method == "POST" else 200,
    )


def _batch_result(request, access, selected, result: BatchResult, townships, township_id) -> HttpResponse:
    households = selectors.households_by_id(access=access, ids=[a.household_id for a in selected])
    rows = [
        {
            "application": a,
            "household": households.get(a.household_id, a.household),
            "approved": a.household_id in result.done,
            "reason": result.refused.get(a.household_id, ""),
        }
        for a in selected
    ]
    township = next((t for t in townships if t.pk == township_id), None)
    if result.done:
        messages.success(
            request, _("{township}：{count} 户已审批脱贫。").format(township=township, count=len(result.done))
        )
    if result.refused:
        messages.warning(request, _("{count} 户未通过审批，原因见下表。").format(count=len(result.refused)))
    return render(
        request,
        "households/exit_batch_result.html",
        {"rows": rows, "township": township, "done": len(result.done), "refused": len(result.refused)},
    )


# -- printable notices --------------------------------------------------------------------------------


@login_required
def exit_notice(request: HttpRequest) -> HttpResponse:
    """村级公示: the households of a village in a public notice, to print and post."""
    access = Access.for_user(request.user)
    villages = list(selectors.village_choices(access=access))
    default_village = request.user.village_id or (villages[0].pk if villages else None)
    data = request.GET.copy()
    data.setdefault("village", str(default_village or ""))
    data.setdefault("year", str(_default_year(selectors.exit_years(access=access))))
    form = NoticeForm(data, villages=villages)
    village, rows = None, []
    if form.is_valid():
        village, rows = selectors.village_notice(
            access=access, village_id=form.cleaned_data["village"], year=form.cleaned_data["year"]
        )
    return render(
        request,
        "households/exit_notice.html",
        {
            "form": form,
            "village": village,
            "rows": rows,
            "year": form.cleaned_data.get("year") if form.is_valid() else None,
            "contact": form.cleaned_data.get("contact", "") if form.is_valid() else "",
            "today": timezone.localdate(),
        },
    )


@login_required
def exit_announcement(request: HttpRequest) -> HttpResponse:
    """县级公告: the households the county approved to exit in a year, by township and village."""
    access = Access.for_user(request.user)
    townships = list(selectors.township_choices(access=access))
    data = request.GET.copy()
    data.setdefault("year", str(_default_year(selectors.announcement_years(access=access))))
    form = AnnouncementForm(data, townships=townships)
    rows = []
    if form.is_valid():
        rows = selectors.county_announcement(
            access=access, year=form.cleaned_data["year"], township_id=form.cleaned_data["township"]
        )
    return render(
        request,
        "households/exit_announcement.html",
        {
            "form": form,
            "rows": rows,
            "year": form.cleaned_data.get("year") if form.is_valid() else None,
            "persons": sum(r.members for r in rows),
            "today": timezone.localdate(),
        },
    )
