"""/healthz: is this process able to serve? Checks the database and the broker (DESIGN.md §5).

Answers 200 when both answer, 503 naming the one that does not. It reveals nothing else (no versions, no
hosts), so a load balancer or docker compose may call it without signing in.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

BROKER_TIMEOUT_SECONDS = 2


def _database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure is "down": the point is to say so, not to raise
        return exc.__class__.__name__
    return None


def _broker() -> str | None:
    """The Redis broker, when one is configured (without it tasks run inline: nothing to check)."""
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return None
    try:
        import redis

        client = redis.Redis.from_url(
            url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS, socket_timeout=BROKER_TIMEOUT_SECONDS
        )
        client.ping()
        client.close()
    except Exception as exc:
        return exc.__class__.__name__
    return None


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    started = time.monotonic()
    checks = {"database": _database(), "broker": _broker()}
    down = [name for name, error in checks.items() if error]
    body = {
        "status": "ok" if not down else "down",
        "checks": {name: ("down" if error else "ok") for name, error in checks.items()},
        "down": down,
        "message": "服务正常" if not down else "以下服务不可用：" + "、".join(LABELS[n] for n in down),
        "ms": round((time.monotonic() - started) * 1000, 1),
    }
    return JsonResponse(body, status=503 if down else 200, json_dumps_params={"ensure_ascii": False})


LABELS = {"database": "数据库", "broker": "后台任务队列（Redis）"}
