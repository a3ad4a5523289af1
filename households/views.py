"""Household pages: the registry list, a household's page, and the forms that change it.

Views read through the selectors and write through the services; a service's ValidationError is shown
next to the field it names. Every record is fetched through Access: out of scope answers 404.
"""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import Access
from core.audit import full_id_numbers_log, full_id_numbers_shown
from core.views import form_add_errors, page_of, query_without, service_errors
from households import choices, selectors, services
from households.forms import (
    AssessmentForm,
    HeadChangeForm,
    HouseholdFilterForm,
    HouseholdForm,
    MemberFormSet,
    MemberLeaveForm,
    MergeForm,
    SplitForm,
)
from households.models import Assessment, EligibilityRun, Household, Member
from villages.models import NaturalVillage

PER_PAGE = 20
HISTORY_PER_PAGE = 20
MEMBER_PREFIX = "members"
# MemberData's fields: what household_create and member_add take for a new member.
NEW_MEMBER_FIELDS = tuple(services.MemberData.__dataclass_fields__)


class CappedPaginator(Paginator):
    """Counts at most selectors.LIST_COUNT_CAP + 1 rows (see selectors.list_ids): a province-wide list never
    counts a million rows, and a rare filter reads the table once."""

    order_field = "household_number"

    @cached_property
    def _ids(self) -> tuple[list[int] | None, int]:
        return selectors.list_ids(self.object_list, order_field=self.order_field)

    @cached_property
    def count(self) -> int:
        return self._ids[1]

    @property
    def capped(self) -> bool:
        return self.count > selectors.LIST_COUNT_CAP

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = self._ids[0]
        if ids is None:  # more rows than the cap: many match, so the ordered page query meets them early
            rows = list(self.object_list[bottom : bottom + self.per_page])
        else:
            rows = selectors.rows_by_ids(self.object_list, ids[bottom : bottom + self.per_page])
        return self._get_page(rows, number, self)


def _household_for_change(request, pk, model=Household) -> tuple[Access, Household]:
    """The household, if this user may change ``model`` records of it; otherwise 404 (DESIGN.md §4)."""
    access = Access.for_user(request.user)
    household = access.get_or_404(
        Household.objects.select_related("township", "village", "natural_village"), pk=pk
    )
    if not (access.may_change_model(model) and access.can_change(household)):
        raise Http404(_("未找到该记录，或不在您的管辖范围内。"))
    return access, household


def _with_member_counts(households) -> None:
    counts = selectors.current_member_counts([h.pk for h in households])
    for household in households:
        household.member_count = counts.get(household.pk, 0)


# -- list and detail ---------------------------------------------------------------------------------------


@login_required
def household_list(request):
    access = Access.for_user(request.user)
    form = HouseholdFilterForm(request.GET or None, access=access)
    # An invalid filter (e.g. a township out of scope) is shown with its error; the valid ones still apply:
    # after is_valid(), cleaned_data holds exactly the fields that passed.
    filters = {}
    if form.is_bound:
        form.is_valid()
        filters = form.cleaned_data
    households = selectors.household_list(access=access, filters=filters)
    page = page_of(request, households, PER_PAGE, paginator=CappedPaginator)
    _with_member_counts(page.object_list)
    context = {
        "form": form,
        "page_obj": page,
        "query": query_without(request),  # the export link takes the same filters
        "filtered": bool(form.errors) or any(v not in (None, "", False) for v in filters.values()),
        "can_create": access.may_change_model(Household),
    }
    return render(request, "households/list.html", context)


@login_required
def household_detail(request, pk):
    access = Access.for_user(request.user)
    household = selectors.household_detail(access=access, pk=pk)
    health_labels = dict(choices.Health.choices)
    household.shown_phone = access.phone(household.phone)
    if access.sees_full_id_numbers:
        full_id_numbers_shown(request, sum(1 for member in household.members.all() if member.id_number))
        full_id_numbers_log(request, what=f"户 {household.household_number}")
    for member in household.members.all():
        member.shown_id_number = access.id_number(member.id_number)
        # 残疾证号 begins with the ID number: masked the same way.
        member.shown_disability_certificate = access.id_number(member.disability_certificate)
        member.health_labels = [health_labels.get(code, code) for code in member.health]
    cause_labels = dict(choices.Cause.choices)
    can_change = access.can_change(household)
    context = {
        "household": household,
        "sections": selectors.household_sections(access=access, household=household),
        "other_causes": [cause_labels.get(code, code) for code in household.other_causes],
        "can_change": can_change,
        "can_assess": can_change and access.may_change_model(Assessment),
        "can_change_members": can_change and access.may_change_model(Member),
        "can_confirm_return": household.needs_return_review and selectors.can_confirm_return(access=access),
    }
    return render(request, "households/detail.html", context)


