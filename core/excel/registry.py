"""Which rosters exist, and what reads and writes each: the pages and the API are generic over these.

Each app declares its rosters in ``<app>/rosters.py`` as ``ENTRIES = [RosterEntry(...)]``. Callables are
named by dotted path and resolved on use, so a rosters module never imports its own import code.

The contract of each callable:
- ``importer(*, user, source, dry_run, progress=None) -> outcome`` where ``outcome.totals()`` gives the
  counts (``created`` / ``updated`` / ``unchanged`` and a breakdown), ``outcome.errors`` is an
  ``excel.errors.Errors``; it never raises for a bad file and writes nothing unless ``dry_run`` is false
  and there is no error (all or nothing);
- ``template(*, user, stream) -> None``: the empty workbook to fill, with drop-downs and instructions;
- ``exporter(*, user, queryset, stream) -> dict``: the rows the user may see (``queryset`` None = all of
  them) in the same layout, so an export imports back unchanged;
- ``after_commit(*, user) -> None``: what follows a committed import (e.g. the eligibility recompute).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import import_string, module_has_submodule
from django.utils.translation import gettext as _

from core.access import OFFICE_ROLES
from core.gc_pause import gc_paused

# An import or export of a whole roster allocates millions of objects at once: the cycle collector waits.
BULK = ("importer", "exporter")


@dataclass(frozen=True)
class RosterEntry:
    key: str  # stable, in URLs and ImportRecord.roster
    title: str  # shown to the user
    importer: str
    template: str
    exporter: str | None = None
    after_commit: str | None = None
    queryset: str | None = None  # (*, user, filters, dialect) -> the rows an export of these filters takes
    roles: tuple[str, ...] = OFFICE_ROLES  # who imports it (exports follow the access rule)

    def call(self, name: str, **kwargs):
        path = getattr(self, name)
        if path is None:
            raise LookupError(_("花名册“{title}”不支持 {name}").format(title=self.title, name=name))
        if name in BULK:
            with gc_paused():
                return import_string(path)(**kwargs)
        return import_string(path)(**kwargs)


_entries: dict[str, RosterEntry] = {}


def roster_entries() -> dict[str, RosterEntry]:
    if not _entries:
        for config in apps.get_app_configs():  # each installed app's rosters.py, as admin finds admin.py
            if not module_has_submodule(config.module, "rosters"):
                continue
            module = import_module(f"{config.name}.rosters")
            for entry in getattr(module, "ENTRIES", ()):
                _entries[entry.key] = entry
    return _entries


def roster_entry(key: str) -> RosterEntry:
    try:
        return roster_entries()[key]
    except KeyError:
        raise LookupError(_("没有名为 {key} 的花名册").format(key=key)) from None
