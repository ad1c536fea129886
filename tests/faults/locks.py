"""Holding a table lock from the test's own connection, to stop a request or a worker at a
chosen point of its work (it waits there until the lock goes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from django.db import connection

from tests.processes import wait_until

WAITING_CLIENTS = (
    # Client backends only: autovacuum may queue behind the test's lock too.
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' "
    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
)


@contextmanager
def table_held(schema: str, table: str, mode: str = "ACCESS EXCLUSIVE") -> Iterator[psycopg.Connection[Any]]:
    """A lock on ``schema.table`` from a connection of the test's own, so a request that reaches
    the table waits there until the lock goes (the block ends). ``EXCLUSIVE`` lets reads through."""
    with psycopg.connect(**connection.get_connection_params()) as holder:
        holder.execute(f'LOCK TABLE "{schema}"."{table}" IN {mode} MODE')
        try:
            yield holder
        finally:
            holder.rollback()


def waiting_client(holder: psycopg.Connection[Any], *, what: str) -> int:
    """The backend of the one client that waits on the test's lock (waited for)."""
    waiting: list[int] = []

    def found() -> bool:
        # The holder stays in its transaction, where PostgreSQL would keep showing the activity
        # it saw first: drop that snapshot before each look.
        holder.execute("SELECT pg_stat_clear_snapshot()")
        waiting[:] = [row[0] for row in holder.execute(WAITING_CLIENTS).fetchall()]
        return len(waiting) == 1

    wait_until(found, timeout=60, what=what)
    return waiting[0]


def cut_waiting_backend(holder: psycopg.Connection[Any]) -> None:
    """End the connection of the backend waiting on the test's lock, as a restart would."""
    holder.execute("SELECT pg_terminate_backend(%s)", [waiting_client(holder, what="the request to wait on the lock")])
