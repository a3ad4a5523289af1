"""Roster pages (花名册导入导出), generic over the roster registry: the roster centre (templates, upload,
recent imports), an import's page (progress, preview counts, errors, error workbook, 确认导入), exports
(at once when small, as a job with a progress bar when large) and the access-checked downloads.

Every record is read through Access: someone else's import or export answers 404. Files are never
served from a public media URL.
"""

from __future__ import annotations

import datetime
import io
import os
import tempfile

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import Access
from core.audit import access_log_record
from core.excel.limits import Limits
from core.excel.registry import RosterEntry, roster_entries, roster_entry
from core.models import AccessLog, ImportRecord, Job
from core.rosters.exports import (
    XLSX,
    access_signature,
    export_expired,
    export_queryset,
    is_large,
    roster_export,
    roster_export_start,
)
from core.rosters.imports import roster_import, roster_import_commit
from core.views import page_of

RECORDS_PER_PAGE = 20
ERRORS_PER_PAGE = 50
# Breakdown names of the importers' counts, as shown in the preview; an unknown one is shown as it is.
COUNT_LABELS = {
    "households": gettext_lazy("贫困户"),
    "members": gettext_lazy("家庭成员"),
    "assessments": gettext_lazy("年度收入"),
    "pairings": gettext_lazy("挂包帮结对"),
    "cadres": gettext_lazy("干部"),
    "work_units": gettext_lazy("挂联单位"),
    "revisits": gettext_lazy("走访记录"),
    "projects": gettext_lazy("项目"),
    "relocations": gettext_lazy("搬迁户"),
    "relocation_sites": gettext_lazy("安置点"),
    "trainings": gettext_lazy("培训"),
    "targets": gettext_lazy("目标任务"),
}
RUNNING = (Job.State.QUEUED, Job.State.RUNNING)


