"""Importing, exporting and templates of the pairing (挂包帮结对) and revisit (转走访) rosters.

Both importers read the sheet once, load every household, unit, cadre, pairing and revisit the file names
in a fixed number of queries, decide each row in memory (created / updated / unchanged or an error on its
cell), and write only when nothing is wrong and it is not a dry run, in one transaction with the audit
history. The pairing rules are those of ``assignments.services.pairing_assign``: one active cadre per
household, re-pairing ends the previous pairing on the new one's start, a unit pairs only in the villages
it is linked to (单位挂村), and only the county creates cadres.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from assignments.models import Cadre, Pairing, Revisit, RevisitRound, WorkUnit, WorkUnitVillage
from assignments.rosters import OFFICES, PAIRING_ROSTER, PAIRINGS, REVISIT_IMPORTERS, REVISIT_ROSTER, REVISITS
from core.access import Access
from core.excel.bulk import insert_with_history, update_with_history
from core.excel.engine import SheetData
from core.excel.limits import Limits
from core.excel.sheet_import import (
    Outcome,
    chunked,
    commit,
    new_outcome,
    read_roster_sheet,
    role_may_import,
    shown_date,
)
from core.excel.writers import write_roster, write_template
from households.models import Household

CHANGE_REASON = "花名册导入"
CHUNK = 2_000
UNKNOWN_HOUSEHOLD = gettext_lazy("户编号 {} 未登记，或不在您的管辖范围内")


def _households(access: Access, numbers) -> dict[str, tuple]:
    """number -> (id, village id, village name) of the households the user may see."""
    found: dict[str, tuple] = {}
    qs = access.visible(Household.objects.all())
    for part in chunked(qs, "household_number", numbers):
        for number, pk, village_id, village in part.values_list(
            "household_number", "id", "village_id", "village__name"
        ):
            found[number] = (pk, village_id, village)
    return found


# -- pairings -----------------------------------------------------------------------------------------------


@dataclass
class _PairingRow:
    number: int
    household: tuple  # (id, village id, village name)
    cadre: int | tuple  # a registered cadre's id, or (unit id, name) of a cadre to create
    unit: str
    cadre_name: str
    started_on: datetime.date | None
    ended_on: datetime.date | None


def pairing_roster_import(
    *,
    user,
    source,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
    limits: Limits | None = None,
) -> Outcome:
    """Check ``source`` against the pairing roster and the database; write it when ``dry_run`` is false and
    nothing is wrong. Never raises for a bad file: everything is in ``outcome.errors``."""
    outcome, limits = new_outcome(("pairings", "cadres"), limits)
    if not role_may_import(user, OFFICES, PAIRING_ROSTER.title, outcome.errors):
        return outcome
    data = read_roster_sheet(source, PAIRING_ROSTER, outcome.errors, limits=limits, progress=progress)
    if data is None:
        return outcome
    outcome.rows = len(data.rows)
    plan = _PairingPlan(user=user, data=data, outcome=outcome)
    plan.check()
    if outcome.errors or dry_run:
        return outcome
    commit(outcome, plan.write)
    if progress:
        progress(100)
    return outcome


class _PairingPlan:
    def __init__(self, *, user, data: SheetData, outcome: Outcome):
        self.user, self.data, self.outcome, self.errors = user, data, outcome, outcome.errors
        self.access = Access.for_user(user)
        # Cadres are reference data the county keeps: only it adds a cadre or corrects a cadre's phone here.
        self.keeps_cadres = self.access.may_change_model(Cadre)
        self.new_cadres: dict[tuple[int, str], str] = {}  # (unit id, name) -> phone
        self.cadre_phones: dict[int, str] = {}  # cadre id -> new phone
        self.ends: dict[int, datetime.date] = {}  # pairing id -> ended_on
        self.creates: list[tuple[int | tuple, int, datetime.date]] = []  # (cadre, household id, started_on)
        self.cadre_info: dict[int, tuple] = {}  # id -> (id, unit id, name, phone, active)

    def _error(self, row: int, field_name: str, message: str) -> None:
        self.data.error(self.errors, row, field_name, message)

    def check(self) -> None:
        data = self.data
        i = {c.field: data.index(c.field) for c in PAIRINGS.columns}
        good = [(n, v) for n, v in data.rows if n not in data.bad_rows]
        households = _households(self.access, (v[i["household_number"]] for _, v in good))
        units = dict(
            WorkUnit.objects.filter(name__in={v[i["unit"]] for _, v in good}).values_list("name", "id")
        )
        cadres: dict[tuple[int, str], list[tuple]] = defaultdict(list)
        for row in Cadre.objects.filter(unit_id__in=units.values()).values_list(
            "id", "unit_id", "name", "phone", "active"
        ):
            cadres[(row[1], row[2])].append(row)
            self.cadre_info[row[0]] = row
        links = set(
            WorkUnitVillage.objects.filter(unit_id__in=units.values()).values_list("unit_id", "village_id")
        )
        pairings: dict[int, list[tuple]] = defaultdict(list)
        for part in chunked(Pairing.objects.all(), "household_id", (h[0] for h in households.values())):
            for row in part.values_list("id", "household_id", "cadre_id", "started_on", "ended_on"):
                pairings[row[1]].append(row)

        by_household: dict[int, list[_PairingRow]] = defaultdict(list)
        for number, values in good:
            household = households.get(values[i["household_number"]])
            if household is None:
                self._error(
                    number, "household_number", UNKNOWN_HOUSEHOLD.format(values[i["household_number"]])
                )
                continue
            unit_name, name, phone = values[i["unit"]], values[i["cadre"]], values[i["phone"]]
            unit_id = units.get(unit_name)
            if unit_id is None:
                self._error(
                    number,
                    "unit",
                    gettext("挂联单位“{unit_name}”未登记（新增单位请联系县扶贫办）").format(
                        unit_name=unit_name
                    ),
                )
                continue
            cadre = self._cadre(number, unit_id, unit_name, name, phone, cadres)
            if cadre is None:
                continue
            by_household[household[0]].append(
                _PairingRow(
                    number, household, cadre, unit_name, name, values[i["started_on"]], values[i["ended_on"]]
                )
            )
        for household_id, rows in by_household.items():
            self._household(rows, pairings.get(household_id, []), links)
        # cadres are counted once each, however many households they take on
        self.outcome.add("cadres", "created", len(self.new_cadres))
        self.outcome.add("cadres", "updated", len(self.cadre_phones))

    def _cadre(self, number, unit_id, unit_name, name, phone, cadres) -> int | tuple | None:
        """The registered cadre this row names, or the key of one to create (county only)."""
        candidates = cadres.get((unit_id, name), [])
        if len(candidates) > 1 and phone:
            candidates = [c for c in candidates if c[3] == phone]
        if len(candidates) > 1:
            self._error(
                number,
                "phone",
                gettext("挂联单位“{unit_name}”有 {length} 名干部叫“{name}”，请填写联系电话以区分").format(
                    unit_name=unit_name, length=len(candidates), name=name
                ),
            )
            return None
        if candidates:
            cadre_id, _, _, registered, _ = candidates[0]
            if phone and phone != registered:
                if not self.keeps_cadres:
                    self._error(
                        number, "phone",
                        gettext("与干部“{name}”登记的联系电话 {value} 不一致；修改干部信息请联系县扶贫办").format(name=name, value=registered or _('（空）')),
                    )  # fmt: skip
                    return None
                if self.cadre_phones.setdefault(cadre_id, phone) != phone:
                    self._error(
                        number,
                        "phone",
                        gettext("干部“{name}”在本文件中填写了不同的联系电话").format(name=name),
                    )
                    return None
            return cadre_id
        if not self.keeps_cadres:
            self._error(
                number,
                "cadre",
                gettext("挂联单位“{unit_name}”中没有干部“{name}”；新增干部请联系县扶贫办").format(
                    unit_name=unit_name, name=name
                ),
            )
            return None
        if not phone:
            self._error(
                number,
                "cadre",
                gettext("挂联单位“{unit_name}”中没有干部“{name}”；要新增该干部，请填写其联系电话").format(
                    unit_name=unit_name, name=name
                ),
            )
            return None
        key = (unit_id, name)
        if self.new_cadres.setdefault(key, phone) != phone:
            self._error(
                number, "phone", gettext("新增干部“{name}”在本文件中填写了不同的联系电话").format(name=name)
            )
            return None
        return key

    def _household(self, rows: list[_PairingRow], registered: list[tuple], links) -> None:
        """One household's rows: first the pairings the file ends, then the one it makes active."""
        active = next((p for p in registered if p[4] is None), None)
        ending = [r for r in rows if r.ended_on is not None]
        current = [r for r in rows if r.ended_on is None]
        count = self.outcome.add
        if len(current) > 1:
            listed = gettext("、").join(str(r.number) for r in current)
            for r in current[1:]:
                self._error(
                    r.number,
                    "cadre",
                    gettext("一户只能有一名在帮干部（第 {listed} 行都没有结束日期）").format(listed=listed),
                )
            return
        for r in ending:
            if r.started_on and r.started_on > r.ended_on:
                self._error(r.number, "ended_on", gettext("结束日期不能早于开始日期"))
                continue
            if active is not None and active[2] == r.cadre and r.started_on in (None, active[3]):
                if r.ended_on < active[3]:
                    self._error(
                        r.number,
                        "ended_on",
                        gettext("结束日期不能早于结对开始日期 {value}").format(value=shown_date(active[3])),
                    )
                elif active[0] in self.ends:
                    self._error(r.number, "cadre", gettext("与本文件中另一行重复"))
                else:
                    self.ends[active[0]] = r.ended_on
                    count("pairings", "updated")
                continue
            past = [
                p for p in registered
                if p[4] is not None and p[2] == r.cadre and r.started_on in (None, p[3])
            ]  # fmt: skip
            if any(p[4] == r.ended_on for p in past):
                count("pairings", "unchanged")
            elif past:
                self._error(
                    r.number, "ended_on",
                    gettext("该结对已于 {value} 结束；历史结对不能通过导入改写").format(value=shown_date(past[-1][4])),
                )  # fmt: skip
            elif active is not None and active[2] == r.cadre:
                self._error(
                    r.number, "started_on",
                    gettext("该干部与该户的在帮结对开始于 {value}，与本行不一致").format(value=shown_date(active[3])),
                )  # fmt: skip
            else:
                self._error(
                    r.number, "cadre",
                    gettext("该户与干部“{cadre_name}”没有在帮的结对，无法结束；历史结对不能通过导入补录").format(cadre_name=r.cadre_name),
                )  # fmt: skip
        if not current:
            return
        r = current[0]
        if active is not None and active[2] == r.cadre:
            if active[0] in self.ends:
                self._error(r.number, "ended_on", gettext("本文件另有一行结束了同一结对，两行矛盾"))
            elif r.started_on not in (None, active[3]):
                self._error(
                    r.number, "started_on",
                    gettext("{cadre_name} 已在帮扶该户，结对开始于 {value}；开始日期不能通过导入修改").format(cadre_name=r.cadre_name, value=shown_date(active[3])),
                )  # fmt: skip
            else:
                count("pairings", "unchanged")
            return
        started_on = r.started_on or timezone.localdate()
        unit_id = r.cadre[0] if isinstance(r.cadre, tuple) else self.cadre_info[r.cadre][1]
        if not isinstance(r.cadre, tuple) and not self.cadre_info[r.cadre][4]:
            self._error(
                r.number, "cadre", gettext("干部 {cadre_name} 已不在岗").format(cadre_name=r.cadre_name)
            )
            return
        household_id, village_id, village = r.household
        if (unit_id, village_id) not in links:
            self._error(
                r.number,
                "unit",
                gettext("挂联单位“{unit}”未挂联{village}（请先在单位挂村中添加）").format(
                    unit=r.unit, village=village
                ),
            )
            return
        if active is not None and active[0] not in self.ends:
            if started_on < active[3]:
                self._error(
                    r.number, "started_on",
                    gettext("新结对的开始日期不能早于原结对的开始日期 {value}").format(value=shown_date(active[3])),
                )  # fmt: skip
                return
            # 换人: the previous cadre's pairing ends the day the new one starts (as pairing_create does).
            self.ends[active[0]] = started_on
            count("pairings", "updated")
        self.creates.append((r.cadre, household_id, started_on))
        count("pairings", "created")

    def write(self) -> None:
        now = timezone.now()
        created = insert_with_history(
            Cadre,
            [
                {"unit_id": unit_id, "name": name, "phone": phone}
                for (unit_id, name), phone in self.new_cadres.items()
            ],
            now=now,
        )
        new_ids = dict(zip(self.new_cadres, created, strict=True))
        update_with_history(Cadre, {pk: {"phone": phone} for pk, phone in self.cadre_phones.items()}, now=now)
        # ends first, so the one-active-pairing index never sees two at once
        update_with_history(
            Pairing,
            {pk: {"ended_on": d} for pk, d in self.ends.items()},
            user=self.user,
            reason=CHANGE_REASON,
            now=now,
        )
        rows = [
            {
                "cadre_id": new_ids[cadre] if isinstance(cadre, tuple) else cadre,
                "household_id": household_id,
                "started_on": started_on,
                "ended_on": None,
            }
            for cadre, household_id, started_on in self.creates
        ]
        insert_with_history(Pairing, rows, user=self.user, reason=CHANGE_REASON, now=now)


