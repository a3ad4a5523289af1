"""Pages of village and township exit (出列 / 摘帽): the township's indicator forms, 申请出列 / 申请摘帽,
the application list and one application with its steps, 公示 and objections.

Views only read forms and call ``households.units.services`` and ``selectors``; who may take a step is
asked of Access (``may_take_step``), and out of scope is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import Access
from core.views import form_add_errors, page_of, service_errors
from households.choices import Decision
from households.exit.forms import ExitObjectionForm, ExitObjectionResolveForm
from households.units import selectors
from households.units.forms import (
    IndicatorSheetForm,
    UnitExitAdvanceForm,
    UnitExitApplyForm,
    UnitExitFilterForm,
)
from households.units.models import UnitExitObjection, UnitExitState, UnitLevel
from households.units.procedure import PROPOSE
from households.units.services import (
    UnitExitConflict,
    unit_exit_advance,
    unit_exit_objection_record,
    unit_exit_objection_resolve,
    unit_exit_propose,
    village_indicators_record,
)
from villages.models import VillageIndicatorStatus
from villages.selectors import township_list

PER_PAGE = 20


def _error(request: HttpRequest, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.error(request, text)


def _date(day) -> str:
    return _("{year}年{month}月{day}日").format(year=day.year, month=day.month, day=day.day)


# -- indicators ---------------------------------------------------------------------------------------


def _township_filter(request: HttpRequest, access: Access) -> tuple[list, int | None]:
    townships = list(township_list(access=access).order_by("code", "id"))
    try:
        township_id = int(request.GET.get("township") or 0) or None
    except ValueError:
        township_id = None
    if township_id not in {t.pk for t in townships}:
        township_id = None
    return townships, township_id


def _render_indicators(request: HttpRequest, *, bound: IndicatorSheetForm | None = None, status: int = 200):
    access = Access.for_user(request.user)
    townships, township_id = _township_filter(request, access)
    sheets = selectors.indicator_sheets(access=access, township_id=township_id)
    forms = [
        bound
        if bound is not None and bound.sheet.village.pk == sheet.village.pk
        else IndicatorSheetForm(sheet=sheet)
        for sheet in sheets
    ]
    return render(
        request,
        "households/units/indicators.html",
        {
            "forms": forms,
            "townships": townships,
            "township_id": township_id,
            "may_record": access.may_change_model(VillageIndicatorStatus),
        },
        status=status,
    )


@login_required
def indicators(request: HttpRequest) -> HttpResponse:
    """出列指标填报: a form per poor village in scope listing the province's recorded village indicators."""
    return _render_indicators(request)


@login_required
@require_POST
def indicators_record(request: HttpRequest, village_pk: int) -> HttpResponse:
    access = Access.for_user(request.user)
    sheet = selectors.indicator_sheet(access=access, village_id=village_pk)  # 404 out of scope
    form = IndicatorSheetForm(request.POST, sheet=sheet)
    if form.is_valid():
        try:
            recorded = village_indicators_record(
                village=sheet.village, user=request.user, statuses=form.statuses()
            )
        except ValidationError as exc:
            _error(request, exc)
        else:
            village = sheet.village
            messages.success(
                request,
                _("已保存{township}{village}的出列指标（{count} 项）。").format(
                    township=village.township.name, village=village.name, count=len(recorded)
                ),
            )
            return redirect(
                f"{reverse('unit_exit:indicators')}?township={village.township_id}#village-{village.pk}"
            )
    else:
        messages.error(request, _("{village}：请检查填写的内容。").format(village=sheet.village.name))
    return _render_indicators(request, bound=form, status=400)


# -- 申请出列 / 申请摘帽 ---------------------------------------------------------------------------------


@login_required
def unit_exit_apply(request: HttpRequest, level: str, pk: int) -> HttpResponse:
    access = Access.for_user(request.user)
    unit = selectors.unit_for_proposal(access=access, level=level, pk=pk)
    form = UnitExitApplyForm(request.POST or None, initial={"year": timezone.localdate().year})
    may_propose = access.may_take_step(PROPOSE)
    refusals: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            application = unit_exit_propose(
                unit=unit,
                year=form.cleaned_data["year"],
                user=request.user,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):  # a field of the form (the year)
                form_add_errors(form, exc)
            else:  # what the unit still lacks, one entry each
                refusals = exc.messages
        else:
            messages.success(
                request,
                _(
                    "已提交{unit_name}{year}年{level}申请，公示至 {day}，期间可记录异议；期满后由县扶贫办审批。"
                ).format(
                    unit_name=application.unit_name,
                    year=application.year,
                    level=application.get_level_display(),
                    day=_date(application.notice_ends_on),
                ),
            )
            return redirect("unit_exit:detail", pk=application.pk)
    readiness = selectors.unit_readiness(access=access, unit=unit)
    by_village, by_township = selectors.open_applications(
        access=access,
        village_ids=[unit.pk] if level == UnitLevel.VILLAGE else [],
        township_ids=[unit.pk] if level == UnitLevel.TOWNSHIP else [],
    )
    return render(
        request,
        "households/units/apply.html",
        {
            "open_application": by_village.get(unit.pk) or by_township.get(unit.pk),
            "unit": unit,
            "level": level,
            "word": _("出列") if level == UnitLevel.VILLAGE else _("摘帽"),
            "readiness": readiness,
            "form": form,
            "may_propose": may_propose,
            "refusals": refusals,
        },
        status=400 if request.method == "POST" else 200,
    )


