"""Health of a tenant's schema as the console shows it: does the schema exist, and which of the
tenant apps' migrations has it not applied yet."""

from __future__ import annotations

import functools

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import schema_exists


@functools.cache
def tenant_migrations() -> frozenset[tuple[str, str]]:
    """Every migration (app label, name) on disk of the apps installed in tenant schemas.

    Read once per process: the code on disk does not change while it runs."""
    labels = {config.label for config in apps.get_app_configs() if config.name in settings.TENANT_APPS}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(key for key in loader.graph.nodes if key[0] in labels)


def applied_migrations(schema_name: str) -> set[tuple[str, str]]:
    """What the schema's own ``django_migrations`` records (empty when it has no such table)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"{connection.ops.quote_name(schema_name)}.django_migrations"])
        if cursor.fetchone()[0] is None:
            return set()
        # The schema name is quoted by the backend and validated on the tenant row.
        cursor.execute(f"SELECT app, name FROM {connection.ops.quote_name(schema_name)}.django_migrations")  # noqa: S608
        return {(app, name) for app, name in cursor.fetchall()}


def pending_migrations(schema_name: str) -> list[str]:
    """``app.name`` of each tenant-app migration the schema has not applied, in order."""
    if not schema_exists(schema_name):
        return sorted(f"{app}.{name}" for app, name in tenant_migrations())
    applied = applied_migrations(schema_name)
    return sorted(f"{app}.{name}" for app, name in tenant_migrations() - applied)
