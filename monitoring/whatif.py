"""What-if (测算): the effect of a proposed poverty line or monitoring line before it is adopted.

The county admin enters a line; a job computes, set-based (one aggregate statement over the registry, in a
read-only transaction), what would change against each household's latest assessment, and keeps the
answer as the job's result. Nothing else is written: no line, household or assessment.

- A proposed poverty line (国家扶贫标准 of a year): the households whose latest assessment is of that year
  and that would become eligible to exit, or stop being so, compared to the line in force
  (households.eligibility: income above the line and the six guarantees); and the villages whose poverty
  incidence, counting the poor households not eligible under the line, would cross the exit threshold
  (3 %, the ``incidence`` exit indicator) either way.
- A proposed monitoring line (防返贫监测范围 of a year): the exited households that would enter monitoring
  (income under the line, as screening raises them) or would no longer be raised, compared to the line
  in force; households already monitored are counted apart. The registry records no rigid expenditure,
  so a proposed rigid-expenditure share is shown beside the share in force, without a household count.

Per-capita income is computed here from the assessment and the current members, as the eligibility rule
does, so the comparison holds whether or not the nightly recompute has run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import IO, Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.excel.columns import Column, Roster, Sheet
from core.excel.parsers import Text
from core.excel.writers import write_roster
from core.jobs import job_enqueue, job_progress
from households.choices import POOR_STATUSES, Status
from households.eligibility import poverty_line_for
from households.models import PovertyLine
from monitoring.choices import OPEN_STATES
from monitoring.models import MonitoringLine
from villages.models import County, ExitIndicator

KIND = "what_if"
POVERTY_LINE = "poverty_line"
MONITORING_LINE = "monitoring_line"
DEFAULT_THRESHOLD = Decimal("0.03")  # 3 %: a village exits below it (DESIGN.md §3), unless the data says

_COUNTED = "(" + ",".join(f"'{s}'" for s in (Status.POOR, Status.RETURNED, Status.EXITED)) + ")"
_POOR = "(" + ",".join(f"'{s}'" for s in POOR_STATUSES) + ")"
_OPEN_STATES = "(" + ",".join(f"'{s}'" for s in OPEN_STATES) + ")"

# Each household's latest assessment when it is of the proposed year: the line of a year decides the
# households whose shown decision comes from that year (households.eligibility, step 2).
_LATEST_OF_YEAR = """
    LEFT JOIN households_assessment a ON a.household_id = h.id AND a.year = %(year)s
          AND NOT EXISTS (SELECT 1 FROM households_assessment later
                           WHERE later.household_id = h.id AND later.year > %(year)s)
"""
_MEMBERS = """members AS (
    SELECT household_id, COUNT(*)::int AS n FROM households_member WHERE left_reason = '' GROUP BY household_id
)"""
_INCOME = """CASE WHEN COALESCE(m.n, 0) > 0 THEN round((a.wage_income + a.operating_income + a.property_income
             + a.transfer_income - a.operating_expense) / m.n, 2) END"""

# One statement: per administrative village, the households that flip and the poor persons left under
# the line in force and under the proposed one (households with no assessment of the year stay poor).
POVERTY_LINE_SQL = f"""
WITH {_MEMBERS},
decided AS (
    SELECT h.id, h.village_id, h.status, COALESCE(m.n, 0) AS persons, a.id IS NOT NULL AS assessed,
           {_INCOME} AS income,
           COALESCE(a.food_secure AND a.clothing_secure AND a.education_secure AND a.medical_secure
                    AND a.housing_secure AND a.water_secure, FALSE) AS secure,
           COALESCE(lc.amount, lp.amount, ln.amount) AS line_now
      FROM households_household h
      LEFT JOIN members m ON m.household_id = h.id
      {_LATEST_OF_YEAR}
      JOIN villages_township t ON t.id = h.township_id
      JOIN villages_county c ON c.id = t.county_id
      LEFT JOIN households_povertyline lc ON lc.year = %(year)s AND lc.region_code = c.region_code
      LEFT JOIN households_povertyline lp ON lp.year = %(year)s AND lp.region_code = substr(c.region_code, 1, 2) || '0000'
      LEFT JOIN households_povertyline ln ON ln.year = %(year)s AND ln.region_code = ''
     WHERE h.status IN {_COUNTED}
),
flags AS (
    SELECT d.*, COALESCE(d.secure AND d.income > d.line_now, FALSE) AS eligible_now,
           COALESCE(d.secure AND d.income > %(amount)s, FALSE) AS eligible_then
      FROM decided d
)
SELECT v.id, v.name, t.id, t.name, v.registered_rural_population,
       COUNT(f.id) FILTER (WHERE f.assessed),
       COUNT(f.id) FILTER (WHERE f.eligible_then AND NOT f.eligible_now),
       COUNT(f.id) FILTER (WHERE f.eligible_now AND NOT f.eligible_then),
       COUNT(f.id) FILTER (WHERE f.eligible_now AND NOT f.eligible_then AND f.status = '{Status.EXITED}'),
       COALESCE(SUM(f.persons) FILTER (WHERE f.status IN {_POOR}), 0),
       COALESCE(SUM(f.persons) FILTER (WHERE f.status IN {_POOR} AND NOT f.eligible_now), 0),
       COALESCE(SUM(f.persons) FILTER (WHERE f.status IN {_POOR} AND NOT f.eligible_then), 0)
  FROM villages_administrativevillage v
  JOIN villages_township t ON t.id = v.township_id
  LEFT JOIN flags f ON f.village_id = v.id
 GROUP BY v.id, t.id
 ORDER BY t.name, t.id, v.name, v.id
