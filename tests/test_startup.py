"""A wrong or unreachable configuration stops start-up with one clear line, not a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "DEBUG", "REDIS_URL")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "url, expected",
    [
        ("postgres://postgres:secret@127.0.0.1:1/nowhere", "无法连接数据库"),
        ("nonsense-without-scheme", "DATABASE_URL 无法识别"),
        ("mysqlx://u@h/db", "DATABASE_URL 无法识别"),
    ],
)
def test_bad_database_url_stops_with_one_line(url, expected):
    result = manage("migrate", DATABASE_URL=url, SECRET_KEY="x")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "secret" not in lines[0]  # the password is never printed
    assert "Traceback" not in result.stderr


def test_missing_secret_key_in_production_stops_with_one_line():
    result = manage("migrate", DATABASE_URL="sqlite:////tmp/pt-startup-test.sqlite3")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY" in lines[0]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="JIT is PostgreSQL's")
def test_the_apps_postgresql_connections_do_not_jit_compile():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