@login_required
def household_history(request, pk):
    """变更记录: a household's audit history, newest first, on a page of its own. The household's page links
    here rather than drawing it on every visit: three queries and a comparison of each version with the
    one before it, for what is looked up now and then (and a lighter page on a cadre's phone)."""
    access = Access.for_user(request.user)
    household = access.get_or_404(
        Household.objects.select_related("township", "village", "natural_village"), pk=pk
    )
    history = selectors.household_history(access=access, household=household)
    page = page_of(request, history, HISTORY_PER_PAGE)
    if access.sees_full_id_numbers:
        full_id_numbers_shown(request, sum(entry.whole_id_numbers for entry in page.object_list))
        full_id_numbers_log(request, what=f"户 {household.household_number} 变更记录")
    return render(request, "households/history.html", {"household": household, "page_obj": page})


# -- a household and its members ------------------------------------------------------------------------


def _natural_villages(access: Access):
    # The natural villages this user may register households in: their own scope.
    return access.visible(NaturalVillage.objects.all())


def _new_member_data(form) -> services.MemberData:
    return services.MemberData(**{name: form.cleaned_data[name] for name in NEW_MEMBER_FIELDS})


def _filled(formset) -> list:
    """The member forms the user filled in (blank extra rows are ignored)."""
    return [f for f in formset.forms if f.instance.pk or f.has_changed()]


def _show_member_errors(exc: ValidationError, forms_: list, formset_errors: list) -> None:
    """Errors of household_create about its members: 户主 count next to each 户主 choice, all above them."""
    if not hasattr(exc, "error_dict") and any(e.code == "head_count" for e in exc.error_list):
        heads = [f for f in forms_ if f.cleaned_data.get("relation") == choices.Relation.HEAD]
        for f in heads or forms_[:1]:
            f.add_error("relation", exc.messages)
    formset_errors.extend(exc.messages)


@login_required
def household_create(request):
    access = Access.for_user(request.user)
    if not access.may_change_model(Household):
        raise Http404(_("未找到该页面。"))
    natural_villages = _natural_villages(access)
    formset_errors: list[str] = []
    if request.method == "POST":
        form = HouseholdForm(request.POST, natural_villages=natural_villages)
        formset = _new_household_members(request.POST)
        if form.is_valid() and formset.is_valid():
            natural_village = form.cleaned_data["natural_village"]
            filled = _filled(formset)
            if not access.can_change_in(
                Household,
                township_id=natural_village.village.township_id,
                village_id=natural_village.village_id,
            ):
                form.add_error("natural_village", _("只能在您管辖范围内的自然村登记贫困户。"))
            else:
                try:
                    household = _create(request.user, form.cleaned_data, filled)
                except ValidationError as exc:
                    if hasattr(exc, "error_dict") and set(exc.error_dict) <= set(form.fields):
                        form_add_errors(form, exc)
                    else:
                        _show_member_errors(exc, filled, formset_errors)
                else:
                    messages.success(
                        request,
                        _("已登记贫困户 {household_number}（户主 {head_name}）。").format(
                            household_number=household.household_number, head_name=household.head_name
                        ),
                    )
                    return redirect("households:detail", pk=household.pk)
    else:
        form = HouseholdForm(natural_villages=natural_villages)
        formset = _new_household_members(None)
    return render(
        request,
        "households/household_form.html",
        {"form": form, "formset": formset, "formset_errors": formset_errors, "household": None},
    )


def _new_household_members(data):
    """Two rows to start (户主 and 配偶); rows left blank are ignored. The same initial values on POST, so
    an untouched 配偶 row counts as blank."""
    formset = MemberFormSet(
        data,
        queryset=Member.objects.none(),
        prefix=MEMBER_PREFIX,
        initial=[{"relation": choices.Relation.HEAD}, {"relation": choices.Relation.SPOUSE}],
    )
    formset.extra = 2
    return formset


def _create(user, data: dict, member_forms: list) -> Household:
    household = services.household_create(
        household_number=data["household_number"],
        natural_village=data["natural_village"],
        attribute=data["attribute"],
        main_cause=data["main_cause"],
        other_causes=data["other_causes"],
        identified_year=data["identified_year"],
        phone=data["phone"],
        members=[_new_member_data(f) for f in member_forms],
        user=user,
    )
    return household