def pairings_export(*, user, queryset: QuerySet[Pairing] | None, stream: IO[bytes]) -> dict[str, Any]:
    """The pairings ``user`` may see (active and ended) in the roster's layout, streamed."""
    access = Access.for_user(user)
    pairings = access.visible(Pairing.objects.all())
    if queryset is not None:
        pairings = pairings.filter(pk__in=queryset.values("pk"))
    rows = (
        pairings.order_by("household__household_number", "started_on", "id")
        .values_list(
            "cadre__unit__name",
            "cadre__name",
            "cadre__phone",
            "household__household_number",
            "started_on",
            "ended_on",
        )  # fmt: skip
        .iterator(chunk_size=CHUNK)
    )
    (written,) = write_roster(
        PAIRING_ROSTER,
        [(PAIRINGS, ([u, c, p or None, n, s, e] for u, c, p, n, s, e in rows))],
        stream,
        notes=["本文件可修改后直接导入（按户编号和干部匹配）。"],
    )
    return {"pairings": written, "masked": False}


def pairing_roster_template(*, user, stream: IO[bytes]) -> None:
    """The empty pairing roster; 挂联单位 drops down the units the user's scope works with."""
    units = Access.for_user(user).visible(WorkUnit.objects.order_by("name")).values_list("name", flat=True)
    write_template(PAIRING_ROSTER, stream, scoped={"work_unit": list(units)})


