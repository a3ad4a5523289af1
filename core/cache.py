"""The shared cache (DRF's throttle counters, the dashboards' sections) on Redis, that never takes a page down.

Every web process reads and writes the same counters, so a rate limit holds across processes. The cache
only ever holds what can be recomputed or forgotten: when Redis does not answer, a read is a miss and a
write is dropped (logged once per outage), so pages and the API go on working, unthrottled, until it is
back. After a failure the cache is not asked again for ``RETRY_SECONDS``: a dead or unreachable Redis costs
a request nothing, not a timeout per call.

``clear()`` deletes only this cache's keys (its KEY_PREFIX), never the whole Redis database, which may
also hold Celery's queues.
"""

from __future__ import annotations

import logging
import time
from functools import wraps

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("poverty_tracker.cache")

RETRY_SECONDS = 5.0
CACHE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)


def _tolerant(default):
    """Answer ``default()`` instead of raising when Redis is down (and for a while after)."""

    def decorate(method):
        @wraps(method)
        def call(self, *args, **kwargs):
            if time.monotonic() < self._down_until:
                return default(*args, **kwargs)
            try:
                answer = method(self, *args, **kwargs)
            except CACHE_ERRORS as exc:
                if not self._down_until:
                    logger.warning("cache unavailable, served without it: %s", exc.__class__.__name__)
                self._down_until = time.monotonic() + RETRY_SECONDS
                return default(*args, **kwargs)
            if self._down_until:
                logger.info("cache available again")
                self._down_until = 0.0
            return answer

        return call

    return decorate


def _none(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _no_keys_failed(*args, **kwargs):
    return []


def _get_default(key, default=None, version=None):
    return default


def _incr_delta(key, delta=1, version=None):
    return delta


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0

    add = _tolerant(_false)(RedisCache.add)
    get = _tolerant(_get_default)(RedisCache.get)
    set = _tolerant(_none)(RedisCache.set)
    touch = _tolerant(_false)(RedisCache.touch)
    delete = _tolerant(_false)(RedisCache.delete)
    get_many = _tolerant(_empty)(RedisCache.get_many)
    has_key = _tolerant(_false)(RedisCache.has_key)
    incr = _tolerant(_incr_delta)(RedisCache.incr)
    set_many = _tolerant(_no_keys_failed)(RedisCache.set_many)
    delete_many = _tolerant(_none)(RedisCache.delete_many)

    @_tolerant(_false)
    def clear(self) -> bool:
        client = self._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
        return True
