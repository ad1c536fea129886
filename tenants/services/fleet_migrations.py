"""Fleet migrations that resume and never let one tenant block the others.

Each tenant's row says where its schema stands (``MigrationState``): waiting, migrating, failed
with the error, or up to date. A run marks the up-to-date tenants it will look at as waiting,
then migrates each schema in this process, the migration graph and each plan's project states
loaded once (``tenants.services.schema_migrations``; with the multiprocessing executor, in forked
workers that each take a share of the schemas). A schema whose recorded migrations are all there
is up to date after one query; otherwise it is marked migrating, migrated, and marked up to date
or failed with the error. A failure is recorded and the run goes on; the command fails at the
end, naming the failed tenants. Running it again (or "Retry" in the console) resumes: up-to-date
schemas cost one query, failed and interrupted ones are migrated again, and get the
``post_migrate`` handlers (content types, permissions, role grants) they may have missed.

While a tenant is migrating or failed, its host answers a maintenance page (503): its schema is
not what the running code expects (``tenants.middleware``).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.utils import timezone
from django_tenants.migration_executors.multiproc import get_pool
from django_tenants.signals import schema_migrated

from tenants.choices import MigrationState
from tenants.db import tenant_connection
from tenants.models import Tenant
from tenants.services.schema_migrations import applied_migrations, migrate_schema, migration_graph, unapplied

# Enough of a traceback to act on, small enough for the console's table.
ERROR_CHARS = 4000
# Up-to-date tenants are marked so in batches of this many (the console shows them waiting until then).
MARK_BATCH = 200
# Schemas per task handed to a worker process: small enough to spread an uneven fleet.
WORKER_CHUNK = 25

UP_TO_DATE = "up to date"
MIGRATED = "migrated"
FAILED = "failed"
# States a previous run left a schema in that may have skipped its post_migrate handlers.
INTERRUPTED = (MigrationState.FAILED, MigrationState.RUNNING)


@dataclass(frozen=True)
class Outcome:
    schema_name: str
    result: str
    error: str = ""


def pending_migrations(schema_name: str) -> list[str]:
    """The migrations not yet applied in ``schema_name`` (``app.name``)."""
    applied = applied_migrations(tenant_connection(), schema_name)
    return [f"{app}.{name}" for app, name in unapplied(applied)]


def _mark(schema_names: Sequence[str], state: str, **fields: Any) -> None:
    Tenant.objects.filter(schema_name__in=schema_names).update(migration_state=state, **fields)


def _migrate_tracked(schema_name: str, *, interrupted: bool, verbosity: int) -> Outcome:
    """Migrate one schema with its state kept on its row (up-to-date ones are marked by the caller)."""
    connection = tenant_connection()
    try:
        if not interrupted and not unapplied(applied_migrations(connection, schema_name)):
            return Outcome(schema_name, UP_TO_DATE)
        _mark([schema_name], MigrationState.RUNNING, migration_started_at=timezone.now(), migration_error="")
        applied = migrate_schema(connection, schema_name, post_migrate=interrupted)
    except Exception as error:  # recorded on the tenant; the fleet goes on
        connection.set_schema_to_public()
        connection.close_if_unusable_or_obsolete()
        message = "".join(traceback.format_exception(error))[-ERROR_CHARS:]
        _mark([schema_name], MigrationState.FAILED, migration_error=message, migration_finished_at=timezone.now())
        return Outcome(schema_name, FAILED, message)
    _mark([schema_name], MigrationState.CURRENT, migration_error="", migration_finished_at=timezone.now())
    schema_migrated.send(_migrate_tracked, schema_name=schema_name)
    if applied and verbosity >= 1:
        sys.stdout.write(f"[{schema_name}] applied {', '.join(applied)}\n")
        sys.stdout.flush()
    return Outcome(schema_name, MIGRATED if applied else UP_TO_DATE)


def _migrate_schemas(schema_names: Sequence[str], interrupted: frozenset[str], verbosity: int) -> list[Outcome]:
    outcomes: list[Outcome] = []
    current: list[str] = []
    for schema_name in schema_names:
        outcome = _migrate_tracked(schema_name, interrupted=schema_name in interrupted, verbosity=verbosity)
        outcomes.append(outcome)
        if outcome.result == UP_TO_DATE and schema_name not in interrupted:
            current.append(schema_name)
        if len(current) >= MARK_BATCH:
            _mark(current, MigrationState.CURRENT, migration_error="")
            current = []
    if current:
        _mark(current, MigrationState.CURRENT, migration_error="")
    return outcomes


def migrate_fleet(schema_names: Sequence[str], *, verbosity: int = 1, parallel: bool) -> list[Outcome]:
    """Bring every schema in ``schema_names`` up to date; one outcome per schema, failures included."""
    names = list(schema_names)
    interrupted = frozenset(
        Tenant.objects.filter(schema_name__in=names, migration_state__in=INTERRUPTED).values_list(
            "schema_name", flat=True
        )
    )
    Tenant.objects.filter(schema_name__in=names, migration_state=MigrationState.CURRENT).update(
        migration_state=MigrationState.PENDING
    )
    if not parallel or len(names) < 2:
        return _migrate_schemas(names, interrupted, verbosity)
    migration_graph()  # loaded once here, inherited by the forked workers
    # Forked workers must not share the parent's database connection.
    connections.close_all()
    chunks = [names[start : start + WORKER_CHUNK] for start in range(0, len(names), WORKER_CHUNK)]
    pool = get_pool()
    try:
        work = _ChunkWork(interrupted, verbosity)
        return [outcome for outcomes in pool.imap(work, chunks) for outcome in outcomes]
    finally:
        pool.close()
        pool.join()


@dataclass(frozen=True)
class _ChunkWork:
    """One worker's task (a picklable callable: the pool sends it to its processes)."""

    interrupted: frozenset[str]
    verbosity: int

    def __call__(self, chunk: list[str]) -> list[Outcome]:
        return _migrate_schemas(chunk, self.interrupted, self.verbosity)


def migrate_one_tenant(tenant: Tenant) -> Outcome:
    """Migrate one tenant's schema (the console's "Retry"), keeping its state."""
    return migrate_fleet([tenant.schema_name], verbosity=0, parallel=False)[0]
