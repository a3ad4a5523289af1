"""Pages of the what-if (测算): the form and recent runs, a run's result (progress while it runs), its workbook.

County admins only (``Access.may_run_what_if``); anyone else is answered 403.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import Access
from core.audit import access_log_record
from core.jobs import BROKER_DOWN
from core.models import AccessLog, Job
from monitoring import whatif
from monitoring.forms import WhatIfForm

RUNNING = (Job.State.QUEUED, Job.State.RUNNING)
RECENT = 10
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _access(request: HttpRequest) -> Access:
    access = Access.for_user(request.user)
    if not access.may_run_what_if:
        raise PermissionDenied(_("只有县扶贫办管理员可以测算扶贫标准和监测标准的调整。"))
    return access


def _jobs(access: Access):
    return access.visible(Job.objects.filter(kind=whatif.KIND))


@login_required
def what_if(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    if request.method == "POST":
        form = WhatIfForm(request.POST)
        if form.is_valid():
            job = whatif.what_if_start(user=request.user, **form.cleaned_data)
            return redirect("monitoring:what-if-result", pk=job.pk)
        status = 400
    else:
        form = WhatIfForm(initial={"year": whatif.latest_line_year() or timezone.localdate().year})
        status = 200
    recent = _jobs(access).order_by("-created_at", "-id")[:RECENT]
    return render(request, "monitoring/what_if.html", {"form": form, "recent": recent}, status=status)


@login_required
def what_if_result(request: HttpRequest, pk: int) -> HttpResponse:
    access = _access(request)
    job = access.get_or_404(_jobs(access), pk=pk)
    done = job.state == Job.State.DONE
    context = {
        "job": job,
        "running": job.state in RUNNING,
        "broker_down": job.error == BROKER_DOWN,
        "result": job.result if done else None,
        "tables": whatif.what_if_tables(job.result) if done else [],
        "status_url": reverse("monitoring:what-if-status", args=[job.pk]),
    }
    return render(request, "monitoring/what_if_result.html", context)


@login_required
def what_if_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled every 2 s while the job runs (htmx): the progress bar, then a full reload of the page."""
    access = _access(request)
    job = access.get_or_404(_jobs(access), pk=pk)
    if job.state in RUNNING:
        status_url = reverse("monitoring:what-if-status", args=[job.pk])
        return render(request, "monitoring/_what_if_progress.html", {"job": job, "status_url": status_url})
    response = HttpResponse(status=204)
    response["HX-Refresh"] = "true"
    return response


@login_required
def what_if_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The result as a workbook, one sheet per table of the page."""
    access = _access(request)
    job = access.get_or_404(_jobs(access).filter(state=Job.State.DONE), pk=pk)
    title = _("标准调整测算")
    access_log_record(
        user=request.user, kind=AccessLog.Kind.EXPORT, what=f"{title} {job.pk}", request=request
    )
    response = HttpResponse(content_type=XLSX)
    name = f"{title}-{job.result['year']}-{job.pk}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    whatif.what_if_workbook(job.result, response)
    return response
