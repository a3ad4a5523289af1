"""`make run` serves SQLite: the pages must not depend on PostgreSQL-only SQL. The walk runs in a process
of its own (the suite's own connection is PostgreSQL) over a fresh SQLite file."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_main_pages_answer_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CACHE_URL")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'smoke.sqlite3'}", DEBUG="1", SECRET_KEY="smoke")
    done = subprocess.run(
        [sys.executable, "-m", "tests.sqlite_smoke.walk"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"在 SQLite 上有页面出错：\n{done.stdout}\n{done.stderr[-3000:]}"
