"""Per-process caches of hot rows that every process drops at once when the rows change.

Each web process keeps what it loaded (pickled, so no two requests share an instance) under a
*generation*: a random token in Redis per cache and scope (the routing table, one tenant's
credentials) that any change to the cached rows replaces. A read fetches the token (one Redis
GET, far cheaper than the query it saves) and uses the process's entry only when it was stored
under that same token, so a change applies to the very next request in every process.

``invalidate`` replaces the token at once and again when the changing transaction commits: a
process that re-read the old row between the two stored it under the first new token, which the
second retires. While Redis cannot be reached nothing is cached (every read loads, and the
entries are dropped, since a change made meanwhile could not replace the token); entries also
expire after ``ttl_seconds`` whatever happens, a bound for a change that never reached Redis.

``settings.REQUEST_PATH_CACHES`` switches every such cache off (the test suite's default, so a
query-count test counts a request's own queries whichever test ran before it).
"""

from __future__ import annotations

import logging
import pickle
import secrets
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import redis
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")


class GenerationCache:
    """``get(scope, key, load)``: ``load()``'s value, from this process while ``scope`` is unchanged."""

    def __init__(self, name: str, *, ttl_seconds: float = 30.0, max_entries: int = 10_000) -> None:
        self.name = name
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], tuple[bytes, float, bytes]] = {}

    def _token_key(self, scope: str) -> str:
        # Not through the cache's key function, which prefixes the current schema: every schema
        # must read and replace the same token.
        return f"relata:generation:{self.name}:{scope}"

    @staticmethod
    def _redis() -> redis.Redis:
        # The cache's own connection pool, used raw: one round trip, and a failure seen as one.
        return caches["default"]._cache.get_client(write=True)  # type: ignore[attr-defined, no-any-return]

    def generation(self, scope: str) -> bytes | None:
        """The scope's current token (a new one when Redis has none); None when Redis is unreachable."""
        key = self._token_key(scope)
        try:
            client = self._redis()
            token = client.get(key)
            if token is None:
                client.set(key, secrets.token_hex(8), nx=True)
                token = client.get(key)
        except redis.RedisError:
            return None
        return token if isinstance(token, bytes) else None

    def get(self, scope: str, key: str, load: Callable[[], T]) -> T:
        """``load()``, or this process's copy of it while ``scope``'s token is unchanged.

        Nothing is kept when ``load`` raises (an unknown host, a refused key): what becomes valid
        is seen at once."""
        if not settings.REQUEST_PATH_CACHES:
            return load()
        generation = self.generation(scope)
        if generation is None:
            self.forget_local()
            return load()
        entry = self._entries.get((scope, key))
        now = time.monotonic()
        if entry is not None and entry[0] == generation and now - entry[1] < self.ttl_seconds:
            return pickle.loads(entry[2])  # type: ignore[no-any-return]  # noqa: S301 (bytes this process wrote)
        value = load()
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[(scope, key)] = (generation, now, pickle.dumps(value))
        return value

    def invalidate(self, scope: str) -> None:
        """Retire every process's entries of ``scope``: now, and again when the transaction commits."""
        self.replace_generation(scope)
        # The second replacement retires what a reader of this process stored between the two;
        # with the caches off here (the test suite) nothing was stored, and a commit callback would
        # only add to what tests count of a transaction's callbacks.
        if settings.REQUEST_PATH_CACHES:
            transaction.on_commit(lambda: self.replace_generation(scope))

    def replace_generation(self, scope: str) -> None:
        try:
            self._redis().set(self._token_key(scope), secrets.token_hex(8))
        except redis.RedisError:
            logger.warning("%s cache: Redis unreachable, entries expire within %s s", self.name, self.ttl_seconds)

    def forget_local(self) -> None:
        """Drop this process's entries."""
        with self._lock:
            self._entries.clear()


class SchemaGenerationCache(GenerationCache):
    """A ``GenerationCache`` scoped by the connection's current schema: a tenant's rows live in its
    schema, so one tenant's entries never answer another's and a change retires only its own."""

    def get_current(self, key: str, load: Callable[[], T]) -> T:
        return self.get(_current_schema(), key, load)

    def invalidate_current(self, *_args: object, **_kwargs: object) -> None:
        """Retire the current tenant's entries in every process (a signal receiver as well)."""
        self.invalidate(_current_schema())


def _current_schema() -> str:
    # django-tenants' connection knows the schema it is set to.
    return str(connection.schema_name)  # type: ignore[attr-defined]
