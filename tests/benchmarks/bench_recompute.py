"""Eligibility recompute over the whole registry, beside a single hand-written SQL UPDATE.

Targets (issue 14): 1,000,000 households with ~4,000,000 members and one assessment each, recomputed in
under 45 s on the local PostgreSQL, within 1.5× the time of one hand-written UPDATE doing the same
comparison (per-capita net income above the year's line, and the six guarantees), and a rerun that
changes nothing in under 10 s. The plans of its four statements are printed (EXPLAIN (ANALYZE, BUFFERS),
run on a reset registry in a transaction that is rolled back).

The registry is topped up with generate_households to BENCH_RECOMPUTE_HOUSEHOLDS (default 1,000,000).
Both runs start from the same state (no decision stored, dead rows vacuumed, a checkpoint, and the
operating system's dirty pages written out) and include their commit. They take turns, ROUNDS times each
(BENCH_RECOMPUTE_ROUNDS, default 2), and the ratio compares the best of each: one run of either moved by a
fifth from one try to the next on the same machine (the disk's writeback, checkpoints), every try is
printed. The recompute also writes what the UPDATE does not: the decision on each assessment (income,
line, reasons in words, rule version) and a change record per household, which is why the target allows
it 1.5×.

Then, on the same registry, the household list page (issue 3: "at 1,000,000 households the filtered list
answers in under 300 ms on the server"): whole requests through Django's test client as the county admin,
with the filters an office uses; the median of five after one warm-up.

Run alone (on the database DATABASE_URL names): ``python -m tests.benchmarks.bench_recompute``.
"""

import os
import sys
import time

TARGET_SECONDS = 45
TARGET_RATIO = 1.5
TARGET_RERUN_SECONDS = 10
TARGET_LIST_MS = 300

BASELINE_SQL = """
UPDATE households_household h
SET eligible = (x.income > x.line AND x.food_secure AND x.clothing_secure AND x.education_secure
                AND x.medical_secure AND x.housing_secure AND x.water_secure)
FROM (
    SELECT a.household_id,
           (a.wage_income + a.operating_income + a.property_income + a.transfer_income - a.operating_expense)
               / m.n AS income,
           l.amount AS line,
           a.food_secure, a.clothing_secure, a.education_secure, a.medical_secure, a.housing_secure,
           a.water_secure
    FROM households_assessment a
    JOIN (SELECT household_id, COUNT(*) AS n FROM households_member WHERE left_reason = ''
          GROUP BY household_id) m ON m.household_id = a.household_id
    JOIN households_povertyline l ON l.year = a.year AND l.region_code = ''
) x
WHERE h.id = x.household_id
"""


def _vacuum() -> None:
    """VACUUM ANALYZE the registry, then CHECKPOINT: each timed run starts with no dead rows and with the
    same WAL state (the first change to a page after a checkpoint writes the whole page to the WAL, so a
    run that a checkpoint happened to precede paid for it and the other did not)."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    previous = raw.autocommit
    raw.autocommit = True
    with raw.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE households_household, households_assessment, households_member")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:  # CHECKPOINT needs a superuser (or pg_checkpoint); else it is left out
            cursor.execute("CHECKPOINT")
    raw.autocommit = previous
    # The checkpoint handed its pages to the operating system: written out here, not during the next run
    # (a database on another machine is not affected either way).
    os.sync()


def _reset() -> None:
    """Forget every decision, so each timed run starts from the same state."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE households_household SET eligible = NULL, eligibility_year = NULL, "
            "eligibility_reasons = '[]', needs_return_review = FALSE"
        )
        cursor.execute(
            "UPDATE households_assessment SET eligible = NULL, eligibility_reasons = '[]', "
            "poverty_line = NULL, rule_version = '', decided_at = NULL"
        )
        cursor.execute("TRUNCATE households_eligibilitychange, households_eligibilityrun")
    _vacuum()


