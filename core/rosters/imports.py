"""Roster imports as records the user can follow: upload → dry run → preview → commit (any roster).

Every upload is kept as an ImportRecord (who, when, the file, the counts, the errors and the error
workbook). Which importer reads the file, and what follows a committed import, come from the roster
registry (core.excel.registry), so pages and API are the same for every roster.

    record = roster_import(user=user, roster="households", file=upload)   # preview: counts, errors
    record = roster_import_commit(user=user, record=record)                # the same file, written

Up to ROSTER_ASYNC_ROWS rows the work is done in the request; larger files run as a background job
(``record.job``, with progress) and the record is answered at once.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from io import BytesIO
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import Access
from core.excel.limits import Limits
from core.excel.reader import WorkbookRejected, XlsxReader
from core.excel.registry import RosterEntry, roster_entry
from core.excel.writers import write_error_workbook
from core.models import ImportRecord

logger = logging.getLogger(__name__)

EMPTY_COUNTS = {"created": 0, "updated": 0, "unchanged": 0}
ERROR_KEYS = ("sheet", "row", "column", "message")
BYTES_PER_ROW = 80  # compressed, in a streamed export: 2.7 MB for the demo county's 31,388 rows


def _error(message: str) -> dict[str, Any]:
    return {"sheet": None, "row": None, "column": None, "message": message}


def importable_entry(*, user, roster: str) -> RosterEntry:
    """The roster's registry entry, if this user's role imports it (PermissionDenied otherwise).

    The role is checked here; the scope of each row is the importer's to check.
    """
    try:
        entry = roster_entry(roster)
    except LookupError as exc:
        raise ValidationError(str(exc)) from None
    if not Access.for_user(user).may_import(entry):
        raise PermissionDenied(_("您的角色不能导入“{entry_title}”。").format(entry_title=entry.title))
    return entry


def _source_size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        file.seek(0, os.SEEK_END)
        size = file.tell()
        file.seek(position)
    return size


def _estimated_rows(record: ImportRecord) -> int:
    """Rows the sheets declare (their dimension), to decide between inline and a background job.

    Streamed (write-only) workbooks, such as our own exports, declare no dimension: then the file's size
    stands in for it (a roster row takes some 85 bytes compressed), erring towards the job.
    """
    try:
        with record.file.open("rb") as f, XlsxReader(f) as reader:
            declared = [reader.dimension_rows(name) for name in reader.sheet_names]
    except WorkbookRejected:
        return 0  # the run reports it
    rows = sum(n or 0 for n in declared)
    if None in declared:
        rows = max(rows, record.file.size // BYTES_PER_ROW)
    return rows


def roster_import(
    *, user, roster: str = "households", file, dry_run: bool = True, name: str | None = None
) -> ImportRecord:
    """Keep the upload as an ImportRecord and check it (``dry_run``) or import it."""
    importable_entry(user=user, roster=roster)
    limits = Limits.from_settings()
    original = name or os.path.basename(getattr(file, "name", "") or _("花名册.xlsx"))
    record = ImportRecord(roster=roster, original_name=original[:255], dry_run=dry_run, created_by=user)
    size = _source_size(file)
    if size > limits.max_bytes:
        # Not even stored: the record says who tried what, and why it was refused.
        record.state = ImportRecord.State.FAILED
        record.errors = [
            _error(
                _("文件大小 {size:.1f} MB，超过上限 {limit:.0f} MB；请拆分后分批导入。").format(
                    size=size / 1048576, limit=limits.max_bytes / 1048576
                )
            )
        ]
        record.counts = dict(EMPTY_COUNTS)
        record.save()
        return record
    if hasattr(file, "seek"):
        file.seek(0)
    record.file.save(os.path.basename(original) or "roster.xlsx", File(file), save=False)
    record.save()
    return _run_or_enqueue(record, limits)


def roster_import_commit(*, user, record: ImportRecord) -> ImportRecord:
    """Import a previewed file. Everything is checked again: the registry may have changed since."""
    if record.created_by_id != user.pk:
        raise PermissionDenied(_("只能导入自己上传的文件。"))
    importable_entry(user=user, roster=record.roster)
    with transaction.atomic():
        # Locked and moved out of 已校验 at once, so a double click or a second tab cannot import it twice.
        record = ImportRecord.objects.select_for_update().get(pk=record.pk)
        if record.state == ImportRecord.State.COMMITTED:
            raise ValidationError(_("该文件已经导入。"))
        if not record.file:
            raise ValidationError(_("该导入记录没有可导入的文件。"))
        if record.state != ImportRecord.State.CHECKED and not _commit_did_not_finish(record):
            raise ValidationError(_("只有校验通过的文件才能导入；请修改错误后重新上传。"))
        record.dry_run = False
        record.state = ImportRecord.State.UPLOADED
        record.save(update_fields=["dry_run", "state"])
    return _run_or_enqueue(record, Limits.from_settings())


def _commit_did_not_finish(record: ImportRecord) -> bool:
    """A checked file whose commit job failed (the broker was down, the worker died, or the job was swept
    as lost): the import writes in one transaction, and a file imported twice matches its own rows
    (unchanged, never duplicated), so it may be committed again."""
    from core.models import Job

    job = record.job
    return (
        record.state == ImportRecord.State.UPLOADED
        and not record.dry_run
        and job is not None
        and job.state == Job.State.FAILED
    )


def _run_or_enqueue(record: ImportRecord, limits: Limits) -> ImportRecord:
    if _estimated_rows(record) > limits.async_rows:
        from core.jobs import job_enqueue

        record.job = job_enqueue(
            kind="roster_import",
            task="core.tasks.roster_import_task",
            params={"import_id": record.pk, "dry_run": record.dry_run},
            created_by=record.created_by,
        )
        record.save(update_fields=["job"])
        return record
    return roster_import_run(record=record)


def roster_import_run(*, record: ImportRecord, progress: Callable[[int], None] | None = None) -> ImportRecord:
    """Check or import the record's file now, and keep the counts, the errors and the error workbook."""
    user = record.created_by
    entry = roster_entry(record.roster)
    with record.file.open("rb") as f:
        outcome = entry.call("importer", user=user, source=f, dry_run=record.dry_run, progress=progress)
    record.counts = outcome.totals()
    record.errors = outcome.errors.as_list()
    fields = ["counts", "errors", "state"]
    if outcome.errors:
        record.state = ImportRecord.State.FAILED
        with record.file.open("rb") as f:
            out = BytesIO()
            if write_error_workbook(f, outcome.errors, out):
                stem = os.path.splitext(os.path.basename(record.original_name))[0] or "roster"
                record.error_file.save(
                    _("{stem}-错误标注.xlsx").format(stem=stem), ContentFile(out.getvalue()), save=False
                )
                fields.append("error_file")
    elif record.dry_run:
        record.state = ImportRecord.State.CHECKED
    else:
        record.state = ImportRecord.State.COMMITTED
        record.committed_at = timezone.now()
        fields.append("committed_at")
        if entry.after_commit:
            entry.call("after_commit", user=user)
    record.save(update_fields=fields)
    return record


def import_result(record: ImportRecord) -> dict[str, Any]:
    """The job result shape (DESIGN.md §7): created, updated, unchanged, errors (+ breakdown)."""
    return {
        **EMPTY_COUNTS,
        **(record.counts or {}),
        # jsonb keeps keys sorted by length: put them back in the documented order
        "errors": [{k: e.get(k) for k in ERROR_KEYS} for e in record.errors or []],
        "import": record.pk,
        "state": record.state,
    }