# -- revisits -----------------------------------------------------------------------------------------------

TEXTS = ("situation", "problems", "help_given")


def revisit_roster_import(
    *,
    user,
    source,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
    limits: Limits | None = None,
) -> Outcome:
    """Check ``source`` against the revisit roster; write it when ``dry_run`` is false and nothing is wrong.

    Officials enter paper records here; a revisit must be by a cadre paired with the household on its date.
    """
    outcome, limits = new_outcome(("revisits",), limits)
    if not role_may_import(user, REVISIT_IMPORTERS, REVISIT_ROSTER.title, outcome.errors):
        return outcome
    access = Access.for_user(user)
    if not (access.may_create_model(Revisit) and access.may_change_model(Revisit)):  # the access rule, too
        outcome.errors.add(
            gettext("您的角色不能导入{title}：走访记录由挂包干部本人填写。").format(
                title=REVISIT_ROSTER.title
            )
        )
        return outcome
    data = read_roster_sheet(source, REVISIT_ROSTER, outcome.errors, limits=limits, progress=progress)
    if data is None:
        return outcome
    outcome.rows = len(data.rows)
    creates, updates = _revisit_plan(Access.for_user(user), data, outcome)
    if outcome.errors or dry_run:
        return outcome

    def write() -> None:
        now = timezone.now()
        update_with_history(Revisit, updates, user=user, reason=CHANGE_REASON, now=now, touch=("updated_at",))
        insert_with_history(Revisit, creates, user=user, reason=CHANGE_REASON, now=now)

    commit(outcome, write)
    if progress:
        progress(100)
    return outcome


