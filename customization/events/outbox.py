"""Writing domain events. Services call ``emit`` inside their transaction; the row commits or
rolls back with the change. After commit one dispatcher task per transaction is queued; if the
broker is down the event simply waits for the periodic dispatcher, so nothing is lost."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from core.bulk_copy import copy_rows
from customization.events.models import DomainEvent

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Cause:
    """Why the current code runs: ``depth`` workflow runs deep, inside run ``run_id``."""

    depth: int = 0
    run_id: int | None = None


_NO_CAUSE = Cause()
_cause: ContextVar[Cause | None] = ContextVar("event_cause", default=None)
# Inside ``one_dispatch``: whether a transaction of the block wrote an event.
_held: ContextVar[list[bool] | None] = ContextVar("event_dispatch_held", default=None)


def current_cause() -> Cause:
    return _cause.get() or _NO_CAUSE


@contextmanager
def caused_by(*, run_id: int, depth: int) -> Iterator[None]:
    """Events emitted inside are marked as caused by workflow run ``run_id`` at ``depth``."""
    token = _cause.set(Cause(depth=depth, run_id=run_id))
    try:
        yield
    finally:
        _cause.reset(token)


def emit(
    event_type: str,
    record: Model,
    *,
    entity: str,
    actor: Any = None,
    data: dict[str, Any] | None = None,
) -> DomainEvent:
    """Record that ``event_type`` happened to ``record`` (in the caller's transaction)."""
    cause = current_cause()
    event = DomainEvent.objects.create(
        type=event_type,
        entity=entity,
        record_id=record.pk,
        actor=actor if getattr(actor, "pk", None) else None,
        data=data or {},
        depth=cause.depth,
        caused_by_run_id=cause.run_id,
    )
    _schedule_dispatch()
    return event


def emit_many(event_type: str, *, entity: str, records: list[tuple[int, dict[str, Any]]], actor: Any = None) -> int:
    """One event per ``(record_id, data)`` in one COPY, for bulk changes (caller's transaction)."""
    cause = current_cause()
    actor_id = getattr(actor, "pk", None)
    copy_rows(
        DomainEvent,
        ["type", "entity", "record_id", "actor_id", "data", "depth", "caused_by_run_id"],
        [(event_type, entity, record_id, actor_id, data, cause.depth, cause.run_id) for record_id, data in records],
    )
    if records:
        _schedule_dispatch()
    return len(records)


def _kick_dispatcher() -> None:
    from customization.events.tasks import dispatch_events

    try:
        # No publish retries: with the broker down this must not hold up the request; the
        # periodic dispatcher picks the events up once it is back.
        dispatch_events.apply_async(retry=False)
    except Exception:
        logger.warning("could not queue the event dispatcher; the periodic run will deliver", exc_info=True)


@contextmanager
def one_dispatch() -> Iterator[None]:
    """Transactions committed inside queue no dispatcher each; one is queued when the block ends, if
    any of them wrote an event. For loops of many small transactions (a send's commit per message),
    which would otherwise queue a task per transaction. Events written by a process that dies inside
    the block are delivered by the periodic dispatcher."""
    written = [False]
    token = _held.set(written)
    try:
        yield
    finally:
        _held.reset(token)
        if written[0]:
            _dispatch_after_commit()


def _schedule_dispatch() -> None:
    """Queue one dispatcher per transaction, however many events it writes."""
    held = _held.get()
    if held is not None:
        held[0] = True
        return
    _dispatch_after_commit()


def _dispatch_after_commit() -> None:
    if any(entry[1] is _kick_dispatcher for entry in connection.run_on_commit):
        return
    transaction.on_commit(_kick_dispatcher, robust=True)


def insert_select_sql(
    event_type: str, *, entity: str, source: str, data: dict[str, Any], actor: Any = None
) -> tuple[str, list[Any]]:
    """SQL inserting one event per ``record_id`` of ``source`` (a CTE or a subquery with that
    column), for writers that change rows set-based and must not load them to emit their events.
    Run it in the writer's statement or transaction, then call ``dispatch_after_commit``."""
    cause = current_cause()
    table = DomainEvent._meta.db_table
    # The table is the model's and the source the caller's SQL name; values are parameters.
    sql = (
        f"INSERT INTO {table} (event_id, type, entity, record_id, actor_id, data, depth, caused_by_run_id,"  # noqa: S608
        " occurred_at, attempts, last_error)"
        f" SELECT gen_random_uuid(), %s, %s, changed.record_id, %s, %s::jsonb, %s, %s, now(), 0, ''"
        f" FROM {source} AS changed"
    )
    params = [event_type, entity, getattr(actor, "pk", None), json.dumps(data), cause.depth, cause.run_id]
    return sql, params


def dispatch_after_commit() -> None:
    """Queue the dispatcher after the current transaction (for events written by SQL)."""
    _schedule_dispatch()