def run() -> dict:
    from django.db import connection, transaction

    from demo.generation import generate_households
    from households.eligibility import eligibility_recompute
    from households.models import Assessment, Household, Member

    wanted = int(os.environ.get("BENCH_RECOMPUTE_HOUSEHOLDS", 1_000_000))
    have = Household.objects.count()
    if have < wanted:
        started = time.perf_counter()
        generate_households(count=wanted - have, method="sql")
        print(f"  补足到 {wanted:,} 户（用时 {time.perf_counter() - started:.0f} 秒）", flush=True)
    households, members, assessments = (
        Household.objects.count(),
        Member.objects.count(),
        Assessment.objects.count(),
    )
    rounds = max(1, int(os.environ.get("BENCH_RECOMPUTE_ROUNDS", 2)))
    baselines, colds = [], []
    for _ in range(rounds):
        _reset()
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(BASELINE_SQL)
        baselines.append(time.perf_counter() - started)
        _reset()
        started = time.perf_counter()
        cold_run = eligibility_recompute()
        colds.append(time.perf_counter() - started)
    baseline, cold = min(baselines), min(colds)
    _vacuum()
    started = time.perf_counter()
    warm_run = eligibility_recompute()
    warm = time.perf_counter() - started

    ratio = cold / baseline
    checks = {
        f"首次 < {TARGET_SECONDS} 秒": cold < TARGET_SECONDS,
        f"首次 ≤ {TARGET_RATIO}× 基线": ratio <= TARGET_RATIO,
        f"再次 < {TARGET_RERUN_SECONDS} 秒": warm < TARGET_RERUN_SECONDS,
        "再次运行无变化": warm_run.decisions_changed == 0,
    }
    passed = all(checks.values())
    print("脱贫条件重算（eligibility_recompute）")
    print(f"  数据: {households:,} 户  {members:,} 名成员  {assessments:,} 条年度评估")
    tries = "，".join(f"{t:.2f}" for t in baselines)
    print(f"  手写单条 SQL UPDATE（基线）   {baseline:7.2f} 秒  （{rounds} 次中最快；各次 {tries}）")
    tries = "，".join(f"{t:.2f}" for t in colds)
    print(
        f"  重算（首次，全部结论变化）     {cold:7.2f} 秒  变化 {cold_run.decisions_changed:,} 户"
        f"  （{rounds} 次中最快；各次 {tries}）"
    )
    print(f"  重算（再次，无变化）           {warm:7.2f} 秒  变化 {warm_run.decisions_changed:,} 户")
    print(f"  比值 首次重算 ÷ 基线            {ratio:7.2f}")
    print(f"  比值 再次重算 ÷ 基线            {warm / baseline:7.2f}")
    for label, ok in checks.items():
        print(f"  目标 {label:<24} {'PASS' if ok else 'FAIL'}")
    _explain()
    list_passed = _list_pages()
    return {
        "households": households,
        "baseline_seconds": baseline,
        "cold_seconds": cold,
        "baseline_tries": baselines,
        "cold_tries": colds,
        "warm_seconds": warm,
        "ratio": ratio,
        "passed": passed and list_passed,
    }


def _explain() -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement (the decisions, then each write) on a reset registry."""
    from django.db import connection, transaction
    from django.utils import timezone

    from households import eligibility
    from households.models import EligibilityRun

    _reset()
    print("  执行计划：EXPLAIN (ANALYZE, BUFFERS)，首次状态，事务回滚")
    with transaction.atomic(), connection.cursor() as cursor:
        run = EligibilityRun.objects.create(rule_version=eligibility.RULE_VERSION)
        eligibility.session_settings(cursor)  # as the recompute runs them (parallel workers included)
        params = {"rule": eligibility.RULE_VERSION, "now": timezone.now(), "run": run.pk}
        for label, statement in (
            ("评估结论（只读，可并行）", eligibility._CALC_SQL),
            *eligibility._WRITE_STEPS,
        ):
            print(f"  -- {label}")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
            for (line,) in cursor.fetchall():
                print("    " + line)
            if statement is eligibility._CALC_SQL:
                cursor.execute("ANALYZE _eligibility_calc")
        transaction.set_rollback(True)


def _list_pages() -> bool:
    import statistics

    from django.conf import settings
    from django.test import Client

    from accounts.models import Role, User
    from households.models import Household

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # No collectstatic here: plain static storage, as in the tests.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": Role.COUNTY_ADMIN})
    client = Client()
    client.force_login(admin)
    sample = Household.objects.order_by("-id").first()
    member_id = sample.members.values_list("id_number", flat=True).first()
    queries = {
        "乡镇": f"township={sample.township_id}",
        "乡镇+未脱贫": f"township={sample.township_id}&status=poor",
        "行政村+属性": f"village={sample.village_id}&attribute=general",
        "全县 符合脱贫条件": "eligible=yes",
        "全县 待返贫核实": "review=on",
        "户主姓名": f"q={sample.head_name}",
        "拼音首字母": f"q={sample.head_initials}",
        "身份证号": f"q={member_id}",
        "户编号前缀": f"q={sample.household_number[:8]}",
        "全县 不筛选": "",
    }
    print(f"贫困户列表页（{Household.objects.count():,} 户，县管理员，整次请求，5 次中位数）")
    passed = True
    for label, query in queries.items():
        url = f"/households/?{query}"
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(5):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(times)
        passed &= median < TARGET_LIST_MS
        print(f"  {label:<14} {median:7.1f} ms  {'PASS' if median < TARGET_LIST_MS else 'FAIL'}")
    print(f"  目标：每个筛选 < {TARGET_LIST_MS} ms {'PASS' if passed else 'FAIL'}")
    return passed


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poverty_tracker.settings")
    django.setup()
    sys.exit(0 if run()["passed"] else 1)
