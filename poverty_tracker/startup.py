"""Start-up checks that end with one clear line instead of a traceback."""

import sys
import warnings

import environ
from django.core.exceptions import ImproperlyConfigured

SUPPORTED_ENGINES = ("django.db.backends.postgresql", "django.db.backends.sqlite3")


def _fail(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
    raise SystemExit(2)


def _redact(url: str) -> str:
    """postgres://user:secret@host/db -> postgres://user:***@host/db"""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        if ":" in creds:
            creds = creds.split(":", 1)[0] + ":***"
        return f"{scheme}://{creds}@{host}"
    return url


def required_or_exit(env: environ.Env, name: str) -> str:
    value = env(name, default="")
    if not value:
        _fail(f"缺少环境变量 {name}（生产环境必须设置；开发时可设 DEBUG=1）。")
    return value


def database_config_or_exit(env: environ.Env, *, default: str) -> dict:
    url = env("DATABASE_URL", default=default)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            config = environ.Env.db_url_config(url)
    except (ImproperlyConfigured, ValueError, KeyError) as exc:
        _fail(f"DATABASE_URL 无法识别: {_redact(url)} ({exc})")
    if config.get("ENGINE") not in SUPPORTED_ENGINES:
        _fail(f"DATABASE_URL 无法识别: {_redact(url)}（支持 postgres://… 和 sqlite:///…）")
    if "postgresql" in config["ENGINE"]:
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
        # No JIT compiling: the app's queries are short, and a dashboard query whose estimate crossed
        # jit_above_cost spent 24 of its 44 ms compiling. (A DATABASE_URL ?options=… is kept as given.)
        config["OPTIONS"].setdefault("options", "-c jit=off")
    config["CONN_MAX_AGE"] = 60
    config["CONN_HEALTH_CHECKS"] = True
    return config


def check_database_or_exit() -> None:
    """Open one connection; an unreachable database stops start-up with one line."""
    from django.conf import settings
    from django.db import connection
    from django.db.utils import Error

    try:
        connection.ensure_connection()
    except Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        db = settings.DATABASES["default"]
        where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or ''}/{db.get('NAME')}"
        _fail(f"无法连接数据库 {where}: {reason}。请检查 DATABASE_URL。")
