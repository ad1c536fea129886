"""Migrating many schemas in one process: an up-to-date schema costs two queries and sends no
signal, whatever the fleet's size; a schema whose last run failed gets the post_migrate handlers
again. (Schemas behind the code: tests/tenants/test_fleet_migrations.py.)"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models.signals import post_migrate
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tenants.choices import MigrationState
from tenants.models import Tenant
from tenants.services.fleet_migrations import UP_TO_DATE, migrate_fleet, migrate_one_tenant
from tests.tenancy import TenantFixture


def _queries_to_migrate(schemas: list[str]) -> int:
    with CaptureQueriesContext(connection) as queries:
        outcomes = migrate_fleet(schemas, verbosity=0, parallel=False)
    assert [outcome.result for outcome in outcomes] == [UP_TO_DATE] * len(schemas)
    return len(queries)


def test_an_up_to_date_schema_costs_two_queries_and_no_post_migrate(alpha: TenantFixture, beta: TenantFixture):
    signals: list[Any] = []
    post_migrate.connect(signals.append, dispatch_uid="test-schema-migrations")
    try:
        one = _queries_to_migrate(["alpha"])
        two = _queries_to_migrate(["alpha", "beta"])
    finally:
        post_migrate.disconnect(dispatch_uid="test-schema-migrations")
    assert two - one == 2  # the applied set, read once per schema: no graph, no state, no signal
    assert signals == []
    states = set(Tenant.objects.filter(slug__in=["alpha", "beta"]).values_list("migration_state", flat=True))
    assert states == {MigrationState.CURRENT}


def test_a_retried_failed_tenant_gets_the_post_migrate_handlers_again(beta: TenantFixture):
    # A run that failed after its migrations may have missed the permissions the handlers create.
    with schema_context("beta"):
        permission = Permission.objects.get(codename="view_contact")
        permission.delete()
    Tenant.objects.filter(slug="beta").update(migration_state=MigrationState.FAILED, migration_error="boom")

    outcome = migrate_one_tenant(Tenant.objects.get(slug="beta"))

    assert outcome.result == UP_TO_DATE
    beta_row = Tenant.objects.get(slug="beta")
    assert (beta_row.migration_state, beta_row.migration_error) == (MigrationState.CURRENT, "")
    with schema_context("beta"):
        assert Permission.objects.filter(codename="view_contact", content_type__app_label="contacts").exists()