class UploadForm(forms.Form):
    roster = forms.ChoiceField(widget=forms.HiddenInput)
    file = forms.FileField(
        label=gettext_lazy("花名册文件（.xlsx）"),
        error_messages={
            "required": gettext_lazy("请选择要上传的 Excel 文件。"),
            "empty": gettext_lazy("上传的文件是空的。"),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods", "class": "form-control"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("仅校验（不写入；校验通过后可在预览页确认导入）"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, entries: list[RosterEntry], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roster"].choices = [(e.key, e.title) for e in entries]


def _importable(user) -> list[RosterEntry]:
    access = Access.for_user(user)
    return [e for e in roster_entries().values() if access.may_import(e)]


def _importable_entry(user, key: str) -> RosterEntry:
    try:
        entry = roster_entry(key)
    except LookupError:
        raise Http404(_("没有该花名册。")) from None
    if not Access.for_user(user).may_import(entry):
        raise Http404(_("没有该花名册。"))
    return entry


def _title(key: str) -> str:
    try:
        return roster_entry(key).title
    except LookupError:
        return key


def _xlsx_name(stem: str) -> str:
    return f"{stem}-{datetime.date.today():%Y%m%d}.xlsx"


# -- the roster centre -------------------------------------------------------------------------------------


@login_required
def roster_index(request, upload_form: UploadForm | None = None, status: int = 200):
    access = Access.for_user(request.user)
    importable = _importable(request.user)
    items = []
    for entry in roster_entries().values():
        can_import = entry in importable
        form = None
        if can_import:
            if upload_form is not None and upload_form.data.get("roster") == entry.key:
                form = upload_form
            else:
                form = UploadForm(entries=importable, initial={"roster": entry.key})
        items.append({"entry": entry, "can_import": can_import, "form": form})
    records = access.visible(ImportRecord.objects.select_related("created_by", "job")).order_by(
        "-created_at", "-id"
    )
    page = page_of(request, records, RECORDS_PER_PAGE)
    for record in page.object_list:
        record.title = _title(record.roster)
    context = {
        "items": items,
        "page_obj": page,
        "all_users": access.sees_all_users,
        "limits": Limits.from_settings(),
    }
    return render(request, "rosters/index.html", context, status=status)


@login_required
def template_download(request, key):
    entry = _importable_entry(request.user, key)
    stream = io.BytesIO()
    entry.call("template", user=request.user, stream=stream)
    stream.seek(0)
    return FileResponse(
        stream,
        as_attachment=True,
        filename=_("{entry_title}-模板.xlsx").format(entry_title=entry.title),
        content_type=XLSX,
    )


@login_required
@require_POST
def upload(request):
    importable = _importable(request.user)
    if not importable:
        raise Http404(_("您的角色不能导入花名册。"))
    form = UploadForm(request.POST, request.FILES, entries=importable)
    if not form.is_valid():
        return roster_index(request, upload_form=form, status=400)
    upload_file = form.cleaned_data["file"]
    try:
        record = roster_import(
            user=request.user,
            roster=form.cleaned_data["roster"],
            file=upload_file,
            dry_run=form.cleaned_data["dry_run"],
            name=upload_file.name,
        )
    except (PermissionDenied, ValidationError) as exc:
        form.add_error("file", exc.messages if isinstance(exc, ValidationError) else str(exc))
        return roster_index(request, upload_form=form, status=400)
    return redirect("rosters:import", pk=record.pk)


# -- one import ----------------------------------------------------------------------------------------------


def _record(request, pk) -> ImportRecord:
    return Access.for_user(request.user).get_or_404(
        ImportRecord.objects.select_related("created_by", "job"), pk=pk
    )


def _running(record: ImportRecord) -> bool:
    return (
        record.job is not None and record.job.state in RUNNING and record.state == ImportRecord.State.UPLOADED
    )


def _count_rows(counts: dict) -> list[dict]:
    rows = []
    # Known kinds in their natural order (a JSON column may keep keys sorted), then any others.
    order = {name: n for n, name in enumerate(COUNT_LABELS)}
    for name, value in sorted((counts or {}).items(), key=lambda item: order.get(item[0], len(order))):
        if isinstance(value, dict) and {"created", "updated", "unchanged"} <= set(value):
            rows.append({"label": COUNT_LABELS.get(name, name), **value})
    if not rows and counts:
        rows.append(
            {"label": _("合计"), **{k: counts.get(k, 0) for k in ("created", "updated", "unchanged")}}
        )
    return rows


@login_required
def import_detail(request, pk):
    record = _record(request, pk)
    errors = page_of(request, record.errors or [], ERRORS_PER_PAGE, param="errors_page")
    can_commit = (
        record.state == ImportRecord.State.CHECKED
        and record.created_by_id == request.user.pk
        and any(e.key == record.roster for e in _importable(request.user))
    )
    context = {
        "record": record,
        "title": _title(record.roster),
        "running": _running(record),
        "job": record.job,
        "count_rows": _count_rows(record.counts),
        "errors_page": errors,
        "can_commit": can_commit,
        "status_url": reverse("rosters:import-status", args=[record.pk]),
    }
    return render(request, "rosters/import_detail.html", context)


@login_required
def import_status(request, pk):
    """Polled every 2 s while the job runs (htmx): the progress bar, then a full reload of the page."""
    record = _record(request, pk)
    if _running(record):
        return render(
            request,
            "rosters/_job_progress.html",
            {"job": record.job, "status_url": reverse("rosters:import-status", args=[record.pk])},
        )
    response = HttpResponse(status=204)
    response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_commit(request, pk):
    record = _record(request, pk)
    try:
        record = roster_import_commit(user=request.user, record=record)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        # Success is the page itself (its 已导入 panel); only a failed re-check needs a word on top.
        if record.state == ImportRecord.State.FAILED:
            messages.error(request, _("导入前的复核发现错误，未写入任何数据；请查看下方错误。"))
    return redirect("rosters:import", pk=record.pk)


@login_required
def import_file(request, pk):
    record = _record(request, pk)
    if not record.file:
        raise Http404(_("该导入记录没有保存文件。"))
    _log(request, AccessLog.Kind.IMPORT_FILE, record)
    return FileResponse(
        record.file.open("rb"), as_attachment=True, filename=record.original_name, content_type=XLSX
    )


def error_file_response(record: ImportRecord) -> FileResponse:
    """The upload back with each bad cell filled red and commented, as a download (page and API)."""
    return FileResponse(
        record.error_file.open("rb"),
        as_attachment=True,
        filename=os.path.basename(record.error_file.name),
        content_type=XLSX,
    )


@login_required
def import_error_file(request, pk):
    record = _record(request, pk)
    if not record.error_file:
        raise Http404(_("该导入记录没有错误标注工作簿。"))
    _log(request, AccessLog.Kind.ERROR_FILE, record)
    return error_file_response(record)


# -- exports ---------------------------------------------------------------------------------------------


@login_required
def export(request, key):
    """A roster as .xlsx; for households the list page's filters come along as the query string.

    Small exports stream now (from a temporary file: memory stays flat); large ones start a job."""
    try:
        entry = roster_entry(key)
    except LookupError:
        raise Http404(_("没有该花名册。")) from None
    if entry.exporter is None:
        raise Http404(_("该花名册不支持导出。"))
    filters = request.GET.dict()
    filters.pop("page", None)
    queryset = export_queryset(user=request.user, roster=key, filters=filters)
    if is_large(queryset):
        job = roster_export_start(user=request.user, roster=key, filters=filters)
        job.refresh_from_db()  # enqueued after commit: the broker may have refused it already
        if job.state == Job.State.FAILED:
            messages.error(request, gettext("导出没有开始：%(reason)s") % {"reason": job.error})
        return redirect("rosters:export-job", pk=job.pk)
    stream = tempfile.TemporaryFile()
    roster_export(user=request.user, roster=key, filters=filters, stream=stream)
    stream.seek(0)
    access_log_record(
        user=request.user,
        kind=AccessLog.Kind.EXPORT,
        what=f"{entry.title} {_filters_label(filters)}".strip(),
        rows=queryset.count(),
        request=request,
    )
    return FileResponse(stream, as_attachment=True, filename=_xlsx_name(entry.title), content_type=XLSX)


def _filters_label(filters: dict) -> str:
    return _("，").join(f"{k}={v}" for k, v in sorted(filters.items()) if v)


def _log(request, kind: str, record: ImportRecord) -> None:
    rows = (record.counts or {}).get("rows")
    access_log_record(
        user=request.user,
        kind=kind,
        what=_("导入记录 {record_pk}：{original_name}").format(
            record_pk=record.pk, original_name=record.original_name
        ),
        rows=rows if isinstance(rows, int) else None,
        request=request,
    )


def _export_job(request, pk) -> Job:
    return Access.for_user(request.user).get_or_404(Job.objects.filter(kind="roster_export"), pk=pk)


@login_required
def export_job(request, pk):
    job = _export_job(request, pk)
    context = {
        "job": job,
        "title": _title(job.params.get("roster", "households")),
        "running": job.state in RUNNING,
        "status_url": reverse("rosters:export-status", args=[job.pk]),
    }
    return render(request, "rosters/export_job.html", context)


@login_required
def export_status(request, pk):
    job = _export_job(request, pk)
    if job.state in RUNNING:
        return render(
            request,
            "rosters/_job_progress.html",
            {"job": job, "status_url": reverse("rosters:export-status", args=[job.pk])},
        )
    response = HttpResponse(status=204)
    response["HX-Refresh"] = "true"
    return response


@login_required
def export_download(request, pk):
    job = _export_job(request, pk)
    path = (job.result or {}).get("file")
    if job.state == Job.State.DONE and (export_expired(job) or (job.result or {}).get("expired")):
        raise Http404(
            _("导出文件已超过保存期限（{days} 天）被删除，请重新导出。").format(
                days=settings.EXPORT_RETENTION_DAYS
            )
        )
    if job.state != Job.State.DONE or not path or not default_storage.exists(path):
        raise Http404(_("导出文件不存在或尚未生成。"))
    made_under = (job.result or {}).get("access")
    if made_under is not None and made_under != access_signature(request.user):
        raise PermissionDenied(_("导出后您的角色或范围已变更，该文件不再提供下载，请重新导出。"))
    title = _title(job.params.get("roster", "households"))
    rows = (job.result or {}).get("rows")
    access_log_record(
        user=request.user,
        kind=AccessLog.Kind.EXPORT,
        what=f"{title} {_filters_label(job.params.get('filters') or {})}".strip(),
        rows=rows if isinstance(rows, int) else None,
        request=request,
    )
    return FileResponse(
        default_storage.open(path, "rb"),
        as_attachment=True,
        filename=f"{title}-{timezone.localtime(job.created_at):%Y%m%d}.xlsx",
        content_type=XLSX,
    )