"""

# One statement: per administrative village, the exited households under the proposed monitoring line and
# under the line in force (screening's income rule), apart from those already in an open procedure.
MONITORING_LINE_SQL = f"""
WITH {_MEMBERS},
decided AS (
    SELECT h.id, h.village_id, {_INCOME} AS income, ml.income_line AS line_now,
           EXISTS (SELECT 1 FROM monitoring_monitoringobject o
                    WHERE o.household_id = h.id AND o.state IN {_OPEN_STATES}) AS monitored
      FROM households_household h
      LEFT JOIN members m ON m.household_id = h.id
      {_LATEST_OF_YEAR.replace("LEFT JOIN", "JOIN", 1)}
      JOIN villages_township t ON t.id = h.township_id
      JOIN villages_county c ON c.id = t.county_id
      LEFT JOIN monitoring_monitoringline ml
             ON ml.year = %(year)s AND ml.province_code = substr(c.region_code, 1, 2) || '0000'
     WHERE h.status = '{Status.EXITED}'
),
flags AS (
    SELECT d.*, COALESCE(d.income < d.line_now, FALSE) AS under_now,
           COALESCE(d.income < %(amount)s, FALSE) AS under_then
      FROM decided d
)
SELECT v.id, v.name, t.id, t.name,
       COUNT(f.id),
       COUNT(f.id) FILTER (WHERE f.under_then AND NOT f.under_now AND NOT f.monitored),
       COUNT(f.id) FILTER (WHERE f.under_now AND NOT f.under_then AND NOT f.monitored),
       COUNT(f.id) FILTER (WHERE f.under_then AND NOT f.monitored),
       COUNT(f.id) FILTER (WHERE f.under_then AND f.monitored)
  FROM villages_administrativevillage v
  JOIN villages_township t ON t.id = v.township_id
  LEFT JOIN flags f ON f.village_id = v.id
 GROUP BY v.id, t.id
 ORDER BY t.name, t.id, v.name, v.id