# -- list and detail ----------------------------------------------------------------------------------


@login_required
def unit_exit_list(request: HttpRequest) -> HttpResponse:
    access = Access.for_user(request.user)
    form = UnitExitFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    applications = selectors.unit_exit_application_list(
        access=access, state=filters.get("state") or "", level=filters.get("level") or ""
    )
    page = page_of(request, applications, PER_PAGE)
    today = timezone.localdate()
    rows = [(a, selectors.unit_exit_progress(a, access=access, on=today)) for a in page.object_list]
    return render(request, "households/units/list.html", {"form": form, "page_obj": page, "rows": rows})


def _render_detail(request: HttpRequest, pk: int, *, status: int = 200, **forms) -> HttpResponse:
    access = Access.for_user(request.user)
    record = selectors.unit_exit_record(access=access, pk=pk)
    application = record.application
    return render(
        request,
        "households/units/detail.html",
        {
            "record": record,
            "application": application,
            "progress": record.progress,
            "readiness": record.readiness,
            "advance_form": forms.get("advance_form")
            or UnitExitAdvanceForm(initial={"step": application.state}),
            "objection_form": forms.get("objection_form") or ExitObjectionForm(),
            "resolve_form": forms.get("resolve_form"),
            "resolve_pk": forms.get("resolve_pk"),
            "may_record_objections": access.may_change_model(UnitExitObjection),
        },
        status=status,
    )


@login_required
def unit_exit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, pk)


@login_required
@require_POST
def unit_exit_advance_view(request: HttpRequest, pk: int) -> HttpResponse:
    access = Access.for_user(request.user)
    application = selectors.unit_exit_record(access=access, pk=pk).application  # 404 out of scope
    form = UnitExitAdvanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择同意或不同意。"))
        return _render_detail(request, pk, status=400, advance_form=form)
    decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
    try:
        application = unit_exit_advance(
            application=application,
            user=request.user,
            step=form.cleaned_data["step"],
            decision=decision,
            comment=comment,
        )
    except UnitExitConflict as exc:
        _error(request, exc)  # already decided (a double submit, or someone else first): show where it is
        return redirect("unit_exit:detail", pk=pk)
    except ValidationError as exc:
        _error(request, exc)
        form_add_errors(form, exc)
        return _render_detail(request, pk, status=400, advance_form=form)
    if decision == Decision.REJECT:
        messages.warning(
            request,
            _("已退回{unit_name}的{level}申请：{comment}").format(
                unit_name=application.unit_name,
                level=application.get_level_display(),
                comment=comment.strip(),
            ),
        )
    elif application.state == UnitExitState.COUNTY_APPROVED:
        word = _("出列") if application.level == UnitLevel.VILLAGE else _("摘帽")
        messages.success(
            request,
            _("{unit_name}已审批{word}，{word}年度 {year} 年。").format(
                unit_name=application.unit_name, word=word, year=application.year
            ),
        )
    else:
        messages.success(request, _("已办理：同意。"))
    return redirect("unit_exit:detail", pk=pk)


@login_required
@require_POST
def unit_exit_objection_view(request: HttpRequest, pk: int) -> HttpResponse:
    access = Access.for_user(request.user)
    application = selectors.unit_exit_record(access=access, pk=pk).application
    form = ExitObjectionForm(request.POST)
    if form.is_valid():
        with service_errors(form, request):
            unit_exit_objection_record(
                application=application,
                user=request.user,
                content=form.cleaned_data["content"],
                raised_by=form.cleaned_data["raised_by"],
            )
            messages.success(request, _("已记录公示异议。异议处理完毕前，县审批不能办理。"))
            return redirect("unit_exit:detail", pk=pk)
    return _render_detail(request, pk, status=400, objection_form=form)


@login_required
@require_POST
def unit_exit_objection_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    access = Access.for_user(request.user)
    objection = selectors.objection_in_scope(access=access, pk=pk)
    form = ExitObjectionResolveForm(request.POST)
    if form.is_valid():
        with service_errors(form, request):
            unit_exit_objection_resolve(
                objection=objection, user=request.user, resolution=form.cleaned_data["resolution"]
            )
            messages.success(request, _("已记录异议处理结果。"))
            return redirect("unit_exit:detail", pk=objection.application_id)
    return _render_detail(request, objection.application_id, status=400, resolve_form=form, resolve_pk=pk)
