"""Fault tests: real processes (a Celery worker, gunicorn, a private redis-server) against the test database.

Each test is transactional, so what it sets up is committed and the other processes see it. They run with
`make test`, and alone with `pytest -m faults`. Without REDIS_URL or PostgreSQL they are skipped (CI has both).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
import requests
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
WORKER_NAME = "faults@localhost"  # fixed: a restarted worker is the same node
WEB_APP = "pt-faults-web"  # PostgreSQL application_name of the web processes, to find their backends
WORKER_APP = "pt-faults-worker"


# Every fault test module says ``pytestmark = FAULT_TEST``: in the module, so that pytest-django sees the
# transactional mark when it orders the suite (transactional tests last).
FAULT_TEST = [
    pytest.mark.faults,
    pytest.mark.celery_worker,  # the test process enqueues through the broker (no eager tasks)
    # serialized_rollback, as the project's other transactional tests: each starts from the database as the
    # migrations left it, and its flush does not recreate content types the next such test adds again.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="fault tests need REDIS_URL (CI sets it)"),
]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("fault tests need PostgreSQL (DATABASE_URL; CI sets it)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    """The test database, as the child processes must reach it."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def child_env(*, app_name: str, redis_url: str | None = None, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url or os.environ["REDIS_URL"],
        "DJANGO_SETTINGS_MODULE": "tests.faults.server_settings",
        "SECRET_KEY": "test-only-secret-key",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_PROXY_SSL_HEADER": "0",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "LOG_LEVEL": "WARNING",
        "PGAPPNAME": app_name,  # libpq's application_name
        **extra,
    }
    env.pop("CACHE_URL", None)
    return env


def raw_connection():
    """A connection of the test's own, outside Django's, to hold locks and to watch the others."""
    db = connection.settings_dict
    conn = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        application_name="pt-faults-test",
    )
    return conn


def backends(app_name: str, *, waiting: bool = False) -> list[int]:
    with raw_connection() as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s"
            + (" AND wait_event_type = 'Lock'" if waiting else ""),
            [app_name],
        )
        pids = [row[0] for row in cursor.fetchall()]
    conn.close()
    return pids


def wait_until(condition, seconds: float = 30, what: str = "condition", pause: float = 0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(pause)
    raise AssertionError(f"{what}: not within {seconds}s")


def tail(log, size: int = 3000) -> str:
    """The end of a child's log, for the message when it died."""
    log.seek(0)
    return log.read()[-size:].decode(errors="replace")


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, seconds: float = 15) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


class Worker:
    """A real Celery worker (solo pool) in a child process, started and killed by the test."""

    def __init__(self, redis_url: str | None = None, pool: str = "solo"):
        self.env = child_env(app_name=WORKER_APP, redis_url=redis_url)
        self.pool = pool
        self.process: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile()  # never a pipe: an unread pipe fills and blocks the child

    def start(self) -> Worker:
        from poverty_tracker.celery import app

        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "poverty_tracker", "worker", "-P", self.pool, "-c", "1", "-n", WORKER_NAME,
             "--without-gossip", "--without-mingle", "-l", "WARNING"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=self.log,
        )  # fmt: skip

        def answers() -> bool:
            assert self.process.poll() is None, tail(self.log)
            return bool(app.control.ping(destination=[WORKER_NAME], timeout=0.5))

        try:
            wait_until(answers, 45, "the worker to answer a ping")
        except BaseException:
            stop(self.process)  # never left running behind a failed start
            raise
        return self

    def pool_processes(self) -> list[int]:
        """The pool's child processes (prefork), from /proc."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no cleanup, no acknowledgement."""
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


@pytest.fixture
def worker() -> Iterator[Worker]:
    from poverty_tracker.celery import app

    app.control.purge()  # nothing left over from an earlier test
    started = Worker()
    yield started
    started.stop()


@pytest.fixture
def prefork_worker() -> Iterator[Worker]:
    """A worker as deployed: a main process and a pool process that runs the tasks."""
    from poverty_tracker.celery import app

    app.control.purge()
    started = Worker(pool="prefork")
    yield started
    started.stop()


class Web:
    """gunicorn with two worker processes serving the app over HTTP."""

    def __init__(self, *, redis_url: str | None = None, workers: int = 2, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = child_env(app_name=WEB_APP, redis_url=redis_url, **env)
        self.workers = workers
        self.process: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile()  # never a pipe: an unread pipe fills and blocks the child

    def start(self) -> Web:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:poverty_tracker.gunicorn_conf", "poverty_tracker.wsgi", "-b", f"127.0.0.1:{self.port}",
             "-w", str(self.workers), "--timeout", "60", "--graceful-timeout", "5", "--log-level", "warning"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=self.log,
        )  # fmt: skip

        def up() -> bool:
            assert self.process.poll() is None, tail(self.log)
            try:
                return requests.get(self.url + "/healthz", timeout=10).status_code in (200, 503)
            except requests.RequestException:
                return False

        try:
            wait_until(up, 60, "gunicorn to answer")
        except BaseException:
            stop(self.process)  # never left running behind a failed start
            raise
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)

    def session_for(self, user) -> requests.Session:
        """A browser-like session signed in as ``user`` (the session row is in the database, shared)."""
        from django.test import Client

        client = Client()
        client.force_login(user)
        session = requests.Session()
        session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
        return session

    def api_for(self, user) -> requests.Session:
        from rest_framework.authtoken.models import Token

        session = requests.Session()
        token, _ = Token.objects.get_or_create(user=user)
        session.headers["Authorization"] = f"Token {token.key}"
        return session


@pytest.fixture
def web() -> Iterator[Web]:
    server = Web().start()
    yield server
    server.stop()


class Redis:
    """A private redis-server on a free port, stopped and started by the test (never the shared one)."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> Redis:
        import redis

        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url)

        def answers() -> bool:
            try:
                return client.ping()
            except redis.ConnectionError:
                return False

        try:
            wait_until(answers, 15, "redis-server to answer")
        except BaseException:
            stop(self.process)  # never left running behind a failed start
            raise
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)

    def queued(self, queue: str = "celery") -> int:
        import redis

        return redis.Redis.from_url(self.url).llen(queue)


@pytest.fixture
def private_redis() -> Iterator[Redis]:
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server on PATH to start a private one")
    server = Redis().start()
    yield server
    server.stop()
