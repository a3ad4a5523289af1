"""Importing the household roster (花名册): upload → dry run → preview → commit.

Set-based: the file is read once, every existing household, member and assessment it names is loaded
in a few queries, the changes are computed in memory (created / updated / unchanged), and only then,
when there is no error at all, everything is written in one transaction with bulk inserts and updates
(with their audit history). Matching is by 户编号, 身份证号 and (户编号, 年度), so importing the same file
twice changes nothing the second time.

The database holds "at most one current 户主"; "exactly one" and the rest of Member.clean (ID number,
sex against the ID) are checked here before writing, since bulk writes bypass Model.save.

    outcome = household_roster_import(user=user, source=upload, dry_run=True)   # preview: counts, errors

The upload → preview → commit flow around it (ImportRecord, jobs) is generic over the roster registry:
poverty_tracker/imports.py. This module is the households roster's ``importer`` (households/rosters.py).

Export:
Exporting households in the roster layout (DESIGN.md §6), so an export imports back unchanged.

Streaming: rows come from the database in chunks (``iterator(chunk_size=...)``) straight into an openpyxl
write-only workbook, so memory stays flat whatever the number of households. Only the current members
are listed (a member who left is kept on record but is no longer on the roster). ID numbers are masked
where the user may not see them whole; such a file cannot be imported again, and its instructions say so.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import Access, mask_phone
from core.excel.bulk import insert_with_history, update_with_history
from core.excel.engine import SheetData, find_sheet, read_sheet
from core.excel.errors import Errors
from core.excel.limits import Limits
from core.excel.normalise import key
from core.excel.reader import WorkbookRejected, XlsxReader
from core.excel.writers import write_roster
from core.idnumbers import mask, sex_code
from households import choices, selectors
from households.forms import HouseholdFilterForm
from households.models import Assessment, Household, Member, PovertyLine
from households.rosters import ASSESSMENTS, HOUSEHOLD_ROSTER, MEMBERS
from households.services import pinyin_initials
from villages.models import NaturalVillage

CHANGE_REASON = "花名册导入"
LOOKUP_CHUNK = 20_000  # ids per IN (...) lookup: queries grow per 20,000 rows, never per row
WRITE_BATCH = 2_000

HOUSEHOLD_FIELDS = ("attribute", "main_cause", "identified_year", "phone", "status", "exit_year")
# The member's details the 成员 sheet carries, besides the ID number it matches members by.
MEMBER_FIELDS = tuple(
    f for f in Member.DETAIL_FIELDS if f != "id_number" and f in {c.field for c in MEMBERS.columns}
)
# What the import reads of a registered household (self.households: number -> this row).
REGISTERED_HOUSEHOLD = (
    "household_number", "id", "natural_village_id", "village_id", "township_id", "head_name", *HOUSEHOLD_FIELDS,
)  # fmt: skip
AMOUNT_FIELDS = Assessment.INCOME_FIELDS
ASSESSMENT_FIELDS = AMOUNT_FIELDS + Assessment.SECURITY_FIELDS
KINDS = ("households", "members", "assessments")


@dataclass
class ImportOutcome:
    """What an import found (dry run) or did (commit)."""

    errors: Errors
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {k: {"created": 0, "updated": 0, "unchanged": 0} for k in KINDS}
    )
    rows: int = 0
    written: bool = False
    seconds: dict[str, float] = field(default_factory=dict)  # read / check / write, for the benchmark

    def totals(self) -> dict[str, Any]:
        """The job result shape: created / updated / unchanged (all records) and the breakdown."""
        return {
            **{
                what: sum(self.counts[k][what] for k in KINDS) for what in ("created", "updated", "unchanged")
            },
            **{k: dict(self.counts[k]) for k in KINDS},
            "rows": self.rows,
        }

    def result(self) -> dict[str, Any]:
        return {**self.totals(), "errors": self.errors.as_list()}


# -- the import itself --------------------------------------------------------------------------------------


def household_roster_import(
    *,
    user,
    source,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
    limits: Limits | None = None,
) -> ImportOutcome:
    """Validate ``source`` (a path or a binary file) against the roster and the database; write it when
    ``dry_run`` is false and nothing is wrong. Never raises for a bad file: everything is in ``errors``."""
    limits = limits or Limits.from_settings()
    outcome = ImportOutcome(errors=Errors(limits.max_errors))
    errors = outcome.errors
    access = Access.for_user(user)
    if not access.may_change_model(Household):
        errors.add(_("您的角色不能导入贫困户花名册（只有县、乡镇、村的工作人员可以导入）。"))
        return outcome
    report = progress or (lambda percent: None)
    started = time.perf_counter()
    try:
        with XlsxReader(source, limits) as reader:
            found = {sheet.name: find_sheet(reader, sheet.name) for sheet in HOUSEHOLD_ROSTER.sheets}
            reader.read_ahead([name for name in found.values() if name])
            if not any(found.values()):
                errors.add(
                    _(
                        "工作簿中没有“{members}”或“{assessments}”工作表（现有：{sheets}）；请使用下载的模板。"
                    ).format(
                        members=MEMBERS.name,
                        assessments=ASSESSMENTS.name,
                        sheets="、".join(reader.sheet_names) or _("无"),
                    )
                )
                return outcome
            sheets: dict[str, SheetData | None] = {}
            for step, sheet in enumerate(HOUSEHOLD_ROSTER.sheets):
                name = found[sheet.name]
                if name is None:
                    sheets[sheet.name] = None
                    continue

                def read_progress(done: int, total: int | None, step=step) -> None:
                    share = done / total if total else 0.5
                    report(int(60 * (step + min(share, 1.0)) / len(HOUSEHOLD_ROSTER.sheets)))

                sheets[sheet.name] = read_sheet(
                    reader, sheet, errors, found_name=name, progress=read_progress
                )
    except WorkbookRejected as exc:
        errors.add(exc.message, sheet=exc.sheet, row=exc.row, column=exc.column)
        return outcome
    members, assessments = sheets.get(MEMBERS.name), sheets.get(ASSESSMENTS.name)
    outcome.rows = sum(len(s.rows) for s in (members, assessments) if s is not None)
    if outcome.rows == 0 and not errors:
        errors.add(_("工作簿只有表头，没有数据行。"), sheet=MEMBERS.name if members else ASSESSMENTS.name)
        return outcome
    report(60)
    outcome.seconds["read"] = time.perf_counter() - started
    plan = _Plan(
        access=access, errors=errors, members=members, assessments=assessments, counts=outcome.counts
    )
    plan.check()
    outcome.seconds["check"] = time.perf_counter() - started - outcome.seconds["read"]
    report(70)
    if errors or dry_run:
        return outcome
    try:
        with transaction.atomic():
            plan.write(user=user, progress=lambda share: report(70 + int(29 * share)))
    except IntegrityError as exc:
        # Someone else wrote the same households or ID numbers between our reads and our writes.
        errors.add(
            _(
                "写入时发生冲突（可能有人同时导入或修改了这些户），未导入任何数据；请重新校验后再导入。（{exc}）"
            ).format(exc=exc)
        )
        return outcome
    outcome.written = True
    outcome.seconds["write"] = (
        time.perf_counter() - started - outcome.seconds["read"] - outcome.seconds["check"]
    )
    report(100)
    return outcome


def _matching(qs: QuerySet, field_name: str, values: list) -> QuerySet:
    """``field__in=values``; on PostgreSQL as ``= ANY(array)``, one parameter instead of one per value."""
    if connection.vendor != "postgresql":
        return qs.filter(**{f"{field_name}__in": values})
    q = connection.ops.quote_name
    column = qs.model._meta.get_field(field_name).column
    return qs.extra(where=[f"{q(qs.model._meta.db_table)}.{q(column)} = ANY(%s)"], params=[values])


def _differs(new: Any, old: Any) -> bool:
    """A multi-valued field (健康状况) stored in another order holds the same value: not a change, or an
    export of records made elsewhere (forms, demo data) would not import back unchanged."""
    if isinstance(new, list) and isinstance(old, list):
        return sorted(new) != sorted(old)
    return new != old


def _chunks(items: list, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _Group:
    """One household as the 成员 sheet gives it: its first row's household columns and its member rows."""

    number: str
    first_row: int
    values: list[Any]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    bad: bool = False
    # resolved
    place: tuple[int, int, int] | None = None  # natural village, village, township
    existing: tuple | None = None  # the registered household's values, see _Plan._load_households


