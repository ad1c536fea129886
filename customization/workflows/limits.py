"""How far workflows may go: the depth at which a chain of rules triggering rules stops, how many
runs a tenant may start per minute, how long a worker holds a run and how often a step is tried.
Each has a setting (``WORKFLOW_*``) with the default below."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

DEFAULT_MAX_DEPTH = 5
DEFAULT_RUNS_PER_MINUTE = 600
DEFAULT_LEASE_SECONDS = 300
DEFAULT_MAX_ATTEMPTS = 4
DEFAULT_RETRY_BASE_SECONDS = 10
# A pending run nobody picked up for this long was lost on the way to the broker: queue it again.
PENDING_GRACE_SECONDS = 60


def max_depth() -> int:
    return int(getattr(settings, "WORKFLOW_MAX_DEPTH", DEFAULT_MAX_DEPTH))


def runs_per_minute() -> int:
    return int(getattr(settings, "WORKFLOW_RUNS_PER_MINUTE", DEFAULT_RUNS_PER_MINUTE))


def lease_seconds() -> int:
    return int(getattr(settings, "WORKFLOW_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


def max_attempts() -> int:
    return int(getattr(settings, "WORKFLOW_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def retry_delay(attempt: int) -> int:
    """Seconds before try ``attempt + 1``: 10, 20, 40 … (exponential)."""
    base = int(getattr(settings, "WORKFLOW_RETRY_BASE_SECONDS", DEFAULT_RETRY_BASE_SECONDS))
    return int(base * 2 ** max(attempt - 1, 0))


def _minute_key(now: float) -> str:
    # The cache's key function adds the tenant's schema, so each tenant counts on its own.
    return f"workflows:runs:{int(now // 60)}"


def take_run_slots(count: int, *, now: float | None = None) -> int:
    """Count ``count`` runs against the current tenant's budget for this minute in one Redis call;
    returns how many of them fit (the first ones in order take the slots that were left). If the
    cache is unreachable they are let through (workflows must not stop with Redis)."""
    if count <= 0:
        return 0
    key = _minute_key(time.time() if now is None else now)
    try:
        cache.add(key, 0, timeout=120)
        used = int(cache.incr(key, count))
    except Exception:
        logger.warning("workflow rate limit unavailable; allowing the runs", exc_info=True)
        return count
    return max(0, min(count, runs_per_minute() - (used - count)))


def take_run_slot(*, now: float | None = None) -> bool:
    """Count one run against the current tenant's budget for this minute; False when it is spent."""
    return take_run_slots(1, now=now) == 1
