"""Fleet migrations that resume and never let one tenant block the others.

Each tenant's row says where its schema stands (``MigrationState``): waiting, migrating, failed
with the error, or up to date. A run marks the up-to-date tenants it will look at as waiting,
then migrates each schema (in parallel with the multiprocessing executor): a schema with nothing to
apply is up to date at once; otherwise it is marked migrating, migrated, and marked up to date or
failed with the error. A failure is recorded and the run goes on; the command fails at the end,
naming the failed tenants. Running it again (or "Retry" in the console) resumes: up-to-date
schemas cost one query, failed and interrupted ones are migrated again.

While a tenant is migrating or failed, its host answers a maintenance page (503): its schema is
not what the running code expects (``tenants.middleware``).
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.management import call_command
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_tenants.migration_executors.base import run_migrations
from django_tenants.migration_executors.multiproc import get_pool

from tenants.choices import MigrationState
from tenants.db import tenant_connection
from tenants.models import Tenant

# Enough of a traceback to act on, small enough for the console's table.
ERROR_CHARS = 4000

UP_TO_DATE = "up to date"
MIGRATED = "migrated"
FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    schema_name: str
    result: str
    error: str = ""


def pending_migrations(schema_name: str) -> list[str]:
    """The migrations not yet applied in ``schema_name`` (``app.name``)."""
    connection = tenant_connection()
    try:
        connection.set_schema(schema_name, include_public=False)
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
    finally:
        connection.set_schema_to_public()


def _mark(schema_name: str, state: str, **fields: Any) -> None:
    Tenant.objects.filter(schema_name=schema_name).update(migration_state=state, **fields)


def migrate_tracked(schema_name: str, run: Callable[[], object]) -> Outcome:
    """Run ``run`` (which migrates ``schema_name``) with the tenant's state kept on its row."""
    try:
        if not pending_migrations(schema_name):
            _mark(schema_name, MigrationState.CURRENT, migration_error="")
            return Outcome(schema_name, UP_TO_DATE)
        _mark(schema_name, MigrationState.RUNNING, migration_started_at=timezone.now(), migration_error="")
        run()
    except Exception as error:  # recorded on the tenant; the fleet goes on
        tenant_connection().set_schema_to_public()
        message = "".join(traceback.format_exception(error))[-ERROR_CHARS:]
        _mark(schema_name, MigrationState.FAILED, migration_error=message, migration_finished_at=timezone.now())
        return Outcome(schema_name, FAILED, message)
    tenant_connection().set_schema_to_public()
    _mark(schema_name, MigrationState.CURRENT, migration_error="", migration_finished_at=timezone.now())
    return Outcome(schema_name, MIGRATED)


def _migrate_one(
    args: Sequence[Any], options: dict[str, Any], codename: str, count: int, item: tuple[int, str]
) -> Outcome:
    index, schema_name = item
    return migrate_tracked(
        schema_name,
        functools.partial(
            run_migrations, args, options, codename, schema_name, allow_atomic=False, idx=index, count=count
        ),
    )


def migrate_fleet(
    schema_names: Sequence[str], *, args: Sequence[Any], options: dict[str, Any], parallel: bool
) -> list[Outcome]:
    """Migrate every schema in ``schema_names``; one outcome per schema, failures included."""
    names = list(schema_names)
    Tenant.objects.filter(schema_name__in=names, migration_state=MigrationState.CURRENT).update(
        migration_state=MigrationState.PENDING
    )
    codename = "multiprocessing" if parallel else "standard"
    work = functools.partial(_migrate_one, list(args), options, codename, len(names))
    if not parallel or len(names) < 2:
        return [work(item) for item in enumerate(names)]
    # Forked workers must not share the parent's database connection.
    connections.close_all()
    pool = get_pool()
    try:
        return list(pool.map(work, enumerate(names), chunksize=1))
    finally:
        pool.close()
        pool.join()


def migrate_one_tenant(tenant: Tenant) -> Outcome:
    """Migrate one tenant's schema (the console's "Retry"), keeping its state."""
    return migrate_tracked(
        tenant.schema_name,
        lambda: call_command("migrate_schemas", schema_name=tenant.schema_name, interactive=False, verbosity=0),
    )