class _Plan:
    """Everything the import will do, computed before any write."""

    def __init__(
        self,
        *,
        access: Access,
        errors: Errors,
        members: SheetData | None,
        assessments: SheetData | None,
        counts,
    ):
        self.access, self.errors, self.members, self.assessments, self.counts = (
            access, errors, members, assessments, counts,
        )  # fmt: skip
        self.groups: dict[str, _Group] = {}
        self.households: dict[str, tuple] = {}  # number -> registered household values
        self.household_creates: list[_Group] = []
        self.household_updates: dict[int, dict[str, Any]] = {}  # id -> changed fields
        self.member_creates: list[tuple[str, dict[str, Any]]] = []  # (household number, values)
        self.member_updates: dict[int, dict[str, Any]] = {}  # id -> changed fields
        self.assessment_creates: list[tuple[str, int, dict[str, Any]]] = []
        self.assessment_updates: dict[int, dict[str, Any]] = {}
        self._scope: str | None = None

    # -- checking ------------------------------------------------------------------------------------

    def check(self) -> None:
        numbers: set[str] = set()
        if self.members is not None:
            self._group_members()
            numbers |= set(self.groups)
        if self.assessments is not None:
            i = self.assessments.index("household_number")
            numbers |= {values[i] for _, values in self.assessments.rows if values[i]}
        self._load_households(sorted(numbers))
        if self.members is not None:
            self._check_households()
            self._check_members()
        if self.assessments is not None:
            self._check_assessments()

    def _group_members(self) -> None:
        sheet = self.members
        assert sheet is not None
        i_number = sheet.index("household_number")
        parents = [
            (sheet.index(c.field), c)
            for c in MEMBERS.columns
            if c.parent and c.field in sheet.cells and c.field != "household_number"
        ]
        for number, values in sheet.rows:
            household_number = values[i_number]
            if household_number is None:
                continue
            group = self.groups.get(household_number)
            if group is None:
                group = self.groups[household_number] = _Group(household_number, number, values)
            else:
                for position, column in parents:
                    mine, theirs = values[position], group.values[position]
                    if (
                        mine != theirs
                        and number not in sheet.bad_rows
                        and group.first_row not in sheet.bad_rows
                    ):
                        shown = column.parser.to_cell(theirs)
                        sheet.error(
                            self.errors,
                            number,
                            column.field,
                            _(
                                "与本户（户编号 {household_number}）第 {first_row} 行不一致（第 {first_row} 行为“{shown}”）；同一户各行的户信息须相同"
                            ).format(
                                household_number=household_number,
                                first_row=group.first_row,
                                shown="" if shown is None else shown,
                            ),
                        )
            group.rows.append((number, values))
            if number in sheet.bad_rows:
                group.bad = True

    def _load_households(self, numbers: list[str]) -> None:
        for chunk in _chunks(numbers):
            for row in _matching(Household.objects.all(), "household_number", chunk).values_list(
                *REGISTERED_HOUSEHOLD
            ):
                self.households[row[0]] = row

    def _in_scope(self, township_id: int, village_id: int) -> bool:
        return self.access.can_change_in(Household, township_id=township_id, village_id=village_id)

    def _scope_name(self) -> str:
        if self._scope is None:  # one query at most, and only when a row is out of scope
            self._scope = str(getattr(self.access.user, "scope_label", "") or "")
        return self._scope

    def _check_households(self) -> None:
        sheet = self.members
        assert sheet is not None
        places: dict[tuple[str, str, str], tuple[int, int, int]] = {}
        townships: set[str] = set()
        villages: set[tuple[str, str]] = set()
        for nv, nv_name, v, v_name, t, t_name in NaturalVillage.objects.values_list(
            "id", "name", "village_id", "village__name", "village__township_id", "village__township__name"
        ):
            places[(key(t_name), key(v_name), key(nv_name))] = (nv, v, t)
            townships.add(key(t_name))
            villages.add((key(t_name), key(v_name)))
        i = {
            f: sheet.index(f)
            for f in ("township", "village", "natural_village", "status", "exit_year", "identified_year")
        }
        for group in self.groups.values():
            row, values = group.first_row, group.values
            existing = self.households.get(group.number)
            group.existing = existing
            if existing is not None and not self._in_scope(existing[4], existing[3]):
                sheet.error(
                    self.errors, row, "household_number",
                    _("户编号 {number} 已被您管辖范围以外的户使用，不能导入或修改").format(number=group.number),
                )  # fmt: skip
                group.bad = True
                continue
            t, v, nv = values[i["township"]], values[i["village"]], values[i["natural_village"]]
            if t is not None and v is not None and nv is not None:
                place = places.get((key(t), key(v), key(nv)))
                if place is None:
                    if key(t) not in townships:
                        sheet.error(
                            self.errors, row, "township", _("乡镇“{township}”不存在").format(township=t)
                        )
                    elif (key(t), key(v)) not in villages:
                        sheet.error(
                            self.errors,
                            row,
                            "village",
                            _("行政村“{village}”不在{township}").format(village=v, township=t),
                        )
                    else:
                        sheet.error(
                            self.errors,
                            row,
                            "natural_village",
                            _("自然村“{natural_village}”不在{township}{village}").format(
                                natural_village=nv, township=t, village=v
                            ),
                        )
                    group.bad = True
                elif not self._in_scope(place[2], place[1]):
                    where = "township" if self.access.scope_level == "township" else "village"
                    scope = self._scope_name()
                    sheet.error(
                        self.errors, row, where,
                        _("{township}{village}{natural_village}不在您的管辖范围内").format(township=t, village=v, natural_village=nv)
                        + (_("（您管辖：{scope}）").format(scope=scope) if scope else ""),
                    )  # fmt: skip
                    group.bad = True
                else:
                    group.place = place
            if existing is None:
                status = values[i["status"]] or choices.Status.POOR
                exit_year = values[i["exit_year"]]
            else:
                current = dict(zip(REGISTERED_HOUSEHOLD, existing, strict=True))
                status, exit_year = current["status"], current["exit_year"]
                # 未脱贫 → 已脱贫 only through the exit procedure (DESIGN.md §3), never by a spreadsheet.
                for name in ("status", "exit_year"):
                    if name in sheet.cells and values[i[name]] != current[name] and row not in sheet.bad_rows:
                        column = sheet.sheet.column(name)
                        shown = column.parser.to_cell(current[name]) or "空"
                        sheet.error(
                            self.errors, row, name,
                            _("已登记户的{header}不能通过导入变更（现为“{shown}”）；脱贫、返贫、清退须经相应程序办理").format(header=column.header, shown=shown),
                        )  # fmt: skip
                        group.bad = True
            if status == choices.Status.EXITED and exit_year is None and row not in sheet.bad_rows:
                sheet.error(
                    self.errors,
                    row,
                    "exit_year" if "exit_year" in sheet.cells else "status",
                    _("已脱贫户必须填写脱贫年度"),
                )
                group.bad = True
            identified = values[i["identified_year"]]
            if exit_year is not None and identified is not None and exit_year < identified:
                sheet.error(
                    self.errors,
                    row,
                    "exit_year",
                    _("脱贫年度 {exit_year} 早于识别年度 {identified}").format(
                        exit_year=exit_year, identified=identified
                    ),
                )
                group.bad = True

    def _check_members(self) -> None:
        sheet = self.members
        assert sheet is not None
        errors = self.errors
        i_id, i_rel, i_sex, i_name = (sheet.index(f) for f in ("id_number", "relation", "sex", "name"))
        member_positions = {f: sheet.index(f) for f in MEMBER_FIELDS}
        # 性别 is filled in from the ID number when its column or cell is blank
        present = [f for f in MEMBER_FIELDS if f in sheet.cells or f == "sex"]
        # the ID numbers: twice in the file, sex against the ID
        first_seen: dict[str, int] = {}
        for _number, group in self.groups.items():
            for number, values in group.rows:
                id_number = values[i_id]
                if id_number is None:
                    continue
                if id_number in first_seen:
                    sheet.error(
                        errors,
                        number,
                        "id_number",
                        _("身份证号与第 {row} 行重复（一人只能登记一次）").format(row=first_seen[id_number]),
                    )
                    group.bad = True
                    continue
                first_seen[id_number] = number
                expected = sex_code(id_number)
                if values[i_sex] is None:
                    if number not in sheet.bad_rows:
                        values[i_sex] = expected
                elif values[i_sex] != expected:
                    sheet.error(
                        errors, number, "sex",
                        _("性别与身份证号不符（身份证号第 17 位表示{sex}）").format(sex=_("男") if expected == "male" else _("女")),
                    )  # fmt: skip
                    group.bad = True
        # registered members with these ID numbers, and the current heads of the registered households
        registered: dict[str, tuple] = {}
        ids = sorted(first_seen)
        for chunk in _chunks(ids):
            for row in _matching(Member.objects.all(), "id_number", chunk).values_list(
                "id_number", "id", "household_id", "household__household_number", "household__township_id",
                "household__village_id", "left_reason", *MEMBER_FIELDS,
            ):  # fmt: skip
                registered[row[0]] = row
        household_ids = sorted(g.existing[1] for g in self.groups.values() if g.existing is not None)
        heads: dict[int, list[tuple[str, str]]] = {}
        for chunk in _chunks(household_ids):
            for household_id, id_number, name in _matching(
                Member.objects.filter(relation=choices.Relation.HEAD, left_reason=""), "household_id", chunk
            ).values_list("household_id", "id_number", "name"):
                heads.setdefault(household_id, []).append((id_number, name))
        counts_h, counts_m = self.counts["households"], self.counts["members"]
        for group in self.groups.values():
            existing_id = group.existing[1] if group.existing is not None else None
            file_ids = set()
            head_rows: list[tuple[int, str]] = []
            relation_known = True
            for number, values in group.rows:
                id_number = values[i_id]
                if id_number is None:
                    relation_known = False  # a bad ID cell: who is 户主 cannot be told
                    continue
                file_ids.add(id_number)
                found = registered.get(id_number)
                if found is not None and found[3] != group.number:
                    if self._in_scope(found[4], found[5]):
                        message = _(
                            "身份证号 {id_number} 已登记在其他户（户编号 {household_number}）；一人只能属于一户，迁移成员请使用分户、合户功能"
                        ).format(id_number=mask(id_number), household_number=found[3])
                    else:  # no existence oracle: nothing about a record the user may not see (issue 11)
                        message = _(
                            "身份证号 {id_number} 不能导入到本户，请核对号码；如有疑问请联系县扶贫办"
                        ).format(id_number=mask(id_number))
                    sheet.error(errors, number, "id_number", message)
                    group.bad = True
                    continue
                left = found is not None and found[6] != ""
                relation = values[i_rel]
                if relation is None:
                    relation_known = False
                elif relation == choices.Relation.HEAD and not left:
                    head_rows.append((number, values[i_name] or (found[7] if found else "")))
            if not relation_known:
                continue
            kept_heads = (
                [h for h in heads.get(existing_id, []) if h[0] not in file_ids] if existing_id else []
            )
            total = len(head_rows) + len(kept_heads)
            if total == 0:
                sheet.error(
                    errors,
                    group.first_row,
                    "relation",
                    _("户编号 {number} 没有户主；一户必须有且只有一名户主").format(number=group.number),
                )
                group.bad = True
            elif len(head_rows) > 1:
                listed = "、".join(str(n) for n, _ in head_rows)
                for number, _head in head_rows[1:]:
                    sheet.error(
                        errors,
                        number,
                        "relation",
                        _("户编号 {number} 有 {count} 名户主（第 {listed} 行）；一户只能有一名户主").format(
                            number=group.number, count=len(head_rows), listed=listed
                        ),
                    )
                group.bad = True
            elif kept_heads and head_rows:
                sheet.error(
                    errors, head_rows[0][0], "relation",
                    _("该户已登记户主 {head}（不在本文件中）；一户只能有一名户主，变更户主请使用“户主变更”功能").format(head=kept_heads[0][1]),
                )  # fmt: skip
                group.bad = True
            if group.bad or group.place is None:
                continue
            # -- what will change -------------------------------------------------------------------
            head_name = head_rows[0][1] if head_rows else kept_heads[0][1]
            changed_members = 0
            for _row, values in group.rows:
                found = registered.get(values[i_id])
                if found is None:
                    new = {f: values[member_positions[f]] for f in present}
                    new["id_number"] = values[i_id]
                    self.member_creates.append((group.number, new))
                    counts_m["created"] += 1
                    continue
                current = dict(zip(MEMBER_FIELDS, found[7:], strict=True))
                diff = {
                    f: values[member_positions[f]]
                    for f in present
                    if _differs(values[member_positions[f]], current[f])
                }
                if diff:
                    self.member_updates[found[1]] = diff
                    counts_m["updated"] += 1
                    changed_members += 1
                else:
                    counts_m["unchanged"] += 1
            self._household_changes(group, head_name, counts_h)

    def _household_changes(self, group: _Group, head_name: str, counts: dict[str, int]) -> None:
        sheet = self.members
        assert sheet is not None and group.place is not None
        values = {f: group.values[sheet.index(f)] for f in HOUSEHOLD_FIELDS if f in sheet.cells}
        nv, village, township = group.place
        if group.existing is None:
            values.setdefault("status", choices.Status.POOR)
            values["status"] = values["status"] or choices.Status.POOR
            values.update(
                natural_village_id=nv, village_id=village, township_id=township, head_name=head_name
            )
            group.values = [values]  # what to create; the parsed row is no longer needed
            self.household_creates.append(group)
            counts["created"] += 1
            return
        names = ("household_number", "id", "natural_village_id", "village_id", "township_id", "head_name")
        current = dict(zip(names + HOUSEHOLD_FIELDS, group.existing, strict=True))
        values.update(natural_village_id=nv, village_id=village, township_id=township, head_name=head_name)
        diff = {f: v for f, v in values.items() if v != current[f]}
        if diff:
            self.household_updates[current["id"]] = diff
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1

    def _check_assessments(self) -> None:
        sheet = self.assessments
        assert sheet is not None
        errors = self.errors
        i_number, i_year = sheet.index("household_number"), sheet.index("year")
        positions = {f: sheet.index(f) for f in ASSESSMENT_FIELDS}
        present = [f for f in ASSESSMENT_FIELDS if f in sheet.cells]
        lined_years = set(PovertyLine.objects.values_list("year", flat=True).distinct())
        seen: dict[tuple[str, int], int] = {}
        wanted: list[tuple[int, str, int, list[Any]]] = []
        for number, values in sheet.rows:
            household_number, year = values[i_number], values[i_year]
            if household_number is None or year is None:
                continue
            if (household_number, year) in seen:
                sheet.error(
                    errors,
                    number,
                    "year",
                    _("户编号 {household_number} 的 {year} 年度与第 {row} 行重复").format(
                        household_number=household_number, year=year, row=seen[(household_number, year)]
                    ),
                )
                continue
            seen[(household_number, year)] = number
            existing = self.households.get(household_number)
            group = self.groups.get(household_number)
            if existing is None and group is None:
                sheet.error(
                    errors,
                    number,
                    "household_number",
                    _("户编号 {household_number} 未登记，也不在本文件的“{members}”表中").format(
                        household_number=household_number, members=MEMBERS.name
                    ),
                )
                continue
            if existing is not None and not self._in_scope(existing[4], existing[3]):
                sheet.error(
                    errors,
                    number,
                    "household_number",
                    _("户编号 {household_number} 不在您的管辖范围内，不能导入").format(
                        household_number=household_number
                    ),
                )
                continue
            if year not in lined_years:
                sheet.error(
                    errors,
                    number,
                    "year",
                    _("{year} 年尚未设定扶贫标准，请先由县扶贫办设定后再导入该年度收入").format(year=year),
                )
                continue
            if number in sheet.bad_rows:
                continue
            wanted.append((number, household_number, year, values))
        household_ids = sorted({self.households[n][1] for _, n, _, _ in wanted if n in self.households})
        registered: dict[tuple[int, int], tuple] = {}
        for chunk in _chunks(household_ids):
            for row in _matching(Assessment.objects.all(), "household_id", chunk).values_list(
                "household_id", "year", "id", *ASSESSMENT_FIELDS
            ):
                registered[(row[0], row[1])] = row
        counts = self.counts["assessments"]
        for _row, household_number, year, values in wanted:
            existing = self.households.get(household_number)
            found = registered.get((existing[1], year)) if existing is not None else None
            new = {f: values[positions[f]] for f in present}
            if found is None:
                self.assessment_creates.append((household_number, year, new))
                counts["created"] += 1
                continue
            current = dict(zip(ASSESSMENT_FIELDS, found[3:], strict=True))
            diff = {f: v for f, v in new.items() if v != current[f]}
            if diff:
                self.assessment_updates[found[2]] = diff
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1

    # -- writing -------------------------------------------------------------------------------------

    def write(self, *, user, progress: Callable[[float], None]) -> None:
        now = timezone.now()
        history = {"user": user, "reason": CHANGE_REASON, "now": now}
        ids = {number: row[1] for number, row in self.households.items()}
        initials: dict[str, str] = {}

        def initials_of(name: str) -> str:
            if name not in initials:
                initials[name] = pinyin_initials(name)
            return initials[name]

        # households (COPY on PostgreSQL, with their history rows)
        rows = []
        for group in self.household_creates:
            values = group.values[0]
            rows.append(
                {
                    "household_number": group.number,
                    "head_initials": initials_of(values["head_name"]),
                    **values,
                }
            )
        new_ids = insert_with_history(Household, rows, user=user, reason=CHANGE_REASON, now=now)
        ids.update(zip((g.number for g in self.household_creates), new_ids, strict=True))
        progress(0.2)
        for diff in self.household_updates.values():
            if "head_name" in diff:
                diff["head_initials"] = initials_of(diff["head_name"])
        update_with_history(Household, self.household_updates, touch=("updated_at",), **history)
        # members: first those who stop being 户主, so the one-head index never sees two at once
        demoted = {
            pk: diff
            for pk, diff in self.member_updates.items()
            if diff.get("relation", choices.Relation.HEAD) != choices.Relation.HEAD
        }
        update_with_history(Member, demoted, **history)
        update_with_history(
            Member, {pk: d for pk, d in self.member_updates.items() if pk not in demoted}, **history
        )
        progress(0.3)
        total = max(len(self.member_creates), 1)
        done = 0
        for chunk in _chunks(self.member_creates, 25_000):
            rows = [{"household_id": ids[number], **values} for number, values in chunk]
            insert_with_history(Member, rows, user=user, reason=CHANGE_REASON, now=now)
            done += len(chunk)
            progress(0.3 + 0.5 * done / total)
        # assessments
        rows = [
            {"household_id": ids[number], "year": year, **values}
            for number, year, values in self.assessment_creates
        ]
        insert_with_history(Assessment, rows, user=user, reason=CHANGE_REASON, now=now)
        update_with_history(Assessment, self.assessment_updates, **history)
        progress(1.0)


