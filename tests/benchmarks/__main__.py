"""python -m tests.benchmarks: run every bench_*.py against a fresh PostgreSQL database of its own.

BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/pt_bench) names it; it is dropped and
recreated each run, so the developer's DATABASE_URL is never touched. Exits 1 if a target fails.
Names given on the command line (`python -m tests.benchmarks bench_roster`) run only those modules.
"""

import importlib
import logging
import os
import pkgutil
import sys
import time
import warnings

import environ
import psycopg2
from psycopg2 import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pt_bench"


def recreate_database(url: str) -> None:
    config = environ.Env.db_url_config(url)
    name = config["NAME"]
    if "postgresql" not in config["ENGINE"]:
        sys.exit(f"基准测试需要 PostgreSQL 数据库，BENCH_DATABASE_URL 不是: {config['ENGINE']}")
    developer = os.environ.get("DATABASE_URL")
    # The database is dropped: refuse anything that could be someone's data.
    if "bench" not in name or (developer and environ.Env.db_url_config(developer)["NAME"] == name):
        sys.exit(f"拒绝删除数据库 {name}：基准数据库名须含 bench，且不能是 DATABASE_URL 的数据库。")
    conn = psycopg2.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()


def main() -> int:
    # WhiteNoise looks for STATIC_ROOT, which only collectstatic (production) creates.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    recreate_database(url)
    # Point Django at the benchmark database before it reads its settings.
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "0"  # no query log growing through millions of rows
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poverty_tracker.settings")
    import django

    django.setup()
    # One JSON line per request, sign-in and job would bury the figures: the bench prints only its own.
    for logger in ("poverty_tracker.requests", "poverty_tracker.jobs", "celery", "axes"):
        logging.getLogger(logger).setLevel(logging.WARNING)
    from django.core.management import call_command

    from tests import benchmarks

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    name = environ.Env.db_url_config(url)["NAME"]
    print(f"基准数据库 {name} 已重建并迁移（{time.perf_counter() - started:.1f} 秒）", flush=True)
    failed: list[str] = []
    chosen = set(sys.argv[1:])
    # Generation first, into an empty registry: its households then count towards the 1,000,000 that the
    # later modules top the registry up to (after them, it would grow the registry past that size).
    for module_info in sorted(
        pkgutil.iter_modules(benchmarks.__path__), key=lambda m: (m.name != "bench_generate", m.name)
    ):
        if not module_info.name.startswith("bench_") or (chosen and module_info.name not in chosen):
            continue
        module = importlib.import_module(f"tests.benchmarks.{module_info.name}")
        print(f"\n== {module_info.name} ==", flush=True)
        figures = module.run()
        sys.stdout.flush()
        if isinstance(figures, dict) and figures.get("passed") is False:
            failed.append(module_info.name)
    total = time.perf_counter() - started
    print(
        f"\n共用时 {total:.0f} 秒；"
        + ("未达成目标: " + "、".join(failed) if failed else "没有模块报告未达成的目标。")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
