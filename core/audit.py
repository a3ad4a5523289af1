"""The access log (issue 11): record who exported or downloaded what, and search it."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from core.models import AccessLog


def access_log_record(*, user, kind: str, what: str, rows: int | None = None, request=None) -> AccessLog:
    request_id = (getattr(request, "request_id", "") or "") if request is not None else ""
    return AccessLog.objects.create(
        user=user, kind=kind, what=str(what)[:255], rows=rows, request_id=str(request_id)[:64]
    )


def full_id_numbers_shown(request, count: int = 1) -> None:
    """Count the full ID numbers this request shows; ``full_id_numbers_log`` records them once at its end."""
    request._full_id_numbers_shown = getattr(request, "_full_id_numbers_shown", 0) + count


def full_id_numbers_log(request, *, what: str) -> AccessLog | None:
    """One access-log entry for the full ID numbers an official saw in this request (issue 11: every view
    of a full ID number by an official is recorded), with how many; nothing when all were masked."""
    count = getattr(request, "_full_id_numbers_shown", 0)
    if not count:
        return None
    request._full_id_numbers_shown = 0
    return access_log_record(
        user=request.user, kind=AccessLog.Kind.ID_NUMBER, what=what, rows=count, request=request
    )


def access_log_search(
    *, user: str = "", kind: str = "", since: date | None = None, until: date | None = None
) -> QuerySet[AccessLog]:
    entries = AccessLog.objects.select_related("user").order_by("-at")
    if user.strip():
        entries = entries.filter(user__username__icontains=user.strip())
    if kind:
        entries = entries.filter(kind=kind)
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    return entries


# The change history shown on the audit page (django-simple-history tables), named, not imported: core sits
# below the domain apps.
HISTORY_MODELS = (
    ("households", "Household"),
    ("households", "Member"),
    ("households", "Assessment"),
    ("assignments", "Pairing"),
    ("assignments", "Revisit"),
    ("households", "ExitStep"),
    ("projects", "Project"),
)
HISTORY_TYPES = {"+": gettext_lazy("新增"), "~": gettext_lazy("修改"), "-": gettext_lazy("删除")}
HISTORY_LIMIT = 200


def change_history_search(
    *, user: str = "", since: date | None = None, until: date | None = None, limit: int = HISTORY_LIMIT
) -> list[dict]:
    """The latest changes to the audited records: who, when, which record, what kind of change. Field
    values are left out on purpose (they hold ID numbers); the record's own page shows them, masked."""
    from django.apps import apps

    rows: list[dict] = []
    for app_label, name in HISTORY_MODELS:
        try:
            model = apps.get_model(app_label, f"Historical{name}")
        except LookupError:
            continue
        history = model.objects.select_related("history_user").order_by("-history_date")
        if user.strip():
            history = history.filter(history_user__username__icontains=user.strip())
        if since:
            history = history.filter(history_date__date__gte=since)
        if until:
            history = history.filter(history_date__date__lte=until)
        for h in history[:limit]:
            rows.append(
                {
                    "model": apps.get_model(app_label, name)._meta.verbose_name,
                    "object_id": h.id,
                    "type": HISTORY_TYPES.get(h.history_type, h.history_type),
                    "user": h.history_user.username if h.history_user else "",
                    "at": h.history_date,
                }
            )
    rows.sort(key=lambda r: r["at"], reverse=True)
    return rows[:limit]