def _revisit_plan(access: Access, data: SheetData, outcome: Outcome) -> tuple[list[dict], dict[int, dict]]:
    errors = outcome.errors
    i = {c.field: data.index(c.field) for c in REVISITS.columns}
    good = [(n, v) for n, v in data.rows if n not in data.bad_rows]
    households = _households(access, (v[i["household_number"]] for _, v in good))
    household_ids = [h[0] for h in households.values()]
    pairings: dict[tuple[int, str], list[tuple]] = defaultdict(list)  # (household, cadre name) -> pairings
    for part in chunked(Pairing.objects.all(), "household_id", household_ids):
        for row in part.values_list("household_id", "cadre__name", "cadre_id", "started_on", "ended_on"):
            pairings[(row[0], row[1])].append(row)
    rounds = {r.name: r for r in RevisitRound.objects.all()}
    dates = [v[i["visited_on"]] for _, v in good]
    existing: dict[tuple, list[tuple]] = defaultdict(list)
    if dates:
        qs = Revisit.objects.filter(visited_on__range=(min(dates), max(dates))).order_by("id")
        for part in chunked(qs, "household_id", household_ids):
            for row in part.values_list(
                "id", "household_id", "cadre_id", "visited_on", "kind", "round_id", *TEXTS
            ):
                existing[row[1:5]].append(row)
    today = timezone.localdate()
    seen: dict[tuple, int] = defaultdict(int)
    creates: list[dict] = []
    updates: dict[int, dict] = {}
    for number, values in good:
        household = households.get(values[i["household_number"]])
        if household is None:
            data.error(
                errors, number, "household_number", UNKNOWN_HOUSEHOLD.format(values[i["household_number"]])
            )
            continue
        name, visited_on = values[i["cadre"]], values[i["visited_on"]]
        kind = values[i["kind"]] or Revisit.Kind.HOME  # an absent 方式 column reads as 入户, as a blank cell
        paired = pairings.get((household[0], name), [])
        covering = [p for p in paired if p[3] <= visited_on and (p[4] is None or visited_on <= p[4])]
        cadre_ids = {p[2] for p in covering} or {p[2] for p in paired}
        if not paired:
            data.error(
                errors,
                number,
                "cadre",
                gettext("户编号 {value} 没有名为“{name}”的结对干部").format(
                    value=values[i["household_number"]], name=name
                ),
            )
            continue
        if len(cadre_ids) > 1:
            data.error(
                errors,
                number,
                "cadre",
                gettext("该户有 {length} 名叫“{name}”的结对干部，无法区分").format(
                    length=len(cadre_ids), name=name
                ),
            )
            continue
        cadre_id = cadre_ids.pop()
        round_name = values[i["round"]]
        round_id = None
        if round_name:
            rnd = rounds.get(round_name)
            if rnd is None:
                data.error(
                    errors,
                    number,
                    "round",
                    gettext("回访轮次“{round_name}”不存在").format(round_name=round_name),
                )
                continue
            if not rnd.starts_on <= visited_on <= rnd.ends_on:
                data.error(
                    errors, number, "visited_on",
                    gettext("走访日期不在{name}（{value} 至 {value2}）内").format(name=rnd.name, value=shown_date(rnd.starts_on), value2=shown_date(rnd.ends_on)),
                )  # fmt: skip
                continue
            round_id = rnd.pk
        key = (household[0], cadre_id, visited_on, kind)
        k = seen[key]
        seen[key] += 1
        matches = existing.get(key, [])
        texts = {f: values[i[f]] for f in TEXTS if f in data.cells}  # an absent column: as it is
        if k < len(matches):
            found = matches[k]
            current = dict(zip(("round_id", *TEXTS), found[5:], strict=True))
            wanted = {**texts, **({"round_id": round_id} if round_name else {})}
            diff = {f: v for f, v in wanted.items() if v != current[f]}
            if diff:
                updates[found[0]] = diff
                outcome.add("revisits", "updated")
            else:
                outcome.add("revisits", "unchanged")
            continue
        # a new record: the same rules as the phone (revisit_record)
        if visited_on > today:
            data.error(errors, number, "visited_on", gettext("走访日期不能晚于今天"))
            continue
        if not covering:
            periods = "；".join(f"{shown_date(p[3])} 至 {shown_date(p[4]) if p[4] else '今'}" for p in paired)
            data.error(
                errors, number, "visited_on",
                gettext("走访日期 {value} 不在干部“{name}”与该户的结对期间（{periods}）内").format(value=shown_date(visited_on), name=name, periods=periods),
            )  # fmt: skip
            continue
        if round_id is None:
            round_id = next((r.pk for r in rounds.values() if r.starts_on <= visited_on <= r.ends_on), None)
        creates.append(
            {
                "household_id": household[0],
                "cadre_id": cadre_id,
                "round_id": round_id,
                "visited_on": visited_on,
                "kind": kind,
                "client_uuid": uuid.uuid4(),  # unique per record: the column default would be one value
                **dict.fromkeys(TEXTS, ""),
                **texts,
            }
        )
        outcome.add("revisits", "created")
    return creates, updates


