"""Import of the department alert roster: every row matched by ID number to a current member of a household
the importer sees, all or nothing. Unmatched and out-of-scope rows get the same words, so an importer learns
nothing about people outside their scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.access import Access
from core.excel.limits import Limits
from core.excel.sheet_import import Outcome, chunked, commit, new_outcome, read_roster_sheet, role_may_import
from core.excel.writers import write_template
from households.models import Member
from monitoring.choices import DEPARTMENT_RISK, Department, FoundBy
from monitoring.rosters import ALERT_ROSTER, ALERTS, IMPORTERS
from monitoring.services import candidate_raise, kind_for

UNKNOWN_PERSON = "身份证号 {} 不是在册人口，或不在您的管辖范围内"


def alert_roster_import(
    *,
    user,
    source,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
    limits: Limits | None = None,
) -> Outcome:
    outcome, limits = new_outcome(("candidates",), limits)
    if not role_may_import(user, IMPORTERS, ALERT_ROSTER.title, outcome.errors):
        return outcome
    data = read_roster_sheet(source, ALERT_ROSTER, outcome.errors, limits=limits, progress=progress)
    if data is None:
        return outcome
    outcome.rows = len(data.rows)
    access = Access.for_user(user)
    i = {c.field: data.index(c.field) for c in ALERTS.columns}
    good = [(n, v) for n, v in data.rows if n not in data.bad_rows]
    members = access.visible(Member.objects.filter(left_reason="")).select_related("household")
    people = {}
    for part in chunked(members, "id_number", (v[i["id_number"]] for _, v in good)):
        for member in part:
            people[member.id_number] = member.household
    today = timezone.localdate()
    plan = []
    for number, values in good:
        id_number = values[i["id_number"]]
        household = people.get(id_number)
        if household is None:
            data.error(outcome.errors, number, "id_number", UNKNOWN_PERSON.format(id_number))
            continue
        department = values[i["department"]]
        risk = values[i["risk"]] or DEPARTMENT_RISK[department]
        try:
            kind = kind_for(household, None)
        except ValidationError:
            data.error(
                outcome.errors,
                number,
                "id_number",
                f"户 {household.household_number} 为{household.get_status_display()}户，按贫困户帮扶，不作为监测对象",
            )
            continue
        label = Department(department).label
        reason = f"{label}预警（{values[i['alerted_on']] or today}）：{values[i['content']]}"
        plan.append((household, kind, risk, reason, values[i["alerted_on"]] or today))
    if outcome.errors or dry_run:
        for _ in plan:
            outcome.add("candidates", "created")
        return outcome

    def write() -> None:
        for household, kind, risk, reason, on in plan:
            created = candidate_raise(
                household=household,
                kind=kind,
                risk_types=[risk],
                found_by=FoundBy.ALERT,
                reason=reason,
                on=on,
            )
            outcome.add("candidates", "created" if created else "updated")

    commit(outcome, write)
    if progress:
        progress(100)
    return outcome


def alert_roster_template(*, user, stream: IO[bytes]) -> None:
    write_template(ALERT_ROSTER, stream)