def household_roster_after_commit(*, user) -> None:
    """After a committed import: every household's exit eligibility is recomputed by a job (DESIGN.md §3)."""
    from households.models import EligibilityRun
    from households.services import eligibility_recompute_enqueue

    eligibility_recompute_enqueue(trigger=EligibilityRun.Trigger.IMPORT, user=user)
    # The recompute refreshes the summary table too (households.tasks): the dashboards see the import.


# -- export ------------------------------------------------------------------------------------------

CHUNK = 2_000
MASKED_NOTE = (
    "注意：本文件中的身份证号已部分隐藏（*），不能再导入；需要导入时请由有权限查看完整身份证号的人员导出。"
)


def _places() -> dict[int, tuple[str, str, str]]:
    return {
        nv: (t, v, name)
        for nv, name, v, t in NaturalVillage.objects.values_list(
            "id", "name", "village__name", "village__township__name"
        )
    }


def _labels(sheet, field_name: str) -> dict[Any, Any]:
    return getattr(sheet.column(field_name).parser, "labels", {})


def _member_rows(households: QuerySet, masked: bool) -> Iterator[list[Any]]:
    places = _places()
    relation, sex, education, school, labour, migrant, attribute, cause, status = (
        _labels(MEMBERS, f)
        for f in (
            "relation", "sex", "education", "school_status", "labour", "migrant_work", "attribute",
            "main_cause", "status",
        )
    )  # fmt: skip
    health = MEMBERS.column("health").parser
    rows = (
        Member.objects.filter(household__in=households.values("pk"), left_reason="")
        .order_by("household__household_number", "id")
        .values_list(
            "household__household_number",
            "household__natural_village_id",
            "name",
            "id_number",
            "relation",
            "sex",
            "ethnicity",
            "education",
            "school_status",
            "health",
            "labour",
            "migrant_work",
            "household__attribute",
            "household__main_cause",
            "household__identified_year",
            "household__phone",
            "household__status",
            "household__exit_year",
        )  # fmt: skip
        .iterator(chunk_size=CHUNK)
    )
    for (number, nv, name, id_number, rel, sx, eth, edu, sch, hl, lab, mig, att, cau, year, phone, st, exit_year) in rows:  # fmt: skip
        t, v, n = places.get(nv, ("", "", ""))
        yield [
            number, t, v, n, name, mask(id_number) if masked else id_number, relation.get(rel), sex.get(sx),
            eth or None, education.get(edu), school.get(sch), health.to_cell(hl or []), labour.get(lab),
            migrant.get(mig), attribute.get(att), cause.get(cau), year, (mask_phone(phone) if masked else phone) or None,
            status.get(st), exit_year,
        ]  # fmt: skip