def _revisit_rows(revisits: QuerySet[Revisit]) -> Iterator[list[Any]]:
    kinds = dict(Revisit.Kind.choices)
    rows = (
        revisits.order_by("household__household_number", "visited_on", "id")
        .values_list(
            "household__household_number", "cadre__name", "visited_on", "kind", "round__name", *TEXTS
        )
        .iterator(chunk_size=CHUNK)
    )
    for number, cadre, visited_on, kind, round_name, *texts in rows:
        yield [number, cadre, visited_on, str(kinds.get(kind, "")), round_name, *(t or None for t in texts)]


def revisits_export(*, user, queryset: QuerySet[Revisit] | None, stream: IO[bytes]) -> dict[str, Any]:
    """The revisits ``user`` may see in the roster's layout, streamed."""
    revisits = Access.for_user(user).visible(Revisit.objects.all())
    if queryset is not None:
        revisits = revisits.filter(pk__in=queryset.values("pk"))
    (written,) = write_roster(
        REVISIT_ROSTER,
        [(REVISITS, _revisit_rows(revisits))],
        stream,
        notes=["本文件可修改后直接导入（按户编号、干部、走访日期和方式匹配）。"],
    )
    return {"revisits": written, "masked": False}


def revisit_roster_template(*, user, stream: IO[bytes]) -> None:
    rounds = RevisitRound.objects.order_by("year", "number").values_list("name", flat=True)
    write_template(REVISIT_ROSTER, stream, scoped={"round": list(rounds)})
