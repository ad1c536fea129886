"""The cache keeps pages and the API working while Redis is down.

Django's Redis cache raises when the server cannot be reached, and every page reads the cache
somewhere (sign-in throttling, usage figures, per-address limits), so a Redis outage would be a
site outage. Here a cache operation that cannot reach Redis behaves as if the cache were empty
and says so in the log (one warning per operation and minute, per process):

- reads miss (``get`` returns the default, ``has_key`` False), writes and deletes do nothing;
- ``add`` answers True and ``incr`` the increment: counters built on them (the per-address limits
  of public forms, sign-in lockouts through django-axes) count nothing, so the limits are off
  until Redis is back, rather than every request refused. Locks taken with ``add`` are not
  exclusive meanwhile; the work they guard is idempotent.

Sessions do not depend on it: they live in PostgreSQL (each tenant's schema). Connections fail
fast (``CACHE_TIMEOUT_SECONDS``, no retries), so an unreachable server costs a request at most
about a second per operation, not a hang.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

WARNING_INTERVAL_SECONDS = 60.0
_last_warning: dict[str, float] = {}

T = TypeVar("T")


def _fallback(operation: str, call: Callable[[], T], default: T) -> T:
    try:
        return call()
    except redis.RedisError as error:
        now = time.monotonic()
        if now - _last_warning.get(operation, -WARNING_INTERVAL_SECONDS) >= WARNING_INTERVAL_SECONDS:
            _last_warning[operation] = now
            logger.warning("Cache unavailable (%s: %s); carrying on without it", operation, type(error).__name__)
        return default


class ForgivingRedisCacheClient(RedisCacheClient):
    """Django's client, each operation falling back to an empty cache's answer."""

    def add(self, key: Any, value: Any, timeout: Any) -> bool:
        return _fallback("add", lambda: super(ForgivingRedisCacheClient, self).add(key, value, timeout), True)

    def get(self, key: Any, default: Any) -> Any:
        return _fallback("get", lambda: super(ForgivingRedisCacheClient, self).get(key, default), default)

    def set(self, key: Any, value: Any, timeout: Any) -> None:
        _fallback("set", lambda: super(ForgivingRedisCacheClient, self).set(key, value, timeout), None)

    def touch(self, key: Any, timeout: Any) -> bool:
        return _fallback("touch", lambda: super(ForgivingRedisCacheClient, self).touch(key, timeout), False)

    def delete(self, key: Any) -> bool:
        return _fallback("delete", lambda: super(ForgivingRedisCacheClient, self).delete(key), False)

    def get_many(self, keys: Any) -> dict[Any, Any]:
        return _fallback("get_many", lambda: super(ForgivingRedisCacheClient, self).get_many(keys), {})

    def has_key(self, key: Any) -> bool:
        return _fallback("has_key", lambda: super(ForgivingRedisCacheClient, self).has_key(key), False)

    def incr(self, key: Any, delta: int) -> Any:
        return _fallback("incr", lambda: super(ForgivingRedisCacheClient, self).incr(key, delta), delta)

    def set_many(self, data: Any, timeout: Any) -> None:
        _fallback("set_many", lambda: super(ForgivingRedisCacheClient, self).set_many(data, timeout), None)

    def delete_many(self, keys: Any) -> None:
        _fallback("delete_many", lambda: super(ForgivingRedisCacheClient, self).delete_many(keys), None)

    def clear(self) -> bool:
        return _fallback("clear", lambda: super(ForgivingRedisCacheClient, self).clear(), False)


class ForgivingRedisCache(RedisCache):
    """``CACHES`` backend: Django's Redis cache that carries on when Redis is down."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ForgivingRedisCacheClient
