"""Fleet migrations: every built tenant, in parallel, skipping tenants with no schema yet; each
tenant's state is kept, a failing tenant does not stop the others, and a second run resumes it."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tenants.choices import MigrationState
from tenants.models import Tenant
from tenants.services.fleet_migrations import pending_migrations
from tenants.services.provisioning import TenantRequest, provision_tenant, request_tenant


def test_migrate_schemas_runs_the_fleet_in_parallel_and_skips_unbuilt_tenants(committed: None, capfd):
    request_tenant(TenantRequest(name="Waiting", slug="scratch-waiting", admin_email="w@waiting.test"))

    # The pool's worker processes write to the real stdout, hence capfd.
    call_command("migrate_schemas", tenant=True, executor="multiprocessing", interactive=False)

    text = capfd.readouterr().out
    assert re.search(r"Tenants: 0 migrated, \d+ already up to date, 0 failed\.", text)
    assert "scratch_waiting" not in text
    states = dict(Tenant.objects.filter(slug__in=["alpha", "beta"]).values_list("slug", "migration_state"))
    assert states == {"alpha": MigrationState.CURRENT, "beta": MigrationState.CURRENT}
    waiting = Tenant.objects.get(slug="scratch-waiting")
    assert waiting.migration_state == MigrationState.CURRENT  # never looked at: it has no schema yet


def _built(name: str) -> Tenant:
    tenant = request_tenant(TenantRequest(name=name, slug=f"scratch-{name}", admin_email=f"admin@{name}.test"))
    provision_tenant(tenant.pk)
    tenant.refresh_from_db()
    return tenant


def _state(tenant: Tenant) -> tuple[str, str]:
    tenant.refresh_from_db()
    return tenant.migration_state, tenant.migration_error


def test_a_failing_tenant_is_recorded_never_blocks_the_others_and_a_rerun_resumes(committed: None, capfd):
    healthy, broken = _built("fleet-healthy"), _built("fleet-broken")
    # Both schemas one migration behind; the second cannot apply it (its table is in the way).
    for tenant in (healthy, broken):
        call_command(
            "migrate_schemas", "idempotency", "zero", schema_name=tenant.schema_name, interactive=False, verbosity=0
        )
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TABLE "{broken.schema_name}".idempotency_idempotencyrecord (id bigint PRIMARY KEY)')
    assert pending_migrations(healthy.schema_name) == ["idempotency.0001_initial"]

    with pytest.raises(CommandError, match=broken.schema_name):
        call_command("migrate_schemas", tenant=True, executor="multiprocessing", interactive=False)

    assert _state(healthy) == (MigrationState.CURRENT, "")
    assert pending_migrations(healthy.schema_name) == []
    state, error = _state(broken)
    assert state == MigrationState.FAILED
    assert "already exists" in error
    assert Tenant.objects.get(slug="alpha").migration_state == MigrationState.CURRENT
    assert "1 failed" in capfd.readouterr().out

    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{broken.schema_name}".idempotency_idempotencyrecord')
    call_command("migrate_schemas", tenant=True, executor="multiprocessing", interactive=False)

    assert _state(broken) == (MigrationState.CURRENT, "")
    assert pending_migrations(broken.schema_name) == []
    assert "1 migrated" in capfd.readouterr().out