@login_required
def household_edit(request, pk):
    access, household = _household_for_change(request, pk)
    natural_villages = _natural_villages(access)
    current = household.members.filter(left_reason="").order_by("id")
    formset_errors: list[str] = []
    if request.method == "POST":
        form = HouseholdForm(request.POST, instance=household, natural_villages=natural_villages)
        formset = MemberFormSet(request.POST, queryset=current, prefix=MEMBER_PREFIX)
        if form.is_valid() and formset.is_valid():
            rows = _member_edits(formset)
            try:
                services.household_edit(
                    household=household,
                    user=request.user,
                    changes={
                        name: form.cleaned_data[name]
                        for name in form.changed_data
                        if name in services.HOUSEHOLD_EDITABLE
                    },
                    members=[edit for _, edit in rows],
                )
            except services.HouseholdEditRefused as refused:
                # Nothing was written; each refusal is shown beside the form or row it concerns.
                if refused.household is not None:
                    form_add_errors(form, refused.household)
                for index, exc in refused.members.items():
                    form_add_errors(rows[index][0], exc)
            else:
                messages.success(
                    request,
                    _("已保存贫困户 {household_number} 的修改。").format(
                        household_number=household.household_number
                    ),
                )
                return redirect("households:detail", pk=household.pk)
    else:
        form = HouseholdForm(instance=household, natural_villages=natural_villages)
        formset = MemberFormSet(queryset=current, prefix=MEMBER_PREFIX)
        formset.extra = 1
    return render(
        request,
        "households/household_form.html",
        {"form": form, "formset": formset, "formset_errors": formset_errors, "household": household},
    )


def _member_edits(formset) -> list[tuple]:
    """Each member row the user changed or filled in, with its form (to show a refusal beside it)."""
    rows = []
    for member_form in formset.forms:
        if member_form.instance.pk:
            changes = {
                name: member_form.cleaned_data[name]
                for name in member_form.changed_data
                if name in services.MEMBER_EDITABLE
            }
            if changes:
                rows.append((member_form, services.MemberEdit(member=member_form.instance, changes=changes)))
        elif member_form.has_changed():
            data = {name: member_form.cleaned_data[name] for name in NEW_MEMBER_FIELDS}
            rows.append((member_form, services.MemberEdit(member=None, changes=data)))
    return rows


# -- yearly assessment -------------------------------------------------------------------------------------


@login_required
def assessment_record(request, pk):
    access, household = _household_for_change(request, pk, Assessment)
    if request.method == "POST":
        form = AssessmentForm(request.POST)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in (*form.INCOME_FIELDS, *form.SECURITY_FIELDS)}
            with service_errors(form):
                assessment = services.assessment_record(
                    household=household, year=form.cleaned_data["year"], user=request.user, **values
                )
                verdict = _("符合脱贫条件") if assessment.eligible else _("不符合脱贫条件")
                messages.success(
                    request,
                    _(
                        "已保存 {year} 年收入与保障情况：人均纯收入 {per_capita_net_income} 元，{verdict}。"
                    ).format(
                        year=assessment.year,
                        per_capita_net_income=assessment.per_capita_net_income,
                        verdict=verdict,
                    ),
                )
                return redirect("households:detail", pk=household.pk)
    else:
        year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else None
        assessments = household.assessments.order_by("-year")
        existing = assessments.filter(year=year).first() if year else assessments.first()
        initial = {"year": year or (existing.year if existing else selectors.latest_poverty_line_year())}
        if existing is not None:
            fields = (*AssessmentForm.INCOME_FIELDS, *AssessmentForm.SECURITY_FIELDS)
            initial.update({name: getattr(existing, name) for name in fields})
        form = AssessmentForm(initial=initial)
    context = {
        "form": form,
        "household": household,
        "income_fields": [form[name] for name in form.INCOME_FIELDS],
        "security_fields": [form[name] for name in form.SECURITY_FIELDS],
    }
    return render(request, "households/assessment_form.html", context)


# -- member leaving, 户主, 分户, 合户 ------------------------------------------------------------------


