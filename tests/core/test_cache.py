"""The shared cache: one Redis for every process, and a dead one is a miss, never a 500 (core/cache.py)."""

import os

import pytest
import redis
from django.core.cache import caches

from core.cache import TolerantRedisCache

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI sets it)")
DEAD = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _cache(url: str) -> TolerantRedisCache:
    return TolerantRedisCache(url, {"KEY_PREFIX": "pt-cache-test", "OPTIONS": {"socket_connect_timeout": 1}})


def test_the_settings_put_the_cache_on_redis_when_there_is_one(settings):
    backend = settings.CACHES["default"]["BACKEND"]
    if os.environ.get("REDIS_URL"):
        assert backend == "core.cache.TolerantRedisCache"
        assert settings.CACHES["default"]["KEY_PREFIX"]  # never Celery's keys
    else:
        assert backend.endswith("LocMemCache")


@needs_redis
def test_two_processes_share_the_counts():
    """Two backends stand for two web processes: what one counts, the other reads."""
    one, other = _cache(os.environ["REDIS_URL"]), _cache(os.environ["REDIS_URL"])
    one.set("throttle_user_1", [1.0, 2.0], 60)
    assert other.get("throttle_user_1") == [1.0, 2.0]
    other.clear()
    assert one.get("throttle_user_1") is None


@needs_redis
def test_clear_removes_only_the_cache_keys_never_the_queues():
    url = os.environ["REDIS_URL"]
    client = redis.Redis.from_url(url)
    client.lpush("pt-cache-test-queue", "a message")  # stands for a Celery queue in the same database
    try:
        cache = _cache(url)
        cache.set("a", 1)
        cache.clear()
        assert cache.get("a") is None
        assert client.llen("pt-cache-test-queue") == 1
    finally:
        client.delete("pt-cache-test-queue")


def test_a_dead_redis_is_a_miss_and_a_dropped_write():
    cache = _cache(DEAD)
    assert cache.get("k", "fallback") == "fallback"
    assert cache.set("k", 1) is None
    assert cache.add("k", 1) is False
    assert cache.get_many(["k"]) == {}
    assert cache.get_or_set("k", lambda: 42) == 42
    assert cache.clear() is False


def test_after_a_failure_the_cache_is_not_asked_again_for_a_while(monkeypatch):
    cache = _cache(DEAD)
    assert cache.get("k") is None
    asked = []
    monkeypatch.setattr(cache._cache, "get", lambda *a, **k: asked.append(a))
    assert cache.get("k") is None
    assert asked == []  # answered from the outage, no connection attempt


@pytest.fixture
def dead_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.TolerantRedisCache", "LOCATION": DEAD, "KEY_PREFIX": "pt-cache"}
    }
    yield caches["default"]


@pytest.mark.django_db
def test_with_the_cache_down_the_api_and_the_pages_answer(dead_cache, client, admin):
    """DRF's throttles read and write the cache on every API request: a dead one lets the request through."""
    client.force_login(admin)
    assert client.get("/api/v1/households/").status_code == 200
    assert client.get("/households/").status_code == 200
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_with_the_cache_down_anonymous_requests_are_refused_as_usual_not_with_500(dead_cache, client):
    assert client.get("/api/v1/households/").status_code in (401, 403)
