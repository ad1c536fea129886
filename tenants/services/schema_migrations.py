"""Applying migrations to many schemas in one process, paying Django's fixed costs once.

Django's ``migrate``, run once per schema, loads the migration graph, reads the applied set,
renders the whole project state, clones it around every operation and sends ``post_migrate`` to
every app (content types, permissions, role grants) even with nothing to apply: ~130 ms per
schema, where the DDL of a new column costs ~8 ms. Here:

- the graph is loaded once per process (migrations are code: they cannot change under it);
- a schema's applied set is one query, and a schema that has every migration is done;
- schemas with the same applied set share one plan, and the project state before and after each
  of its operations is computed once for all of them, so migrating another schema costs its DDL
  and the rows recording the migrations;
- ``post_migrate`` is sent for a schema only when its plan can change what the handlers derive
  from the models (models created, deleted or renamed, model options altered, SQL or Python run),
  or when asked (a schema whose last run failed or was interrupted may have missed it).

What ``migrate`` does between these steps is kept: the migration table is created if missing,
each migration runs in its own transaction (non-atomic ones as Django runs them), deferred SQL
runs before the migration is recorded, squashed migrations are recorded as Django records them,
and ``pre_migrate`` is sent once per plan (it rewrites the plan's operations, e.g. to rename
content types after a ``RenameModel``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps as global_apps
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations import operations
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.migration import Migration
from django.db.migrations.operations.base import Operation
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ModelState, ProjectState
from django_tenants.postgresql_backend.base import DatabaseWrapper

Key = tuple[str, str]

# Operations after which content types, permissions and role grants may differ.
REGISTRY_OPERATIONS = (
    operations.CreateModel,
    operations.DeleteModel,
    operations.RenameModel,
    operations.AlterModelOptions,
    operations.RunPython,
    operations.RunSQL,
)
# Distinct applied sets kept planned per process; a fleet normally has one or two.
PLAN_CACHE_SIZE = 8
# Plans up to this many operations keep their states for the next schema (and stay cached).
SNAPSHOT_OPERATIONS = 60


@functools.cache
def migration_graph() -> MigrationLoader:
    """The migrations on disk, loaded once per process (no database: applied sets vary by schema)."""
    return MigrationLoader(None, ignore_no_migrations=True)


def applied_migrations(connection: BaseDatabaseWrapper, schema_name: str) -> frozenset[Key]:
    """The migrations recorded in ``schema_name``; empty if it has no migration table yet."""
    table = f"{connection.ops.quote_name(schema_name)}.django_migrations"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        if not cursor.fetchone()[0]:
            return frozenset()
        cursor.execute(f"SELECT app, name FROM {table}")  # noqa: S608 (validated schema name, quoted)
        return frozenset(cursor.fetchall())


def unapplied(applied: frozenset[Key]) -> list[Key]:
    """The migrations of the graph not in ``applied`` (a squashed one counts when all it replaces is)."""
    loader = migration_graph()
    done = set(applied)
    done.update(key for key, squashed in loader.replacements.items() if all(r in applied for r in squashed.replaces))
    return sorted(node for node in loader.graph.nodes if node not in done)


def _may_change_registry(operation: Operation) -> bool:
    if isinstance(operation, operations.SeparateDatabaseAndState):
        return any(map(_may_change_registry, [*operation.state_operations, *operation.database_operations]))
    return isinstance(operation, REGISTRY_OPERATIONS)


Step = tuple[Operation, ProjectState, ProjectState]


@dataclass
class SchemaPlan:
    """The migrations a schema with a given applied set lacks, and the project state before them.

    A short plan (a deploy's few migrations) keeps the state before and after each operation, so
    applying it to another schema renders nothing; a long one (an empty schema's) computes them as
    it goes, as Django does, rather than hold hundreds of project states."""

    applied: frozenset[Key]
    replacements: dict[Key, Migration]
    migrations: list[Migration]
    pre_state: ProjectState
    final_state: ProjectState
    changes_registry: bool
    _snapshots: list[tuple[Migration, list[Step]]] | None = field(default=None, repr=False)
    _post_migrate_apps: object = field(default=None, repr=False)

    @property
    def names(self) -> list[str]:
        return [f"{migration.app_label}.{migration.name}" for migration in self.migrations]

    def steps(self) -> Iterator[tuple[Migration, list[Step]]]:
        """Each migration with its operations and the states around each one."""
        if self._snapshots is not None:
            yield from self._snapshots
            return
        state = self.pre_state
        for migration in self.migrations:
            steps = []
            for operation in migration.operations:
                after = state.clone()
                operation.state_forwards(migration.app_label, after)
                steps.append((operation, state, after))
                state = after
            yield migration, steps

    def keep_snapshots(self) -> None:
        self._snapshots = list(self.steps())

    def apply(self, connection: BaseDatabaseWrapper) -> None:
        """Apply the plan to the connection's current schema, as ``MigrationExecutor.migrate`` does."""
        recorder = MigrationRecorder(connection)
        recorded = set(self.applied)
        for migration, steps in self.steps():
            recorded_inside = False
            with connection.schema_editor(atomic=migration.atomic) as editor:
                for operation, before, after in steps:
                    atomic_operation = operation.atomic or (migration.atomic and operation.atomic is not False)
                    if not editor.atomic_migration and atomic_operation:
                        with transaction.atomic(connection.alias):
                            operation.database_forwards(migration.app_label, editor, before, after)
                    else:
                        operation.database_forwards(migration.app_label, editor, before, after)
                if not editor.deferred_sql:
                    recorded |= _record(recorder, migration)
                    recorded_inside = True
            if not recorded_inside:
                recorded |= _record(recorder, migration)
        for key, squashed in self.replacements.items():
            if key not in recorded and all(r in recorded for r in squashed.replaces):
                recorder.migration_qs.create(app=key[0], name=key[1])

    def send_post_migrate(self, connection: BaseDatabaseWrapper) -> None:
        if self._post_migrate_apps is None:
            self._post_migrate_apps = _post_migrate_apps(self.final_state)
        plan = [(migration, False) for migration in self.migrations]
        emit_post_migrate_signal(0, False, connection.alias, apps=self._post_migrate_apps, plan=plan)


def _record(recorder: MigrationRecorder, migration: Migration) -> set[Key]:
    keys = list(migration.replaces) if migration.replaces else [(migration.app_label, migration.name)]
    for app, name in keys:
        # record_applied() minus its table check per row: migrate_schema() made sure of the table.
        recorder.migration_qs.create(app=app, name=name)
    return set(keys)


def _post_migrate_apps(state: ProjectState) -> object:
    """The final state's apps with the real apps' models re-rendered, as ``migrate`` hands them on."""
    state = state.clone()
    state.clear_delayed_apps_cache()
    post_apps = state.apps
    with post_apps.bulk_update():
        model_keys = []
        for model_state in post_apps.real_models:
            model_key = model_state.app_label, model_state.name_lower
            model_keys.append(model_key)
            post_apps.unregister_model(*model_key)
    post_apps.render_multiple([ModelState.from_model(global_apps.get_model(*model)) for model in model_keys])
    return post_apps


def plan_for(connection: BaseDatabaseWrapper, applied: frozenset[Key]) -> SchemaPlan:
    """The plan for schemas recorded as ``applied``; built with the connection on such a schema."""
    cached = _plans.get(applied)
    if cached is not None:
        return cached
    executor = MigrationExecutor(connection)
    executor.loader.check_consistent_history(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if any(backwards for _migration, backwards in plan):
        raise RuntimeError("a forwards plan to the leaf migrations cannot contain backwards steps")
    pre_state = executor._create_project_state(with_applied_migrations=True)  # type: ignore[attr-defined]
    # Handlers may rewrite the plan's operations (content types renamed after a RenameModel).
    emit_pre_migrate_signal(0, False, connection.alias, apps=pre_state.apps, plan=plan)
    migrations = [migration for migration, _backwards in plan]
    result = SchemaPlan(
        applied=applied,
        replacements=dict(executor.loader.replacements),
        migrations=migrations,
        pre_state=pre_state,
        # The plan ends at the leaves, so the state after it is the whole graph's.
        final_state=executor.loader.project_state(),
        changes_registry=any(_may_change_registry(op) for migration in migrations for op in migration.operations),
    )
    if sum(len(migration.operations) for migration in migrations) <= SNAPSHOT_OPERATIONS:
        result.keep_snapshots()
        if len(_plans) >= PLAN_CACHE_SIZE:
            _plans.clear()
        _plans[applied] = result
    return result


_plans: dict[frozenset[Key], SchemaPlan] = {}


def migrate_schema(connection: DatabaseWrapper, schema_name: str, *, post_migrate: bool = False) -> list[str]:
    """Bring ``schema_name`` up to date; return the migrations applied (none: nothing was done).

    ``post_migrate`` sends the signal even when the plan cannot need it (or is empty)."""
    connection.set_schema(schema_name, include_public=False)
    try:
        applied = applied_migrations(connection, schema_name)
        if not unapplied(applied) and not post_migrate:
            return []
        if not applied:
            # Created while public is off the search path, or public's table would be taken for it.
            MigrationRecorder(connection).ensure_schema()
        # Migrations see public too (extensions, shared tables), as django-tenants runs them.
        connection.set_schema(schema_name)
        plan = plan_for(connection, applied)
        plan.apply(connection)
        if post_migrate or plan.changes_registry:
            plan.send_post_migrate(connection)
        return plan.names
    finally:
        connection.set_schema_to_public()