@login_required
def member_leave(request, pk, member_pk):
    access, household = _household_for_change(request, pk, Member)
    member = access.get_or_404(Member.objects.filter(household=household, left_reason=""), pk=member_pk)
    others = household.members.filter(left_reason="").exclude(pk=member.pk).order_by("id")
    form = MemberLeaveForm(request.POST or None, others=others)
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            services.member_leave(
                member=member,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["on"],
                new_head=form.cleaned_data["new_head"],
                user=request.user,
            )
            messages.success(
                request,
                _("{member} 已减少（{label}），记录保留。").format(
                    member=member.name, label=choices.LeaveReason(form.cleaned_data["reason"]).label
                ),
            )
            return redirect("households:detail", pk=household.pk)
    context = {
        "form": form,
        "household": household,
        "member": member,
        "is_head": member.relation == choices.Relation.HEAD,
        "heading": _("成员减少：{member}").format(member=member.name),
        "submit_label": _("确认减少"),
        "submit_class": "btn-danger",
    }
    return render(request, "households/member_leave.html", context)


@login_required
def head_change(request, pk):
    access, household = _household_for_change(request, pk)
    current = household.members.filter(left_reason="").order_by("id")
    candidates = current.exclude(relation=choices.Relation.HEAD)
    form = HeadChangeForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            services.head_change(
                household=household,
                new_head=form.cleaned_data["new_head"],
                old_head_relation=form.cleaned_data["old_head_relation"],
                user=request.user,
            )
            messages.success(
                request, _("户主已变更为 {name}。").format(name=form.cleaned_data["new_head"].name)
            )
            return redirect("households:detail", pk=household.pk)
    head = next((m for m in current if m.relation == choices.Relation.HEAD), None)
    context = {
        "form": form,
        "household": household,
        "head": head,
        "heading": _("变更户主"),
        "submit_label": _("确认变更"),
    }
    return render(request, "households/head_change.html", context)


@login_required
def household_split(request, pk):
    access, household = _household_for_change(request, pk)
    candidates = (
        household.members.filter(left_reason="").exclude(relation=choices.Relation.HEAD).order_by("id")
    )
    form = SplitForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            new = services.household_split(
                household=household,
                members=list(form.cleaned_data["members"]),
                new_head=form.cleaned_data["new_head"],
                household_number=form.cleaned_data["household_number"].strip(),
                user=request.user,
            )
            messages.success(
                request,
                _("分户完成：新户 {household_number}（户主 {head_name}），成员的历史记录随人保留。").format(
                    household_number=new.household_number, head_name=new.head_name
                ),
            )
            return redirect("households:detail", pk=new.pk)
    context = {"form": form, "household": household, "heading": _("分户"), "submit_label": _("确认分户")}
    return render(request, "households/split.html", context)


@login_required
def household_merge(request, pk):
    access, household = _household_for_change(request, pk)
    form = MergeForm(request.POST or None, households=access.visible(Household.objects.all()))
    if request.method == "POST" and form.is_valid():
        source = form.cleaned_data["source_number"]
        with service_errors(form):
            services.household_merge(
                target=household, source=source, relation=form.cleaned_data["relation"], user=request.user
            )
            messages.success(
                request,
                _("合户完成：{household_number} 的在册成员已并入本户，原户标记为已清退。").format(
                    household_number=source.household_number
                ),
            )
            return redirect("households:detail", pk=household.pk)
    context = {"form": form, "household": household, "heading": _("合户"), "submit_label": _("确认合户")}
    return render(request, "households/merge.html", context)


# -- 返贫 review ---------------------------------------------------------------------------------------------


@login_required
def return_review(request):
    access = Access.for_user(request.user)
    page = page_of(request, selectors.return_review_list(access=access), PER_PAGE, paginator=CappedPaginator)
    _with_member_counts(page.object_list)
    context = {
        "page_obj": page,
        "can_confirm": selectors.can_confirm_return(access=access),
    }
    return render(request, "households/return_review.html", context)


@login_required
@require_POST
def return_confirm(request, pk):
    access = Access.for_user(request.user)
    household = access.get_or_404(Household.objects.all(), pk=pk)
    confirm = request.POST.get("decision") == "confirm"
    try:
        services.household_return_confirm(household=household, user=request.user, confirm=confirm)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if confirm:
            messages.success(
                request,
                _("已确认 {household_number}（{head_name}）返贫。").format(
                    household_number=household.household_number, head_name=household.head_name
                ),
            )
        else:
            messages.info(
                request,
                _("已核实 {household_number}（{head_name}）不属返贫，保持已脱贫。").format(
                    household_number=household.household_number, head_name=household.head_name
                ),
            )
    target = request.POST.get("next")
    if target == "detail":
        return redirect("households:detail", pk=household.pk)
    return redirect(reverse("households:return-review"))