def _assessment_rows(households: QuerySet) -> Iterator[list[Any]]:
    amounts = [ASSESSMENTS.column(f).parser for f in ("wage_income",)]
    to_amount = amounts[0].to_cell
    rows = (
        Assessment.objects.filter(household__in=households.values("pk"))
        .order_by("household__household_number", "year")
        .values_list(
            "household__household_number",
            "year",
            "wage_income",
            "operating_income",
            "property_income",
            "transfer_income",
            "operating_expense",
            *Assessment.SECURITY_FIELDS,
        )  # fmt: skip
        .iterator(chunk_size=CHUNK)
    )
    for number, year, *rest in rows:
        yield [
            number,
            year,
            *(to_amount(a) for a in rest[:5]),
            *("是" if b else "否" for b in rest[5:]),
        ]


def households_export(*, user, queryset: QuerySet[Household], stream: IO[bytes]) -> dict[str, Any]:
    """Write the households of ``queryset`` that ``user`` may see to ``stream`` as an .xlsx roster.

    Answers what was written: ``{"households", "members", "assessments", "masked"}``.
    """
    access = Access.for_user(user)
    households = access.visible(queryset.model._default_manager.filter(pk__in=queryset.values("pk")))
    masked = not access.sees_full_id_numbers
    members, assessments = write_roster(
        HOUSEHOLD_ROSTER,
        [(MEMBERS, _member_rows(households, masked)), (ASSESSMENTS, _assessment_rows(households))],
        stream,
        notes=[MASKED_NOTE] if masked else ["本文件可修改后直接导入（按户编号、身份证号匹配）。"],
    )
    return {
        "households": households.count(),
        "members": members,
        "assessments": assessments,
        "masked": masked,
    }


