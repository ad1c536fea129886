"""The fleet at a glance: each served tenant's unapplied migrations and outbox backlog, and the
depth of the Celery queues.

Per-tenant figures are read in one pass over all schemas: a ``UNION ALL`` of every schema's table
per query (in chunks, so a large fleet does not build one giant statement), not a query per tenant.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import redis
from django.conf import settings
from django.db import connection
from redis.backoff import NoBackoff
from redis.retry import Retry

from crm_platform.console.health import tenant_migrations
from customization.events.models import DomainEvent

logger = logging.getLogger(__name__)

SCHEMAS_PER_QUERY = 200
MIGRATIONS_TABLE = "django_migrations"
# kombu's Redis transport keeps a queue's prioritised messages in lists of their own.
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (3, 6, 9)


@dataclass
class SchemaHealth:
    schema_name: str
    exists: bool = False
    pending_migrations: list[str] = field(default_factory=list)
    outbox_pending: int = 0
    outbox_oldest_at: datetime | None = None


@dataclass(frozen=True)
class QueueDepth:
    name: str
    depth: int


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), SCHEMAS_PER_QUERY):
        yield items[start : start + SCHEMAS_PER_QUERY]


def _existing_tables(schema_names: Sequence[str], tables: Sequence[str]) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = ANY(%s) AND c.relname = ANY(%s) AND c.relkind IN ('r', 'p')",
            [list(schema_names), list(tables)],
        )
        return {(schema, table) for schema, table in cursor.fetchall()}


def _union(schema_names: Sequence[str], select: str, table: str) -> tuple[str, list[str]]:
    """``select`` (with ``{table}`` and a ``%s`` for the schema's name) over each schema's table."""
    quote = connection.ops.quote_name
    # Schema names come from tenant rows (validated, constrained) and are quoted by the backend.
    parts = [select.format(table=f"{quote(schema)}.{quote(table)}") for schema in schema_names]
    return " UNION ALL ".join(parts), list(schema_names)


def schema_health(schema_names: Sequence[str]) -> dict[str, SchemaHealth]:
    """Pending migrations and outbox backlog of each schema; a missing schema has ``exists`` False."""
    health = {name: SchemaHealth(name) for name in schema_names}
    events_table = DomainEvent._meta.db_table
    tables = _existing_tables(schema_names, [MIGRATIONS_TABLE, events_table])
    expected = tenant_migrations()
    applied: dict[str, set[tuple[str, str]]] = {name: set() for name in schema_names}
    migrated = [name for name in schema_names if (name, MIGRATIONS_TABLE) in tables]
    with_outbox = [name for name in schema_names if (name, events_table) in tables]
    with connection.cursor() as cursor:
        for chunk in _chunks(migrated):
            sql, params = _union(chunk, "SELECT %s::text, app, name FROM {table}", MIGRATIONS_TABLE)
            cursor.execute(sql, params)
            for schema, app, name in cursor.fetchall():
                applied[schema].add((app, name))
        for chunk in _chunks(with_outbox):
            backlog = "SELECT %s::text, count(*), min(occurred_at) FROM {table} WHERE published_at IS NULL"
            sql, params = _union(chunk, backlog, events_table)
            cursor.execute(sql, params)
            for schema, pending, oldest in cursor.fetchall():
                health[schema].outbox_pending = pending
                health[schema].outbox_oldest_at = oldest
    for name in schema_names:
        item = health[name]
        item.exists = name in migrated
        item.pending_migrations = sorted(f"{app}.{migration}" for app, migration in expected - applied[name])
    return health


def queue_names() -> list[str]:
    """The Celery queues tasks are sent to: the default one and any declared or routed to."""
    from crm_platform.celery import app

    conf = app.conf
    names = {conf.task_default_queue}
    names.update(queue.name for queue in conf.task_queues or ())
    routes = conf.task_routes
    if isinstance(routes, dict):
        names.update(route["queue"] for route in routes.values() if isinstance(route, dict) and route.get("queue"))
    return sorted(names)


def _broker_client() -> redis.Redis:
    url = str(settings.CELERY_BROKER_URL)
    # kombu spells a unix-socket Redis "redis+socket://"; redis-py spells it "unix://".
    # kombu names a socket's database with ``virtual_host``, which redis-py calls ``db``.
    if url.startswith("redis+socket://"):
        url = "unix://" + url.removeprefix("redis+socket://").replace("virtual_host=", "db=")
    # Fail fast, no retries: the page shows "unavailable" rather than wait on a broker that is down.
    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0))


def queue_depths(names: Sequence[str] | None = None) -> list[QueueDepth] | None:
    """Messages waiting in each queue (``LLEN``, prioritised lists included); None when the
    broker cannot be reached."""
    names = list(names) if names is not None else queue_names()
    try:
        client = _broker_client()
        with client.pipeline(transaction=False) as pipe:
            for name in names:
                for key in (name, *(f"{name}{PRIORITY_SEPARATOR}{step}" for step in PRIORITY_STEPS)):
                    pipe.llen(key)
            lengths = pipe.execute()
    except redis.RedisError:
        logger.warning("fleet page: the Celery broker cannot be reached", exc_info=True)
        return None
    per_queue = 1 + len(PRIORITY_STEPS)
    return [
        QueueDepth(name=name, depth=sum(lengths[index * per_queue : (index + 1) * per_queue]))
        for index, name in enumerate(names)
    ]
