"""Which worker runs a background job (an export, an import) right now.

A run holds a PostgreSQL advisory lock named after the job for as long as it works on it. The
lock belongs to the run's database connection, so a worker that dies (SIGKILL, a lost machine)
lets go of it with its connection: the job is then free for the next run, which a sweep queues.
A second copy of the task (redelivered, or queued by the sweep while the first still runs) finds
the lock taken and does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def job_runner(kind: str, job_id: int) -> Iterator[bool]:
    """Whether this run holds job ``job_id`` of ``kind`` in the current schema (until the block ends)."""
    key = f"{kind}:{getattr(connection, 'schema_name', 'public')}:{job_id}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [key])
        row = cursor.fetchone()
    held = bool(row and row[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [key])
