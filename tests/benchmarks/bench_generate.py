"""generate_households: set-based SQL into PostgreSQL (target ≥ 60,000 members/s), beside bulk_create.

BENCH_HOUSEHOLDS (default 250,000, about 1,000,000 members) households go in by set-based SQL; before that,
BENCH_BASELINE_HOUSEHOLDS (default 20,000) households of the same rows go in by Django bulk_create, as the
baseline. Both runs include their commit (the deferred foreign-key checks) and, for SQL, the ANALYZE.

Run alone (on the database DATABASE_URL names, adding to it): ``python -m tests.benchmarks.bench_generate``.
"""

import os
import sys

TARGET_MEMBERS_PER_SECOND = 60_000  # issue 14


def _line(label: str, result) -> str:
    return (
        f"  {label:<22} {result.households:>9,} 户  {result.members:>10,} 名成员  "
        f"{result.seconds:7.2f} 秒  {result.members_per_second:>9,.0f} 名成员/秒"
    )


def run() -> dict:
    from demo.generation import generate_households

    households = int(os.environ.get("BENCH_HOUSEHOLDS", 250_000))
    baseline_households = int(os.environ.get("BENCH_BASELINE_HOUSEHOLDS", 20_000))
    # The baseline goes first, into the emptier tables: if anything, that favours it.
    baseline = generate_households(count=baseline_households, method="bulk")
    result = generate_households(count=households, method="sql")
    ratio = result.members_per_second / baseline.members_per_second
    passed = result.members_per_second >= TARGET_MEMBERS_PER_SECOND
    print("合成贫困户生成（generate_households）")
    print(_line("集合式 SQL", result))
    print(_line("bulk_create（基线）", baseline))
    print(f"  比值 集合式 SQL ÷ bulk_create（成员/秒）   {ratio:6.1f}")
    print(
        f"  目标：≥ {TARGET_MEMBERS_PER_SECOND:,} 名成员/秒（实测 {result.members_per_second:,.0f}）"
        f" {'PASS' if passed else 'FAIL'}"
    )
    return {
        "households": result.households,
        "members": result.members,
        "seconds": result.seconds,
        "members_per_second": result.members_per_second,
        "baseline_members_per_second": baseline.members_per_second,
        "ratio": ratio,
        "passed": passed,
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poverty_tracker.settings")
    import django

    django.setup()
    sys.exit(0 if run()["passed"] else 1)
