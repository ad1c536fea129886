"""Several rate limits checked and charged together, atomically, in Redis (GCRA).

Why GCRA (the generic cell rate algorithm) rather than a fixed or sliding window: each limit is
one key holding one timestamp (the "theoretical arrival time"), so memory is constant per
credential; requests are spread smoothly (no burst of twice the limit at a window boundary, as
fixed windows allow); and the exact wait before the next allowed request falls out of the
arithmetic, which is what ``Retry-After`` must say. A limit of ``L`` requests per ``W`` seconds
lets ``L`` through at once, then one every ``W / L`` seconds.

All limits of a request are checked in one Lua script: the request is charged to every limit or
to none, so a request refused by its credential's limit does not spend the tenant's budget.
The caller passes the time (the script does not read Redis' clock) so tests can move it; web
servers keep their clocks in sync (NTP), and a skew of milliseconds only shifts a limit slightly.

A tenant's requests per day are different: plans sell them per calendar day (UTC) and the tenant's
usage page shows the day's figure, so they are a plain counter per day (``DayCounter``), checked
and charged by the same script, with or without a limit.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

from api.throttling.policy import Quota

# KEYS: one per rate limit, then optionally the day's request counter.
# ARGV: now (ms), the number of rate limits, limit and window (ms) per rate limit, then for the
# counter: the day's limit (-1: none, only count), ms to the end of the day, the counter's lifetime (ms).
# Returns: allowed (1/0), retry after (ms), then remaining and reset (ms) per rate limit, then the
# counter's remaining (-1 without a limit), reset (ms) and count.
SCRIPT = """
local now = tonumber(ARGV[1])
local rates = tonumber(ARGV[2])
local allowed = 1
local retry = 0
local state = {}
for i = 1, rates do
  local limit = tonumber(ARGV[2 * i + 1])
  local window = tonumber(ARGV[2 * i + 2])
  local interval = window / limit
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then tat = now end
  local new_tat = tat + interval
  local allow_at = new_tat - window
  if allow_at > now then
    allowed = 0
    if allow_at - now > retry then retry = allow_at - now end
  end
  state[i] = {tat, new_tat, interval, window}
end
local counter = KEYS[rates + 1]
local day_limit, day_left, day_ttl, count
if counter then
  day_limit = tonumber(ARGV[2 * rates + 3])
  day_left = tonumber(ARGV[2 * rates + 4])
  day_ttl = tonumber(ARGV[2 * rates + 5])
  count = tonumber(redis.call('GET', counter) or 0)
  if day_limit >= 0 and count >= day_limit then
    allowed = 0
    if day_left > retry then retry = day_left end
  end
end
local out = {allowed, math.ceil(retry)}
for i = 1, rates do
  local tat, new_tat, interval, window = state[i][1], state[i][2], state[i][3], state[i][4]
  if allowed == 1 then
    redis.call('SET', KEYS[i], string.format('%.4f', new_tat), 'PX', math.ceil(new_tat - now))
    tat = new_tat
  end
  local remaining = math.floor((window - (tat - now)) / interval + 0.000001)
  if remaining < 0 then remaining = 0 end
  out[#out + 1] = remaining
  out[#out + 1] = math.ceil(tat - now)
end
if counter then
  if allowed == 1 then
    count = redis.call('INCR', counter)
    redis.call('PEXPIRE', counter, day_ttl)
  end
  local remaining = -1
  if day_limit >= 0 then
    remaining = day_limit - count
    if remaining < 0 then remaining = 0 end
  end
  out[#out + 1] = remaining
  out[#out + 1] = math.ceil(day_left)
  out[#out + 1] = count
end
return out
"""
# A day's counter outlives its day, so the day's figure can still be read shortly after midnight.
COUNTER_LIFETIME_SECONDS = 2 * 24 * 60 * 60


@dataclass(frozen=True)
class DayCounter:
    """The tenant's requests of one UTC day: ``key`` counts them, ``quota`` (None: no limit) caps them,
    and the day ends in ``seconds_left`` seconds."""

    key: str
    quota: Quota | None
    seconds_left: float


@dataclass(frozen=True)
class LimitState:
    """One limit after the request: what is left and when it is whole again."""

    quota: Quota
    remaining: int
    reset_seconds: int


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_seconds: int
    states: list[LimitState]
    # The tenant's daily limit (when its plan has one) and its requests today after this one.
    daily: LimitState | None = None
    day_count: int | None = None

    @property
    def over_daily_limit(self) -> bool:
        """Refused because the day's requests are spent (whatever the per-minute limits say)."""
        return not self.allowed and self.daily is not None and self.daily.remaining == 0

    @property
    def tightest(self) -> LimitState:
        """The limit closest to exhaustion (the one the ``RateLimit-*`` headers describe)."""
        return min(self.states, key=lambda state: (state.remaining, -state.reset_seconds, state.quota.limit))


_lock = threading.Lock()
_script: Any = None


def limit_script() -> Any:
    """The script on one client (and connection pool) per process, on the cache's Redis database:
    rate counters are as disposable as cache entries."""
    global _script
    with _lock:
        if _script is None:
            location = str(settings.CACHES["default"]["LOCATION"])
            # Fail fast, no retries: with Redis down, requests go through unlimited rather than wait.
            client = redis.Redis.from_url(
                location, socket_timeout=0.5, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)
            )
            _script = client.register_script(SCRIPT)
        return _script


def take(limits: list[tuple[str, Quota]], *, now: float, counter: DayCounter | None = None) -> Decision:
    """Charge one request to every ``(key, quota)`` and to ``counter`` at ``now`` (seconds), or to none
    if any refuses."""
    args: list[str | int] = [f"{now * 1000:.3f}", len(limits)]
    for _key, quota in limits:
        args += [quota.limit, quota.window * 1000]
    keys = [key for key, _quota in limits]
    if counter is not None:
        keys.append(counter.key)
        day_limit = -1 if counter.quota is None else counter.quota.limit
        args += [day_limit, math.ceil(counter.seconds_left * 1000), COUNTER_LIFETIME_SECONDS * 1000]
    reply = [int(value) for value in limit_script()(keys=keys, args=args)]
    states = [
        LimitState(quota=quota, remaining=reply[2 + 2 * index], reset_seconds=math.ceil(reply[3 + 2 * index] / 1000))
        for index, (_key, quota) in enumerate(limits)
    ]
    count = None
    daily = None
    if counter is not None:
        offset = 2 + 2 * len(limits)
        count = reply[offset + 2]
        if counter.quota is not None:
            daily = LimitState(
                quota=counter.quota, remaining=reply[offset], reset_seconds=math.ceil(reply[offset + 1] / 1000)
            )
            states.append(daily)
    allowed = bool(reply[0])
    retry_after = 0 if allowed else max(1, math.ceil(reply[1] / 1000))
    return Decision(allowed=allowed, retry_after_seconds=retry_after, states=states, daily=daily, day_count=count)
