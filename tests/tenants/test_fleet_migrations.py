"""Fleet migrations: every built tenant, in parallel, skipping tenants with no schema yet."""

from django.core.management import call_command

from tenants.services.provisioning import TenantRequest, request_tenant


def test_migrate_schemas_runs_the_fleet_in_parallel_and_skips_unbuilt_tenants(committed: None, capfd):
    request_tenant(TenantRequest(name="Waiting", slug="scratch-waiting", admin_email="w@waiting.test"))

    # The pool's worker processes write to the real stdout, hence capfd.
    call_command("migrate_schemas", tenant=True, executor="multiprocessing", interactive=False)

    text = capfd.readouterr().out
    migrated = {schema for schema in ("alpha", "beta", "tenant_template") if f"multiprocessing:{schema}]" in text}
    assert migrated == {"alpha", "beta", "tenant_template"}
    assert "scratch_waiting" not in text
