"""防返贫监测 jobs over the whole registry, each beside a plain SQL query of one of its rules.

Target (issue 13, "Speed"): over 1,000,000 households the screening job and the data-quality job run
set-based in under 60 s each on PostgreSQL; the what-if job of a proposed poverty line too. Each prints its
time beside a plain hand-written SQL query of the same rule (one query, answering a count) and the ratio:

- screening (all three rules, writing the candidates) beside the plain query of its income rule (an exited
  household whose latest per-capita income is under its province's monitoring line);
- data quality (all eight checks, writing the suspects) beside the plain query of one check (死亡或迁出人口
  仍在计: the assessment counts more persons than the household's current members), and that check alone
  as the job runs it;
- what-if of a proposed poverty line (read-only, by township and village with incidence) beside the plain
  query of the eligibility comparison under both lines.

The registry is topped up with generate_households to BENCH_MONITORING_HOUSEHOLDS (default 1,000,000; an
earlier module may already have made them). Decisions are computed once first where some are missing (as the
nightly recompute leaves them), and a monitoring line is set for the assessment year. What the jobs wrote
(candidates, suspects) is removed at the end, so later modules see the registry as it was.

Run alone (on the database DATABASE_URL names): ``python -m tests.benchmarks.bench_monitoring``.
"""

import os
import sys
import time
from decimal import Decimal

TARGET_SECONDS = 60
MONITORING_LINE = Decimal("4000")  # yuan a head, for the generated assessments' year
PROPOSED_LINE = Decimal("3100")  # the what-if: the 2016 line raised from 2,952

SCREENING_BASELINE_SQL = """
SELECT count(*)
  FROM (SELECT DISTINCT ON (a.household_id) a.household_id, a.year, a.per_capita_net_income AS income
          FROM households_assessment a ORDER BY a.household_id, a.year DESC) l
  JOIN households_household h ON h.id = l.household_id
  JOIN villages_township t ON t.id = h.township_id
  JOIN villages_county c ON c.id = t.county_id
  JOIN monitoring_monitoringline ml ON ml.year = l.year AND ml.province_code = substr(c.region_code, 1, 2) || '0000'
 WHERE h.status = 'exited' AND l.income < ml.income_line
"""

QUALITY_RULE = "departed_counted"
QUALITY_BASELINE_SQL = """
SELECT count(*)
  FROM (SELECT DISTINCT ON (a.household_id) a.household_id, a.member_count
          FROM households_assessment a ORDER BY a.household_id, a.year DESC) a
  JOIN households_household h ON h.id = a.household_id AND h.status IN ('poor', 'returned', 'exited')
  LEFT JOIN (SELECT household_id, count(*) AS n FROM households_member WHERE left_reason = ''
              GROUP BY household_id) m ON m.household_id = a.household_id
 WHERE a.member_count > COALESCE(m.n, 0)
"""

WHAT_IF_BASELINE_SQL = """
SELECT count(*) FILTER (WHERE x.ok AND x.income > %(proposed)s AND NOT x.income > l.amount),
       count(*) FILTER (WHERE x.ok AND x.income > l.amount AND NOT x.income > %(proposed)s)
  FROM (SELECT a.year,
               round((a.wage_income + a.operating_income + a.property_income + a.transfer_income
                      - a.operating_expense) / m.n, 2) AS income,
               a.food_secure AND a.clothing_secure AND a.education_secure AND a.medical_secure
                   AND a.housing_secure AND a.water_secure AS ok
          FROM households_assessment a
          JOIN (SELECT household_id, count(*) AS n FROM households_member WHERE left_reason = ''
                 GROUP BY household_id) m ON m.household_id = a.household_id
         WHERE a.year = %(year)s) x
  JOIN households_povertyline l ON l.year = x.year AND l.region_code = ''
"""


def _timed(function):
    started = time.perf_counter()
    value = function()
    return value, time.perf_counter() - started


def _plain(sql: str, params=None):
    from django.db import connection, transaction

    def query():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(sql, params)
            return cursor.fetchone()

    return _timed(query)


def _vacuum() -> None:
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    previous = raw.autocommit
    raw.autocommit = True
    with raw.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE households_household, households_assessment, households_member, "
            "monitoring_monitoringobject, monitoring_qualityissue"
        )
    raw.autocommit = previous


