"""Per-tenant sending limits kept in Redis: a token bucket for messages per minute, and a
semaphore of leased slots for how many workers send at once.

Both are Lua scripts, so concurrent workers see one consistent state. A slot is a member of a
sorted set scored by its expiry: a killed worker's slot frees itself when its lease runs out, so a
crash never lowers the tenant's concurrency for good."""

from __future__ import annotations

import math
import threading

import redis
from django.conf import settings

# The token bucket as a Lua function, shared with the send journal's step (``journal.py``), which
# takes a message's token in the same round trip that records the hand-over.
BUCKET_FUNCTION = """
local function take_token(key, rate, now, capacity)
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(state[1]) or capacity
  local at = tonumber(state[2]) or now
  local per_second = rate / 60
  tokens = math.min(capacity, tokens + math.max(0, now - at) * per_second)
  local wait = 0
  if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / per_second end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
  redis.call('EXPIRE', key, 3600)
  return wait
end
"""

_BUCKET = (
    BUCKET_FUNCTION
    + """
return tostring(take_token(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])))
"""
)

_ACQUIRE = """
local limit = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[4]) or redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now + ttl, ARGV[4])
  redis.call('EXPIRE', KEYS[1], math.ceil(ttl * 2))
  return 1
end
return 0
"""

_lock = threading.Lock()
_client: redis.Redis | None = None


def redis_client() -> redis.Redis:
    global _client
    with _lock:
        if _client is None:
            _client = redis.Redis.from_url(str(settings.CACHES["default"]["LOCATION"]), socket_timeout=5)
        return _client


def bucket_key(schema_name: str) -> str:
    return f"mkrate:{{{schema_name}}}"


def capacity(per_minute: int) -> int:
    """The bucket holds one second's worth of messages (at least one)."""
    return max(1, math.ceil(per_minute / 60))


def take_token(schema_name: str, per_minute: int, now: float) -> float:
    """Take one message's token from the tenant's bucket: 0 when taken, else the seconds to wait
    before one is there (nothing taken then). The bucket holds one second's worth, so a tenant's
    minute is spread evenly instead of spent in a burst."""
    wait = redis_client().eval(_BUCKET, 1, bucket_key(schema_name), per_minute, repr(now), capacity(per_minute))
    return float(wait)  # type: ignore[arg-type]


def acquire_slot(schema_name: str, token: str, *, limit: int, now: float, lease: float) -> bool:
    """Hold (or renew) one of the tenant's ``limit`` sending slots for ``lease`` seconds."""
    taken = redis_client().eval(_ACQUIRE, 1, f"mkslots:{{{schema_name}}}", limit, repr(now), repr(lease), token)
    return bool(taken)


def release_slot(schema_name: str, token: str) -> None:
    redis_client().zrem(f"mkslots:{{{schema_name}}}", token)


def forget_limits(schema_name: str) -> None:
    """Drop the tenant's bucket and slots (tests, or after the settings change)."""
    redis_client().delete(bucket_key(schema_name), f"mkslots:{{{schema_name}}}")
