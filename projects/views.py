"""Pages of money and moves: projects, relocation sites, training, targets and the 五个一批 breakdown.

Views read through the selectors and write through the services; a service's ValidationError is shown next
to the field it names. Every record is fetched through Access: out of scope answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import Access
from core.views import form_add_errors, page_of
from households import selectors as household_selectors
from households.models import Member
from projects import selectors, services
from projects.forms import (
    BeneficiaryAddForm,
    ProgressForm,
    ProjectFilterForm,
    ProjectForm,
    RelocationForm,
    SiteFilterForm,
    TrainingForm,
    TrainingParticipantForm,
)
from projects.models import ProgressEntry, Project, Relocation, Target, Training

PER_PAGE = 30
BENEFICIARIES_PER_PAGE = 50


def _filters(form) -> dict:
    if not form.is_bound:
        return {}
    form.is_valid()  # invalid filters are shown with their error; the valid ones still apply
    return dict(form.cleaned_data)


def _changeable_or_404(access: Access, obj):
    if not access.can_change(obj):
        raise Http404(_("未找到该记录，或不在您的管辖范围内。"))
    return obj


# -- projects ------------------------------------------------------------------------------------------


@login_required
def project_list(request):
    access = Access.for_user(request.user)
    form = ProjectFilterForm(request.GET or None, access=access)
    filters = _filters(form)
    if filters.pop("top", False):
        filters["parent"] = "top"
    projects = selectors.project_list(access=access, filters=filters)
    page = page_of(request, projects, PER_PAGE)
    return render(
        request,
        "projects/list.html",
        {
            "form": form,
            "page_obj": page,
            "totals": selectors.project_totals(projects),
            "can_create": access.may_change_model(Project),
            "nav_current": "projects:list",
        },
    )


@login_required
def project_detail(request, pk):
    access = Access.for_user(request.user)
    project = selectors.project_detail(access=access, pk=pk)
    beneficiaries = selectors.project_beneficiaries(access=access, project=project)
    page = page_of(request, beneficiaries, BENEFICIARIES_PER_PAGE)
    can_change = access.can_change(project)
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "rollup": selectors.subproject_rollup(access=access, project=project),
            "subprojects": selectors.subprojects(access=access, project=project)[:200],
            "beneficiaries": page,
            "can_change": can_change,
            "progress_form": ProgressForm() if can_change else None,
            "beneficiary_form": BeneficiaryAddForm(access=access) if can_change else None,
            "nav_current": "projects:list",
        },
    )


def _project_form_page(request, project: Project | None):
    access = Access.for_user(request.user)
    if project is None and not access.may_change_model(Project):
        raise Http404(_("您的角色不能登记项目。"))
    form = ProjectForm(request.POST or None, instance=project, access=access)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in ProjectForm.Meta.fields}
        try:
            if project is None:
                project = services.project_create(user=request.user, **values)
                messages.success(request, _("已登记项目“{name}”。").format(name=project.name))
            else:
                project = services.project_update(project=project, user=request.user, **values)
                messages.success(request, _("已保存。"))
            return redirect("projects:detail", pk=project.pk)
        except ValidationError as exc:
            form_add_errors(form, exc)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "project": project, "nav_current": "projects:list"},
    )


@login_required
def project_create(request):
    return _project_form_page(request, None)


@login_required
def project_edit(request, pk):
    access = Access.for_user(request.user)
    project = _changeable_or_404(access, access.get_or_404(Project.objects.all(), pk=pk))
    return _project_form_page(request, project)


@login_required
@require_POST
def project_delete(request, pk):
    access = Access.for_user(request.user)
    project = _changeable_or_404(access, access.get_or_404(Project.objects.all(), pk=pk))
    try:
        services.project_delete(project=project, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("projects:detail", pk=pk)
    messages.success(request, _("已删除项目“{name}”。").format(name=project.name))
    return redirect("projects:list")


@login_required
@require_POST
def project_close(request, pk):
    access = Access.for_user(request.user)
    project = _changeable_or_404(access, access.get_or_404(Project.objects.all(), pk=pk))
    services.project_close(project=project, user=request.user)
    messages.success(request, _("项目“{name}”已关闭。").format(name=project.name))
    return redirect("projects:detail", pk=pk)


@login_required
def progress_add(request, pk):
    access = Access.for_user(request.user)
    project = _changeable_or_404(access, access.get_or_404(Project.objects.all(), pk=pk))
    form = ProgressForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_add(project=project, user=request.user, **form.cleaned_data)
            messages.success(request, _("已添加进度。"))
            return redirect(reverse("projects:detail", args=[pk]) + "#progress")
        except ValidationError as exc:
            form_add_errors(form, exc)
    return render(
        request,
        "projects/progress_form.html",
        {"form": form, "project": project, "nav_current": "projects:list"},
    )


@login_required
def progress_photo(request, pk):
    access = Access.for_user(request.user)
    entry = access.get_or_404(ProgressEntry.objects.all(), pk=pk)
    if not entry.photo:
        raise Http404(_("没有照片。"))
    return FileResponse(entry.photo.open("rb"))


@login_required
@require_POST
def beneficiaries_add(request, pk):
    access = Access.for_user(request.user)
    project = _changeable_or_404(access, access.get_or_404(Project.objects.all(), pk=pk))
    form = BeneficiaryAddForm(request.POST, access=access)
    if form.is_valid():
        try:
            if form.cleaned_data.get("household"):
                warnings = services.beneficiaries_add(
                    project=project, user=request.user, households=[form.cleaned_data["household"]]
                )
                messages.success(
                    request,
                    _("已添加受益户 {number}。").format(
                        number=form.cleaned_data["household"].household_number
                    ),
                )
            else:
                added, warnings = services.beneficiaries_add_from_village(
                    project=project, user=request.user, village=form.cleaned_data["village"]
                )
                messages.success(
                    request,
                    _("已从{village}添加 {added} 户受益户。").format(
                        village=form.cleaned_data["village"].name, added=added
                    ),
                )
            for warning in warnings:
                messages.warning(request, warning)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(reverse("projects:detail", args=[pk]) + "#beneficiaries")


@login_required
@require_POST
def beneficiary_remove(request, pk, household_pk):
    access = Access.for_user(request.user)
    project = _changeable_or_404(access, access.get_or_404(Project.objects.all(), pk=pk))
    household = access.get_or_404(project.beneficiaries.all(), pk=household_pk)
    services.beneficiary_remove(project=project, user=request.user, household=household)
    messages.success(request, _("已移除受益户 {number}。").format(number=household.household_number))
    return redirect(reverse("projects:detail", args=[pk]) + "#beneficiaries")


# -- relocation ----------------------------------------------------------------------------------------


@login_required
def site_list(request):
    access = Access.for_user(request.user)
    form = SiteFilterForm(request.GET or None, access=access)
    sites = selectors.relocation_site_list(access=access, filters=_filters(form))
    return render(
        request,
        "projects/site_list.html",
        {
            "form": form,
            "sites": sites,
            "totals": selectors.relocation_site_totals(sites),
            "breaches": selectors.relocation_breaches(access=access).count(),
            "nav_current": "projects:list",
        },
    )


@login_required
def site_detail(request, pk):
    access = Access.for_user(request.user)
    site = selectors.relocation_site_detail(access=access, pk=pk)
    can_record = access.can_change_in(Relocation, township_id=site.township_id)
    form = RelocationForm(request.POST or None, access=access) if can_record else None
    if request.method == "POST":
        if form is None:
            raise Http404(_("您不能在该安置点登记搬迁。"))
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("household_number")
            try:
                services.relocation_record(user=request.user, household=form.household, site=site, **data)
                messages.success(
                    request,
                    _("已登记户 {number} 搬迁到{site}。").format(
                        number=form.household.household_number, site=site.name
                    ),
                )
                return redirect("projects:site-detail", pk=pk)
            except ValidationError as exc:
                form_add_errors(form, exc)
    moves = selectors.relocation_list(access=access, filters={"site": site.pk})
    page = page_of(request, moves, BENEFICIARIES_PER_PAGE)
    return render(
        request,
        "projects/site_detail.html",
        {"site": site, "moves": page, "form": form, "nav_current": "projects:list"},
    )


@login_required
def relocation_breaches(request):
    access = Access.for_user(request.user)
    breaches = selectors.relocation_breaches(access=access)
    page = page_of(request, breaches, BENEFICIARIES_PER_PAGE)
    return render(
        request,
        "projects/breaches.html",
        {"breaches": page, "limit": selectors.AREA_PER_PERSON, "nav_current": "projects:list"},
    )


# -- training ------------------------------------------------------------------------------------------


@login_required
def training_list(request):
    access = Access.for_user(request.user)
    trainings = selectors.training_list(access=access)
    return render(
        request,
        "projects/training_list.html",
        {
            "trainings": trainings,
            "by_kind": selectors.training_totals_by_kind(trainings),
            "can_create": access.may_change_model(Training),
            "nav_current": "projects:list",
        },
    )


@login_required
def training_create(request):
    access = Access.for_user(request.user)
    if not access.may_change_model(Training):
        raise Http404(_("您的角色不能登记培训。"))
    form = TrainingForm(request.POST or None, access=access)
    if request.method == "POST" and form.is_valid():
        try:
            training = services.training_create(user=request.user, **form.cleaned_data)
            return redirect("projects:training-detail", pk=training.pk)
        except ValidationError as exc:
            form_add_errors(form, exc)
    return render(request, "projects/training_form.html", {"form": form, "nav_current": "projects:list"})


@login_required
def training_detail(request, pk):
    access = Access.for_user(request.user)
    training = selectors.training_detail(access=access, pk=pk)
    can_change = access.can_change(training)
    form = TrainingParticipantForm(request.POST or None) if can_change else None
    if request.method == "POST":
        if form is None:
            raise Http404(_("您不能修改该培训。"))
        if form.is_valid():
            members = list(
                access.visible(Member.objects.filter(id_number__in=form.cleaned_data["id_numbers"]))
            )
            missing = set(form.cleaned_data["id_numbers"]) - {m.id_number for m in members}
            if missing:
                form.add_error(
                    "id_numbers",
                    _("未登记或不在您的管辖范围内：{numbers}").format(numbers=_("、").join(sorted(missing))),
                )
            else:
                try:
                    added = services.training_participants_add(
                        training=training, user=request.user, members=members
                    )
                    messages.success(request, _("已添加 {added} 名参训人员。").format(added=added))
                    return redirect("projects:training-detail", pk=pk)
                except ValidationError as exc:
                    form_add_errors(form, exc)
    participants = selectors.training_participants(access=access, training=training)
    page = page_of(request, participants, BENEFICIARIES_PER_PAGE)
    return render(
        request,
        "projects/training_detail.html",
        {
            "training": training,
            "participants": page,
            "form": form,
            "access": access,
            "nav_current": "projects:list",
        },
    )


# -- targets and 五个一批 --------------------------------------------------------------------------------


@login_required
def target_list(request):
    access = Access.for_user(request.user)
    targets = selectors.target_list(access=access)
    return render(
        request,
        "projects/targets.html",
        {"rows": selectors.target_progress(targets=targets), "nav_current": "projects:list"},
    )


@login_required
def measure_batches(request):
    access = Access.for_user(request.user)
    townships = list(selectors.township_options(access=access))
    township = None
    if request.GET.get("township"):
        township = next((t for t in townships if str(t.pk) == request.GET["township"]), None)
        if township is None:
            raise Http404(_("未找到该乡镇，或不在您的管辖范围内。"))
    elif len(townships) == 1:
        township = townships[0]
    rows = household_selectors.measure_batches(access=access, township_id=township.pk if township else None)
    targets = []
    if township is not None:
        targets = {
            t.category: t
            for t in access.visible(Target.objects.filter(township=township).exclude(category=""))
        }
    return render(
        request,
        "projects/batches.html",
        {
            "rows": [(row, targets.get(row.category) if targets else None) for row in rows],
            "township": township,
            "townships": townships,
            "nav_current": "projects:list",
        },
    )


# -- the household page's section ----------------------------------------------------------------------


def household_section(*, access: Access, household) -> dict:
    """项目、搬迁与培训 on the household page: a fixed number of queries."""
    return {
        "projects": list(
            access.visible(household.projects.all()).select_related("township").order_by("-year", "id")
        ),
        "relocations": list(
            access.visible(household.relocations.all())
            .select_related("site", "site__township", "from_natural_village")
            .order_by("id")
        ),
        "trainings": list(
            Training.participants.through.objects.filter(
                member__household=household,
                training__in=access.visible(Training.objects.all()).values("pk"),
            )
            .select_related("member", "training")
            .order_by("-training__year", "member_id")
        ),
    }
