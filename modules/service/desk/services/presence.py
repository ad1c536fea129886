"""Who is writing a reply on a case right now, kept in the cache (Redis) and never in the database.

The composer sends a heartbeat while its agent types; an entry lives ``TTL`` seconds after its last
heartbeat, so a closed tab or a lost connection clears itself. Everyone's entries on a case are one
cache value ``{user id: [name, expiry]}``; two heartbeats at the same instant may drop one entry,
which the next heartbeat (a few seconds later) writes back.
"""

from __future__ import annotations

import time

from django.core.cache import cache

from identity.models import User
from modules.service.models import Case

# Seconds an entry lives after its last heartbeat; the composer beats every few seconds while typing.
TTL = 20


def _key(case: Case) -> str:
    return f"service-desk:replying:{case.pk}"  # the cache's key function adds the tenant's schema


def _live(entries: dict[str, list[object]], now: float) -> dict[str, list[object]]:
    return {user: entry for user, entry in entries.items() if float(str(entry[1])) > now}


def mark_replying(case: Case, user: User) -> None:
    now = time.time()
    entries = _live(cache.get(_key(case)) or {}, now)
    entries[str(user.pk)] = [str(user), now + TTL]
    cache.set(_key(case), entries, TTL)


def stop_replying(case: Case, user: User) -> None:
    entries = _live(cache.get(_key(case)) or {}, time.time())
    if entries.pop(str(user.pk), None) is not None:
        cache.set(_key(case), entries, TTL)


def replying(case: Case, *, besides: User | None = None) -> list[str]:
    """The names of the agents writing on ``case`` now (other than ``besides``), sorted."""
    entries = _live(cache.get(_key(case)) or {}, time.time())
    if besides is not None:
        entries.pop(str(besides.pk), None)
    return sorted(str(entry[0]) for entry in entries.values())
