"""Per-workspace request counting in the Django cache, as the portal counts its sign-in attempts:
``within_limit(kind, who, limit)`` counts one attempt and says whether it is allowed."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db import connection

WINDOW_SECONDS = 600


def _key(kind: str, who: str) -> str:
    digest = hashlib.sha256(who.lower().encode()).hexdigest()[:32]
    return f"marketing-consent:{getattr(connection, 'schema_name', '')}:{kind}:{digest}"


def exceeded(kind: str, who: str, limit: int) -> bool:
    """Whether ``limit`` attempts of ``kind`` by ``who`` were counted in the window (counts none)."""
    return int(cache.get(_key(kind, who)) or 0) >= limit


def within_limit(kind: str, who: str, limit: int, *, window: int = WINDOW_SECONDS) -> bool:
    key = _key(kind, who)
    if cache.add(key, 1, timeout=window):
        return True
    try:
        return int(cache.incr(key)) <= limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return True