def household_roster_template(*, user, stream: IO[bytes]) -> None:
    """An empty roster to fill in: drop-downs for every enumerated column; 乡镇, 行政村 and 自然村 drop
    down only the user's own scope."""
    from core.excel.writers import write_template
    from villages.models import AdministrativeVillage, Township

    access = Access.for_user(user)
    scoped = {
        "township": list(
            access.visible(Township.objects.order_by("code", "id")).values_list("name", flat=True)
        ),
        "village": list(
            dict.fromkeys(
                access.visible(
                    AdministrativeVillage.objects.order_by("township_id", "code", "id")
                ).values_list("name", flat=True)
            )
        ),
        "natural_village": list(
            dict.fromkeys(
                access.visible(NaturalVillage.objects.order_by("village_id", "code", "id")).values_list(
                    "name", flat=True
                )
            )
        ),
    }
    write_template(HOUSEHOLD_ROSTER, stream, scoped=scoped)


def household_export_queryset(*, user, filters: dict, dialect: str = "page") -> QuerySet:
    """The households a list shows for these filters: the list page's form (``page``) or the API's
    FilterSet (``api``). Invalid filters are dropped, as the list page does."""
    access = Access.for_user(user)
    if dialect == "api":
        from households.api import HouseholdFilter  # the API's filters; the api module imports this one

        filterset = HouseholdFilter(data=filters, queryset=access.visible(Household.objects.all()))
        return filterset.qs.order_by("household_number")
    form = HouseholdFilterForm(filters or None, access=access)
    cleaned = {}
    if form.is_bound:
        form.is_valid()
        cleaned = form.cleaned_data
    return selectors.household_list(access=access, filters=cleaned)
