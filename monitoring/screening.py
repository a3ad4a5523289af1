"""Screening for monitoring candidates (发现), set-based: one INSERT ... SELECT over the registry.

Candidates, each with its reason in words:
- an exited household whose latest assessment is under its province's monitoring line of that year;
- a household whose latest per-capita income fell by more than DROP_SHARE from the year before;
- a revisit in the last RECENT_DAYS days reporting illness or disaster (keywords in 发现问题).
A household already an open monitoring object is skipped. 已清退 households are never screened.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from households.choices import Status
from monitoring.choices import FoundBy, Kind, State

DROP_SHARE = 0.5
RECENT_DAYS = 90
ILLNESS_WORDS = ("病", "住院", "手术", "残")
DISASTER_WORDS = ("灾", "洪", "火", "地震", "塌", "事故")
OPEN = (
    "("
    + ",".join(
        f"'{s}'"
        for s in (
            State.FOUND,
            State.VILLAGE_CHECKED,
            State.TOWNSHIP_REVIEWED,
            State.MONITORED,
            State.CLEARING,
        )
    )
    + ")"
)
KIND = f"""CASE h.status WHEN '{Status.GENERAL}' THEN '{Kind.MARGINAL}' WHEN '{Status.EXITED}' THEN '{Kind.UNSTABLE}'
           ELSE '{Kind.SUDDEN}' END"""


def _pattern(words) -> str:
    return "(" + "|".join(words) + ")"


CANDIDATES = f"""
WITH latest AS (
    SELECT DISTINCT ON (a.household_id) a.household_id, a.year, a.per_capita_net_income AS income
      FROM households_assessment a ORDER BY a.household_id, a.year DESC
), found(household_id, kind, risk, found_by, reason) AS (
    SELECT h.id, '{Kind.UNSTABLE}', '收入低于监测标准', '{FoundBy.ALERT}',
           l.year || ' 年人均纯收入 ' || round(l.income) || ' 元，低于监测标准 ' || round(ml.income_line) || ' 元'
      FROM households_household h
      JOIN latest l ON l.household_id = h.id
      JOIN villages_township t ON t.id = h.township_id
      JOIN villages_county c ON c.id = t.county_id
      JOIN monitoring_monitoringline ml ON ml.year = l.year AND ml.province_code = substr(c.region_code, 1, 2) || '0000'
     WHERE h.status = '{Status.EXITED}' AND l.income < ml.income_line
    UNION ALL
    SELECT h.id, {KIND}, '收入骤减', '{FoundBy.ALERT}',
           l.year || ' 年人均纯收入 ' || round(l.income) || ' 元，比上年 ' || round(p.per_capita_net_income) || ' 元下降超过 {int(DROP_SHARE * 100)}%%'
      FROM households_household h
      JOIN latest l ON l.household_id = h.id
      JOIN households_assessment p ON p.household_id = h.id AND p.year = l.year - 1
     WHERE h.status <> '{Status.REMOVED}' AND p.per_capita_net_income > 0
       AND l.income < (1 - {DROP_SHARE}) * p.per_capita_net_income
    UNION ALL
    SELECT DISTINCT ON (h.id) h.id, {KIND},
           CASE WHEN r.problems ~ %(illness)s THEN '因病' ELSE '因灾' END, '{FoundBy.VISIT}',
           to_char(r.visited_on, 'YYYY-MM-DD') || ' 走访发现：' || left(r.problems, 100)
      FROM households_household h
      JOIN assignments_revisit r ON r.household_id = h.id
     WHERE h.status <> '{Status.REMOVED}' AND r.visited_on >= %(since)s
       AND (r.problems ~ %(illness)s OR r.problems ~ %(disaster)s)
)
INSERT INTO monitoring_monitoringobject
    (household_id, kind, risk_types, found_by, reason, identified_on, state, help_measures, created_at, updated_at)
SELECT DISTINCT ON (f.household_id) f.household_id, f.kind, jsonb_build_array(f.risk), f.found_by, f.reason,
       %(today)s, '{State.FOUND}', '', %(now)s, %(now)s
  FROM found f
 WHERE (%(ids)s::bigint[] IS NULL OR f.household_id = ANY(%(ids)s::bigint[]))
   AND NOT EXISTS (SELECT 1 FROM monitoring_monitoringobject o
                    WHERE o.household_id = f.household_id AND o.state IN {OPEN})
 ORDER BY f.household_id
ON CONFLICT DO NOTHING
"""


def screening_run(*, household_ids: list[int] | None = None) -> int:
    """Raise candidates over the registry (or the given households); answers how many were raised."""
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            CANDIDATES,
            {
                "illness": _pattern(ILLNESS_WORDS),
                "disaster": _pattern(DISASTER_WORDS),
                "since": today - timezone.timedelta(days=RECENT_DAYS),
                "today": today,
                "now": now,
                "ids": household_ids,
            },
        )
        return cursor.rowcount
