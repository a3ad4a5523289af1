"""Data-quality suspects (错评、漏评、错退 and the like) as declared checks.

Each check has a code, a Chinese name, a severity and a set-based SQL query answering
``(household_id, reason, fingerprint)``: the reason in words, and a digest of exactly the data the rule read.
``quality_run`` records every suspect as a QualityIssue row in one statement per rule. A suspect an official
marked checked-and-correct (``quality_issue_mark_correct``) stays quiet while its fingerprint is unchanged,
and opens again when the data it was read from changes. Suspects no longer found are removed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from households.choices import COUNTED_STATUSES, POOR_STATUSES, Relation, Status
from monitoring.choices import Severity

COUNTED = "(" + ",".join(f"'{s}'" for s in COUNTED_STATUSES) + ")"
POOR = "(" + ",".join(f"'{s}'" for s in POOR_STATUSES) + ")"
INCOME = "(a.per_capita_net_income)"
SHARED_PHONE_MIN = 3  # one phone number on this many registered households is a suspect
FAR_ABOVE = 2  # income this many times the line, still poor, with no cause analysis that year


@dataclass(frozen=True)
class Check:
    code: str
    name: str
    severity: str
    sql: str  # answers household_id, reason, fingerprint


CHECKS = (
    Check(
        "wrong_exit",
        "错退：脱贫当年收入低于标准",
        Severity.HIGH,
        f"""SELECT h.id, '脱贫年度 ' || h.exit_year || ' 年人均纯收入 ' || round(a.per_capita_net_income)
                || ' 元，不高于当年扶贫标准 ' || round(a.poverty_line) || ' 元',
                md5(concat_ws('|', h.exit_year, a.per_capita_net_income, a.poverty_line))
           FROM households_household h
           JOIN households_assessment a ON a.household_id = h.id AND a.year = h.exit_year
          WHERE h.status = '{Status.EXITED}' AND a.poverty_line IS NOT NULL
            AND a.per_capita_net_income <= a.poverty_line""",
    ),
    Check(
        "never_proposed",
        "漏退：连续两年符合脱贫条件未申请",
        Severity.MEDIUM,
        f"""SELECT h.id, string_agg(a.year::text, '、' ORDER BY a.year) || ' 年均符合脱贫条件，从未申请脱贫',
                md5(string_agg(a.year::text, ',' ORDER BY a.year))
           FROM households_household h
           JOIN households_assessment a ON a.household_id = h.id AND a.eligible IS TRUE
          WHERE h.status IN {POOR}
            AND NOT EXISTS (SELECT 1 FROM households_exitapplication e WHERE e.household_id = h.id)
          GROUP BY h.id HAVING count(*) >= 2""",
    ),
    Check(
        "income_far_above",
        "错评：收入远高于标准且无原因说明",
        Severity.HIGH,
        f"""SELECT h.id, a.year || ' 年人均纯收入 ' || round(a.per_capita_net_income) || ' 元，超过扶贫标准 '
                || round(a.poverty_line) || ' 元的 {FAR_ABOVE} 倍，仍为贫困户且无致贫原因分析',
                md5(concat_ws('|', a.year, a.per_capita_net_income, a.poverty_line))
           FROM households_household h
           JOIN LATERAL (SELECT * FROM households_assessment x WHERE x.household_id = h.id
                          ORDER BY x.year DESC LIMIT 1) a ON TRUE
          WHERE h.status IN {POOR} AND a.poverty_line IS NOT NULL
            AND a.per_capita_net_income > {FAR_ABOVE} * a.poverty_line
            AND NOT EXISTS (SELECT 1 FROM households_helpplan p WHERE p.household_id = h.id AND p.year = a.year
                             AND btrim(p.cause_analysis) <> '')""",
    ),
    Check(
        "departed_counted",
        "死亡或迁出人口仍在计",
        Severity.MEDIUM,
        f"""SELECT h.id, a.year || ' 年收入按 ' || a.member_count || ' 人计算，现有在册人口 ' || count(m.id)
                || ' 人（死亡或迁出人口仍在计）',
                md5(concat_ws('|', a.year, a.member_count, count(m.id)))
           FROM households_household h
           JOIN LATERAL (SELECT * FROM households_assessment x WHERE x.household_id = h.id
                          ORDER BY x.year DESC LIMIT 1) a ON TRUE
           LEFT JOIN households_member m ON m.household_id = h.id AND m.left_reason = ''
          WHERE h.status IN {COUNTED}
          GROUP BY h.id, a.year, a.member_count HAVING a.member_count > count(m.id)""",
    ),
    Check(
        "shared_phone",
        "一个电话号码登记在多户",
        Severity.LOW,
        f"""SELECT h.id, '联系电话 ' || left(h.phone, 3) || '****' || right(h.phone, 4) || ' 同时登记在 '
                || p.n || ' 户', md5(concat_ws('|', h.phone, p.n))
           FROM households_household h
           JOIN (SELECT phone, count(*) n FROM households_household
                  WHERE phone <> '' AND status IN {COUNTED} GROUP BY phone HAVING count(*) >= {SHARED_PHONE_MIN}) p
             ON p.phone = h.phone
          WHERE h.status IN {COUNTED}""",
    ),
    Check(
        "head_age",
        "户主未满16周岁或子女年长于户主",
        Severity.MEDIUM,
        f"""WITH born AS (
               SELECT m.household_id, m.relation, m.name,
                      to_date(substr(m.id_number, 7, 8), 'YYYYMMDD') AS birth
                 FROM households_member m
                WHERE m.left_reason = '' AND length(m.id_number) = 18
                  AND m.relation IN ('{Relation.HEAD}', '{Relation.SON}', '{Relation.DAUGHTER}'))
           SELECT h.id,
                  CASE WHEN hd.birth > (current_date - interval '16 years')
                       THEN '户主 ' || hd.name || ' 出生于 ' || to_char(hd.birth, 'YYYY-MM-DD') || '，未满16周岁'
                       ELSE '子女 ' || min(c.name) || ' 出生早于户主 ' || hd.name END,
                  md5(concat_ws('|', hd.birth, min(c.birth)))
             FROM households_household h
             JOIN born hd ON hd.household_id = h.id AND hd.relation = '{Relation.HEAD}'
             LEFT JOIN born c ON c.household_id = h.id AND c.relation <> '{Relation.HEAD}' AND c.birth < hd.birth
            WHERE h.status IN {COUNTED}
            GROUP BY h.id, hd.birth, hd.name
           HAVING hd.birth > (current_date - interval '16 years') OR count(c.birth) > 0""",
    ),
    Check(
        "exit_before_identified",
        "脱贫年度早于识别年度",
        Severity.HIGH,
        f"""SELECT h.id, '脱贫年度 ' || h.exit_year || ' 年早于识别年度 ' || h.identified_year || ' 年',
                md5(concat_ws('|', h.exit_year, h.identified_year))
           FROM households_household h
          WHERE h.status IN {COUNTED} AND h.exit_year < h.identified_year""",
    ),
    Check(
        "no_visit",
        "结对户连续两轮未走访",
        Severity.MEDIUM,
        f"""WITH rounds AS (SELECT id, name FROM assignments_revisitround WHERE ends_on < current_date
                            ORDER BY ends_on DESC LIMIT 2)
           SELECT h.id, (SELECT string_agg(name, '、' ORDER BY id) FROM rounds) || ' 均无走访记录',
                  md5((SELECT string_agg(id::text, ',' ORDER BY id) FROM rounds))
             FROM households_household h
            WHERE h.status IN {POOR} AND (SELECT count(*) FROM rounds) = 2
              AND EXISTS (SELECT 1 FROM assignments_pairing pr WHERE pr.household_id = h.id AND pr.ended_on IS NULL)
              AND NOT EXISTS (SELECT 1 FROM assignments_revisit r
                               WHERE r.household_id = h.id AND r.round_id IN (SELECT id FROM rounds))""",
    ),
)
CHECK_BY_CODE = {check.code: check for check in CHECKS}


def quality_run(*, codes: list[str] | None = None) -> dict[str, int]:
    """Run the declared checks set-based; answers the number of open suspects per rule."""
    counts = {}
    for check in CHECKS:
        if codes and check.code not in codes:
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            started = timezone.now()
            cursor.execute(
                f"""WITH found(household_id, reason, fingerprint) AS ({check.sql})
                INSERT INTO monitoring_qualityissue
                    (rule, household_id, severity, reason, fingerprint, found_at, last_seen_at, open,
                     checked_fingerprint, checked_note)
                SELECT %s, household_id, %s, reason, fingerprint, %s, %s, TRUE, '', '' FROM found
                ON CONFLICT (rule, household_id) DO UPDATE SET
                    reason = EXCLUDED.reason, severity = EXCLUDED.severity, fingerprint = EXCLUDED.fingerprint,
                    last_seen_at = EXCLUDED.last_seen_at,
                    open = monitoring_qualityissue.checked_fingerprint <> EXCLUDED.fingerprint""",
                [check.code, check.severity, started, started],
            )
            cursor.execute(
                "DELETE FROM monitoring_qualityissue WHERE rule = %s AND last_seen_at < %s",
                [check.code, started],
            )
            cursor.execute(
                "SELECT count(*) FROM monitoring_qualityissue WHERE rule = %s AND open", [check.code]
            )
            counts[check.code] = cursor.fetchone()[0]
    return counts
