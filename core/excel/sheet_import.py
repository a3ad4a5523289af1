"""Shared steps of the one-sheet rosters (pairings, revisits, projects, relocation, training).

Each of those importers reads one declared sheet, checks every row against the database with a fixed
number of queries, counts what would change, and writes everything in one transaction only when there
is no error and it is not a dry run. What they share lives here: the outcome and its counts, reading the
sheet (a bad file becomes errors, never an exception), chunked lookups, and the all-or-nothing commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.access import Access
from core.excel.columns import Roster
from core.excel.engine import SheetData, find_sheet, read_sheet
from core.excel.errors import Errors
from core.excel.limits import Limits
from core.excel.reader import WorkbookReader, WorkbookRejected

LOOKUP_CHUNK = 20_000  # values per IN (...): queries grow per 20,000 rows, never per row
WHATS = ("created", "updated", "unchanged")


@dataclass
class Outcome:
    """What an import found (dry run) or did (commit), per kind of record."""

    kinds: tuple[str, ...]
    errors: Errors
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    rows: int = 0
    written: bool = False

    def __post_init__(self) -> None:
        for kind in self.kinds:
            self.counts.setdefault(kind, dict.fromkeys(WHATS, 0))

    def add(self, kind: str, what: str, n: int = 1) -> None:
        self.counts[kind][what] += n

    def totals(self) -> dict[str, Any]:
        """The job result shape: created / updated / unchanged over all kinds, and the breakdown."""
        return {
            **{what: sum(self.counts[k][what] for k in self.kinds) for what in WHATS},
            **{k: dict(self.counts[k]) for k in self.kinds},
            "rows": self.rows,
        }

    def result(self) -> dict[str, Any]:
        return {**self.totals(), "errors": self.errors.as_list()}


def new_outcome(kinds: tuple[str, ...], limits: Limits | None = None) -> tuple[Outcome, Limits]:
    limits = limits or Limits.from_settings()
    return Outcome(kinds=kinds, errors=Errors(limits.max_errors)), limits


def role_may_import(user, roles: Iterable[str], title: str, errors: Errors) -> bool:
    """The importer checks the role itself: pages and API ask the registry, but a job or a shell may not."""
    if Access.for_user(user).may_import(roles):
        return True
    errors.add(_("您的角色不能导入{title}。").format(title=title))
    return False


def read_roster_sheet(
    source,
    roster: Roster,
    errors: Errors,
    *,
    limits: Limits,
    progress: Callable[[int], None] | None = None,
) -> SheetData | None:
    """Read the roster's one sheet; None (with the reason in ``errors``) when there is nothing to check."""
    sheet = roster.sheets[0]
    report = progress or (lambda percent: None)
    try:
        with WorkbookReader(source, limits) as reader:
            name = find_sheet(reader, sheet.name)
            if name is None:
                errors.add(
                    _("工作簿中没有“{sheet_name}”工作表（现有：{sheets}）；请使用下载的模板。").format(
                        sheet_name=sheet.name, sheets=_("、").join(reader.sheet_names) or _("无")
                    )
                )
                return None

            def read_progress(done: int, total: int | None) -> None:
                report(int(60 * min(done / total if total else 0.5, 1.0)))

            data = read_sheet(reader, sheet, errors, found_name=name, progress=read_progress)
    except WorkbookRejected as exc:
        errors.add(exc.message, sheet=exc.sheet, row=exc.row, column=exc.column)
        return None
    if any(c.required and c.field not in data.cells for c in sheet.columns):
        return None  # 缺少必填列 is reported; the rows cannot be matched without it
    if not data.rows and not errors:
        errors.add(_("工作簿只有表头，没有数据行。"), sheet=sheet.name)
    report(60)
    return data


def chunked(qs: QuerySet, field_name: str, values: Iterable) -> Iterator[QuerySet]:
    """``qs.filter(field__in=chunk)`` for each chunk of the distinct values."""
    distinct = sorted(set(values), key=str)
    for start in range(0, len(distinct), LOOKUP_CHUNK):
        yield qs.filter(**{f"{field_name}__in": distinct[start : start + LOOKUP_CHUNK]})


def commit(outcome: Outcome, write: Callable[[], None]) -> None:
    """Run ``write`` in one transaction; a conflict with a concurrent writer becomes an error, not a 500."""
    try:
        with transaction.atomic():
            write()
    except IntegrityError as exc:
        outcome.errors.add(
            _(
                "写入时发生冲突（可能有人同时导入或修改了相同的记录），未导入任何数据；请重新校验后再导入。（{exc}）"
            ).format(exc=exc)
        )
        return
    outcome.written = True


def shown_date(value) -> str:
    return f"{value:%Y-%m-%d}" if value else _("空")