"""

POVERTY_COUNTS = ("assessed", "became", "lost", "lost_exited", "poor_persons", "poor_now", "poor_then")
MONITORING_COUNTS = ("exited", "entering", "leaving", "under_then", "already")


def incidence_threshold() -> Decimal:
    """The exit threshold of poverty incidence, as data (the village ``incidence`` exit indicator)."""
    value = (
        ExitIndicator.objects.filter(level=ExitIndicator.Level.VILLAGE, code="incidence", active=True)
        .exclude(threshold=None)
        .values_list("threshold", flat=True)
        .first()
    )
    return DEFAULT_THRESHOLD if value is None else value


def latest_line_year() -> int | None:
    """The latest year with a poverty line: the year a proposal most often concerns (the form's default)."""
    return PovertyLine.objects.order_by("-year").values_list("year", flat=True).first()


def _money(value) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


@contextmanager
def _reading_only() -> Iterator[None]:
    """A transaction that cannot write: PostgreSQL refuses any write in it. Inside an outer transaction
    (a test, an inline task in a request) the outer one is left as it is; the job still writes nothing."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION READ ONLY")
        yield


def _unit_rows(rows: list[tuple], names: tuple[str, ...], extra: int = 0) -> list[dict]:
    units = []
    for row in rows:
        village_id, village, township_id, township = row[:4]
        unit = {"id": village_id, "name": village, "township_id": township_id, "township": township}
        unit.update(zip(("population",) if extra else (), row[4 : 4 + extra], strict=True))
        unit.update(zip(names, row[4 + extra :], strict=True))
        units.append(unit)
    return units


def _townships(villages: list[dict], names: tuple[str, ...]) -> list[dict]:
    """Sums per township of the village rows (a few thousand rows at province scale, not households)."""
    townships: dict[int, dict] = {}
    for v in villages:
        t = townships.setdefault(v["township_id"], {"id": v["township_id"], "name": v["township"]})
        for name in names:
            t[name] = t.get(name, 0) + v[name]
    return list(townships.values())


def _incidence(persons: int, population: int) -> float | None:
    return round(persons / population, 6) if population else None


def what_if_poverty_line(*, year: int, amount: Decimal, job=None) -> dict:
    """The effect of ``amount`` as the poverty line of ``year``; reads only."""
    threshold = incidence_threshold()
    # The line in force for each county (its own, its province's or the national line); none: no line yet.
    in_force = sorted(
        {
            Decimal(line)
            for c in County.objects.values_list("region_code", flat=True)
            if (line := poverty_line_for(year=year, region_code=c)) is not None
        }
    )
    with _reading_only(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(POVERTY_LINE_SQL, {"year": year, "amount": amount})
        rows = cursor.fetchall()
    if job is not None:
        job_progress(job, 80)
    villages = _unit_rows(rows, POVERTY_COUNTS, extra=1)
    changed = []
    for v in villages:
        now = _incidence(v["poor_now"], v["population"])
        then = _incidence(v["poor_then"], v["population"])
        v["incidence_now"], v["incidence_then"] = now, then
        v["crossing"] = None
        if now is not None and (now >= threshold) != (then >= threshold):
            v["crossing"] = "above" if then >= threshold else "below"
        if v["became"] or v["lost"] or v["crossing"]:
            changed.append(v)
    townships = _townships(villages, POVERTY_COUNTS)
    return {
        "kind": POVERTY_LINE,
        "year": year,
        "proposed": {"amount": _money(amount)},
        "in_force": {"amount": [_money(line) for line in in_force]},
        "threshold": str(threshold),
        "totals": {name: sum(t[name] for t in townships) for name in POVERTY_COUNTS},
        "townships": [t for t in townships if t["became"] or t["lost"]],
        "villages": changed,
    }


def what_if_monitoring_line(
    *, year: int, income_line: Decimal | None, rigid_expense_share: Decimal | None, job=None
) -> dict:
    """The effect of a proposed monitoring line of ``year``; reads only."""
    provinces = {c[:2] + "0000" for c in County.objects.values_list("region_code", flat=True)}
    lines = list(
        MonitoringLine.objects.filter(year=year, province_code__in=provinces).order_by("province_code")
    )
    villages: list[dict] = []
    if income_line is not None:
        with _reading_only(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(MONITORING_LINE_SQL, {"year": year, "amount": income_line})
            villages = _unit_rows(cursor.fetchall(), MONITORING_COUNTS)
    if job is not None:
        job_progress(job, 80)
    townships = _townships(villages, MONITORING_COUNTS)
    return {
        "kind": MONITORING_LINE,
        "year": year,
        "proposed": {
            "income_line": _money(income_line),
            "rigid_expense_share": None if rigid_expense_share is None else str(rigid_expense_share),
        },
        "in_force": {
            "income_line": [_money(line.income_line) for line in lines],
            "rigid_expense_share": [str(line.rigid_expense_share) for line in lines],
        },
        "totals": {name: sum(t[name] for t in townships) for name in MONITORING_COUNTS},
        "townships": [t for t in townships if t["entering"] or t["leaving"] or t["already"]],
        "villages": [v for v in villages if v["entering"] or v["leaving"] or v["already"]],
    }


def what_if_run(*, params: dict, job=None) -> dict:
    """Run the what-if the params describe (as the form and the API give them; amounts as text)."""

    def number(name):
        value = params.get(name)
        return None if value in (None, "") else Decimal(str(value))

    if params["kind"] == POVERTY_LINE:
        return what_if_poverty_line(year=int(params["year"]), amount=number("amount"), job=job)
    return what_if_monitoring_line(
        year=int(params["year"]),
        income_line=number("income_line"),
        rigid_expense_share=number("rigid_expense_share"),
        job=job,
    )


def what_if_start(*, user, kind: str, year: int, amount=None, income_line=None, rigid_expense_share=None):
    """Queue a what-if job (county admins: the caller asks ``Access.may_run_what_if``); answers the Job."""
    params = {
        "kind": kind,
        "year": int(year),
        "amount": None if amount is None else str(amount),
        "income_line": None if income_line is None else str(income_line),
        "rigid_expense_share": None if rigid_expense_share is None else str(rigid_expense_share),
    }
    return job_enqueue(kind=KIND, task="monitoring.tasks.what_if_task", params=params, created_by=user)


# -- the result as tables: the page and the workbook show the same ----------------------------------------


def _pct(value) -> float | None:
    return None if value is None else round(value * 100, 2)


def what_if_tables(result: dict) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(sheet name, headers, rows) of each table of a what-if result."""
    if result["kind"] == POVERTY_LINE:
        counts = [
            _("有当年评估户数"),
            _("新符合脱贫条件户数"),
            _("不再符合脱贫条件户数"),
            _("其中已脱贫户数"),
        ]
        keys = ("assessed", "became", "lost", "lost_exited")
        crossing = {"above": _("升至阈值以上"), "below": _("降至阈值以下"), None: ""}
        return [
            (
                _("按乡镇"),
                [_("乡镇"), *counts],
                [[t["name"], *(t[k] for k in keys)] for t in result["townships"]]
                + [[_("合计"), *(result["totals"][k] for k in keys)]],
            ),
            (
                _("按行政村"),
                [_("乡镇"), _("行政村"), *counts, _("现行标准测算发生率(%)"), _("拟议标准测算发生率(%)")],
                [
                    [
                        v["township"],
                        v["name"],
                        *(v[k] for k in keys),
                        _pct(v["incidence_now"]),
                        _pct(v["incidence_then"]),
                    ]
                    for v in result["villages"]
                ],
            ),
            (
                _("跨越发生率阈值的村"),
                [
                    _("乡镇"),
                    _("行政村"),
                    _("户籍农业人口"),
                    _("现行标准测算发生率(%)"),
                    _("拟议标准测算发生率(%)"),
                    _("变化"),
                ],
                [
                    [
                        v["township"],
                        v["name"],
                        v["population"],
                        _pct(v["incidence_now"]),
                        _pct(v["incidence_then"]),
                        crossing[v["crossing"]],
                    ]
                    for v in result["villages"]
                    if v["crossing"]
                ],
            ),
        ]
    counts = [_("将纳入监测户数"), _("不再预警户数"), _("低于拟议标准户数"), _("其中已在监测户数")]
    keys = ("entering", "leaving", "under_then", "already")
    return [
        (
            _("按乡镇"),
            [_("乡镇"), *counts],
            [[t["name"], *(t[k] for k in keys)] for t in result["townships"]]
            + [[_("合计"), *(result["totals"][k] for k in keys)]],
        ),
        (
            _("按行政村"),
            [_("乡镇"), _("行政村"), *counts],
            [[v["township"], v["name"], *(v[k] for k in keys)] for v in result["villages"]],
        ),
    ]


def what_if_workbook(result: dict, stream: IO[bytes]) -> None:
    """The result as a workbook, one sheet per table, through the one roster writer."""
    tables = what_if_tables(result)
    sheets = [
        (
            Sheet(
                name,
                [Column(header=h, field=f"c{i}", parser=Text(500), width=16) for i, h in enumerate(headers)],
            ),
            rows,
        )
        for name, headers, rows in tables
    ]
    roster = Roster(name="what_if", title=_("标准调整测算"), sheets=[sheet for sheet, _rows in sheets])
    write_roster(roster, sheets, stream)