def _clean() -> None:
    """Remove what the jobs wrote (candidates, suspects, the line and the job records)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE monitoring_monitoringstep, monitoring_monitoringobjection, monitoring_monitoringobject, "
            "monitoring_qualityissue"
        )
        cursor.execute(
            "DELETE FROM core_job WHERE kind IN ('monitoring_screening', 'monitoring_quality', 'what_if')"
        )


def _job(job_kind: str, task, **params):
    """Run a task through the job framework (as the page or the nightly run does), inline; answers the Job."""
    from core.models import Job

    job = Job.objects.create(kind=job_kind, params=params)
    task.apply(args=(job.id,), kwargs=params, throw=True)
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.error
    return job


def _line(label: str, seconds: float, note: str = "") -> None:
    print(f"  {label:<34} {seconds:7.2f} 秒  {note}")


def run() -> dict:
    from demo.generation import ASSESSMENT_YEAR, generate_households
    from households.eligibility import eligibility_recompute
    from households.models import Assessment, Household, Member
    from monitoring.models import MonitoringLine
    from monitoring.tasks import quality_task, screening_task, what_if_task

    wanted = int(os.environ.get("BENCH_MONITORING_HOUSEHOLDS", 1_000_000))
    have = Household.objects.count()
    if have < wanted:
        started = time.perf_counter()
        generate_households(count=wanted - have, method="sql")
        print(f"  补足到 {wanted:,} 户（用时 {time.perf_counter() - started:.0f} 秒）", flush=True)
    if Assessment.objects.filter(decided_at__isnull=True).exists():
        _, seconds = _timed(eligibility_recompute)
        print(f"  先计算脱贫条件结论（如每晚重算后的状态；用时 {seconds:.0f} 秒）", flush=True)
    MonitoringLine.objects.update_or_create(
        province_code="530000", year=ASSESSMENT_YEAR, defaults={"income_line": MONITORING_LINE}
    )
    _clean()
    _vacuum()
    households, members = Household.objects.count(), Member.objects.count()

    (below,), screening_plain = _plain(SCREENING_BASELINE_SQL)
    screening, screening_seconds = _timed(lambda: _job("monitoring_screening", screening_task))

    (departed,), quality_plain = _plain(QUALITY_BASELINE_SQL)
    _, rule_seconds = _timed(lambda: _job("monitoring_quality", quality_task, codes=[QUALITY_RULE]))
    quality, quality_seconds = _timed(lambda: _job("monitoring_quality", quality_task))

    proposal = {"year": ASSESSMENT_YEAR, "proposed": PROPOSED_LINE}
    (became, lost), what_if_plain = _plain(WHAT_IF_BASELINE_SQL, proposal)
    what_if, what_if_seconds = _timed(
        lambda: _job(
            "what_if", what_if_task, kind="poverty_line", year=ASSESSMENT_YEAR, amount=str(PROPOSED_LINE)
        )
    )
    totals = what_if.result["totals"]

    print(f"防返贫监测任务（{households:,} 户  {members:,} 名成员；任务经 Job 框架运行，含提交）")
    _line("手写 SQL：收入低于监测标准（基线）", screening_plain, f"{below:,} 户")
    _line(
        "监测筛查任务（三条规则，写入）", screening_seconds, f"新增监测对象 {screening.result['raised']:,} 户"
    )
    print(f"  比值 筛查任务 ÷ 基线                 {screening_seconds / screening_plain:7.2f}")
    _line(f"手写 SQL：{QUALITY_RULE}（基线）", quality_plain, f"{departed:,} 户")
    _line(f"质量任务：仅 {QUALITY_RULE}", rule_seconds, f"{quality.result[QUALITY_RULE]:,} 条")
    _line("质量任务（全部规则，写入）", quality_seconds, f"疑点 {sum(quality.result.values()):,} 条")
    print("  各规则疑点：" + "，".join(f"{code} {n:,}" for code, n in quality.result.items()))
    print(f"  比值 单条规则任务 ÷ 基线             {rule_seconds / quality_plain:7.2f}")
    print(f"  比值 全部规则任务 ÷ 基线             {quality_seconds / quality_plain:7.2f}")
    _line("手写 SQL：两条标准下的脱贫条件（基线）", what_if_plain, f"新符合 {became:,}，不再符合 {lost:,}")
    _line(
        f"测算任务（扶贫标准 {PROPOSED_LINE} 元）",
        what_if_seconds,
        f"新符合 {totals['became']:,}，不再符合 {totals['lost']:,}，跨阈值村 "
        f"{sum(1 for v in what_if.result['villages'] if v['crossing']):,} 个",
    )
    print(f"  比值 测算任务 ÷ 基线                 {what_if_seconds / what_if_plain:7.2f}")
    checks = {
        f"监测筛查 < {TARGET_SECONDS} 秒": screening_seconds < TARGET_SECONDS,
        f"数据质量 < {TARGET_SECONDS} 秒": quality_seconds < TARGET_SECONDS,
        f"标准测算 < {TARGET_SECONDS} 秒": what_if_seconds < TARGET_SECONDS,
        "筛查与基线一致": screening.result["raised"] >= below,
        "质量规则与基线一致": quality.result[QUALITY_RULE] == departed,
        "测算与基线一致": (totals["became"], totals["lost"]) == (became, lost),
    }
    for label, ok in checks.items():
        print(f"  目标 {label:<20} {'PASS' if ok else 'FAIL'}")
    _clean()
    return {
        "households": households,
        "screening_seconds": screening_seconds,
        "quality_seconds": quality_seconds,
        "what_if_seconds": what_if_seconds,
        "passed": all(checks.values()),
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poverty_tracker.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    import django

    django.setup()
    sys.exit(0 if run()["passed"] else 1)