@login_required
def eligibility_runs(request):
    """脱贫条件重算记录: each run of the recompute, with what it checked and changed; the county admin can
    start one here (after a failed start, say with the broker down, this is how it is run again)."""
    access = Access.for_user(request.user)
    page = page_of(request, selectors.eligibility_runs(access=access), 30)
    context = {
        "page_obj": page,
        "can_recompute": access.may_recompute_eligibility,
        "running": selectors.eligibility_recompute_running() if access.may_recompute_eligibility else None,
    }
    return render(request, "households/eligibility_runs.html", context)


@login_required
@require_POST
def eligibility_recompute_start(request):
    """重新计算: the whole registry's recompute, as a job; the runs page shows it when it is done."""
    access = Access.for_user(request.user)
    if not access.may_recompute_eligibility:
        raise PermissionDenied(_("只有县扶贫办管理员可以重算脱贫条件。"))
    job = services.eligibility_recompute_enqueue(trigger=EligibilityRun.Trigger.MANUAL, user=request.user)

    def said() -> None:  # after the job's own enqueue (on commit): did it start?
        job.refresh_from_db()
        if job.state == job.State.FAILED:
            messages.error(request, _("重新计算未能开始：{reason}").format(reason=job.error))
        elif job.state == job.State.DONE:
            messages.success(request, _("已重新计算全部贫困户的脱贫条件。"))
        else:
            messages.success(request, _("已开始重新计算，完成后结果出现在下方记录中。"))

    transaction.on_commit(said)
    return redirect("households:eligibility-runs")


@login_required
def eligibility_run(request, pk):
    """One run's before/after: the households in the user's scope whose decision changed, and why."""
    access = Access.for_user(request.user)
    run = get_object_or_404(selectors.eligibility_runs(access=access), pk=pk)
    became = request.GET.get("became") if request.GET.get("became") in ("eligible", "ineligible") else None
    changes = selectors.eligibility_changes(access=access, run_id=run.pk, became=became)
    page = page_of(request, changes, 50)
    return render(
        request, "households/eligibility_run.html", {"run": run, "page_obj": page, "became": became}
    )


# -- 一户一策 and assistance measures (五个一批) ------------------------------------------------------------


@login_required
def help_plan_edit(request, pk):
    """A household's yearly plan and its measures: edit the plan, add or remove measures."""
    from households.forms import HelpPlanForm, MeasureForm
    from households.models import AssistanceMeasure, HelpPlan

    access, household = _household_for_change(request, pk, HelpPlan)
    plans = {plan.year: plan for plan in selectors.help_plans(access=access, household=household)}
    try:
        year = int(request.GET.get("year") or max(plans, default=0) or timezone_year())
    except ValueError:
        raise Http404(_("年度无效。")) from None
    current = plans.get(year)
    plan_initial = {
        "year": year,
        "cause_analysis": getattr(current, "cause_analysis", ""),
        "plan": getattr(current, "plan", ""),
    }
    action = request.POST.get("action") if request.method == "POST" else None
    plan_form = HelpPlanForm(request.POST if action == "plan" else None, initial=plan_initial)
    measure_form = MeasureForm(
        request.POST if action == "measure" else None,
        access=access,
        household=household,
        initial={"year": year},
    )
    try:
        if action == "plan" and plan_form.is_valid():
            services.help_plan_save(household=household, user=request.user, **plan_form.cleaned_data)
            messages.success(
                request, _("已保存 {year} 年一户一策。").format(year=plan_form.cleaned_data["year"])
            )
            return redirect(
                f"{reverse('households:help-plan', args=[pk])}?year={plan_form.cleaned_data['year']}"
            )
        if action == "measure" and measure_form.is_valid():
            services.measure_add(household=household, user=request.user, **measure_form.cleaned_data)
            messages.success(request, _("已添加帮扶措施。"))
            return redirect(f"{reverse('households:help-plan', args=[pk])}?year={year}#measures")
        if action == "delete":
            measure = access.get_or_404(
                AssistanceMeasure.objects.filter(household=household), pk=request.POST.get("measure")
            )
            services.measure_delete(measure=measure, user=request.user)
            messages.success(request, _("已删除帮扶措施。"))
            return redirect(f"{reverse('households:help-plan', args=[pk])}?year={year}#measures")
    except ValidationError as exc:
        form_add_errors(plan_form if action == "plan" else measure_form, exc)
    return render(
        request,
        "households/help_plan.html",
        {
            "household": household,
            "year": year,
            "years": sorted(plans, reverse=True),
            "plan_form": plan_form,
            "measure_form": measure_form,
            "measures": selectors.household_measures(access=access, household=household),
        },
    )


def timezone_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year
