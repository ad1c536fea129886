"""Provisioning: the state machine, its failure modes and its concurrency."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, override_settings
from django_tenants.utils import schema_exists, tenant_context

from identity.models import Role, User
from tenants.choices import ProvisioningState
from tenants.models import Domain, Tenant
from tenants.services import provisioning
from tenants.services.provisioning import (
    ProvisioningBusy,
    TenantRequest,
    provision_tenant,
    request_tenant,
    schema_fingerprint,
)
from tenants.validators import validate_schema_name

PASSWORD = "a-long-enough-password"


def _request(slug: str, **overrides: object) -> Tenant:
    fields = {"name": f"Company {slug}", "slug": slug, "admin_email": f"Boss@{slug}.test", "admin_password": PASSWORD}
    fields.update(overrides)
    return request_tenant(TenantRequest(**fields))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "slug", ["", "ab", "A-company", "1st", "has space", "under_score", "www", "console", "x" * 41, "trailing-"]
)
def test_a_bad_slug_is_refused_by_name_and_nothing_is_written(db: None, slug: str):
    before = Tenant.objects.count()

    with pytest.raises(ValidationError) as error:
        _request(slug)

    assert "slug" in error.value.message_dict
    assert Tenant.objects.count() == before


@pytest.mark.parametrize(
    "name", ["Public", "1abc", "a" * 64, "pg_catalog", "a-b", "public", "", "tenant_template", "spare__ab12"]
)
def test_schema_names_are_validated(name: str):
    with pytest.raises(ValidationError):
        validate_schema_name(name)


def test_a_taken_slug_is_refused(db: None, alpha):
    with pytest.raises(ValidationError) as error:
        _request("alpha")

    assert error.value.message_dict["slug"] == ["“alpha” is already taken."]


def test_missing_name_and_bad_email_are_reported_per_field(db: None):
    with pytest.raises(ValidationError) as error:
        _request("scratch-fields", name="  ", admin_email="not-an-email", locale="xx")

    assert set(error.value.message_dict) == {"name", "admin_email", "locale"}


def test_provisioning_builds_a_working_tenant(committed: None):
    tenant = _request("scratch-ok")

    provision_tenant(tenant.pk)

    tenant.refresh_from_db()
    assert tenant.provisioning_state == ProvisioningState.ACTIVE
    assert tenant.provisioning_progress == 100
    assert tenant.provisioning_error == ""
    assert tenant.pending_admin_password == ""  # the hash is not kept once the account exists
    assert Domain.objects.filter(tenant=tenant, domain="scratch-ok.localhost").exists()
    with tenant_context(tenant):
        admin = User.objects.get()
        assert admin.email == "boss@scratch-ok.test"
        assert admin.role.key == "admin"
        assert admin.check_password(PASSWORD)
        assert set(Role.objects.values_list("key", flat=True)) == {
            "admin",
            "manager",
            "sales_rep",
            "marketer",
            "support_agent",
            "read_only",
        }
    response = Client(HTTP_HOST="scratch-ok.localhost").get("/login/")
    assert response.status_code == 200


# Runs every tenant migration: 90 s on a quiet machine, several times that on a loaded one with two
# processes. A hang still ends the test. A clone is the template's copy (compared with it below and
# in the concurrency test), so the migrated schema is compared with the template: no clone of its own.
@pytest.mark.timeout(900)
def test_provisioning_by_migrations_gives_the_same_schema_as_a_clone(committed: None):
    migrated = _request("scratch-migrated")

    with override_settings(TENANT_PROVISIONING_METHOD="migrate"):
        provision_tenant(migrated.pk)

    migrated.refresh_from_db()
    assert migrated.provisioning_state == ProvisioningState.ACTIVE
    assert schema_fingerprint("scratch_migrated") == schema_fingerprint("tenant_template")


def _clone_function_oid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure(%s)::oid", [provisioning.CLONE_FUNCTION_SIGNATURE])
        return cursor.fetchone()[0]


def test_the_clone_function_is_installed_once_not_before_every_clone(committed: None):
    provision_tenant(_request("scratch-clone-first").pk)
    installed = _clone_function_oid()

    provision_tenant(_request("scratch-clone-second").pk)

    assert _clone_function_oid() == installed
    assert schema_fingerprint("scratch_clone_second") == schema_fingerprint("tenant_template")


def test_a_failure_while_building_the_schema_leaves_no_half_tenant_and_a_retry_finishes(committed: None, monkeypatch):
    tenant = _request("scratch-fail")
    real_migrate = provisioning.migrate_schema

    def migrate_then_crash(schema_name: str) -> None:
        real_migrate(schema_name)  # tables exist now...
        raise RuntimeError("disk full")  # ...and the step still fails

    monkeypatch.setattr(provisioning, "migrate_schema", migrate_then_crash)
    with pytest.raises(RuntimeError, match="disk full"):
        provision_tenant(tenant.pk)

    tenant.refresh_from_db()
    assert tenant.provisioning_state == ProvisioningState.REQUESTED
    assert tenant.provisioning_error == "RuntimeError: disk full"
    assert not schema_exists("scratch_fail")
    assert not Domain.objects.filter(tenant=tenant).exists()
    assert Client(HTTP_HOST="scratch-fail.localhost").get("/login/").status_code == 404

    monkeypatch.setattr(provisioning, "migrate_schema", real_migrate)
    provision_tenant(tenant.pk)

    tenant.refresh_from_db()
    assert tenant.provisioning_state == ProvisioningState.ACTIVE
    assert tenant.provisioning_attempts == 2


def test_a_failure_while_seeding_rolls_the_seed_back_and_a_retry_resumes_from_the_schema(committed: None, monkeypatch):
    tenant = _request("scratch-seed")

    def broken_roles() -> None:
        raise ConnectionError("lost the database")

    monkeypatch.setattr("identity.services.roles.ensure_system_roles", broken_roles)
    with pytest.raises(ConnectionError):
        provision_tenant(tenant.pk)

    tenant.refresh_from_db()
    assert tenant.provisioning_state == ProvisioningState.SCHEMA_READY
    with tenant_context(tenant):
        assert not User.objects.exists()
        assert not Role.objects.exists()
    assert not Domain.objects.filter(tenant=tenant).exists()

    monkeypatch.undo()
    provision_tenant(tenant.pk)

    tenant.refresh_from_db()
    assert tenant.provisioning_state == ProvisioningState.ACTIVE
    with tenant_context(tenant):
        assert User.objects.count() == 1


def test_retrying_an_active_tenant_changes_nothing(committed: None):
    tenant = _request("scratch-twice")
    provision_tenant(tenant.pk)

    provision_tenant(tenant.pk)

    with tenant_context(tenant):
        assert User.objects.count() == 1
    assert Domain.objects.filter(tenant=tenant).count() == 1


def test_a_tenant_being_provisioned_by_another_worker_is_left_alone(committed: None):
    tenant = _request("scratch-busy")
    from django.db import connections

    other = connections.create_connection("default")
    try:
        import zlib

        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [zlib.crc32(f"provision:{tenant.pk}".encode())])

        with pytest.raises(ProvisioningBusy):
            provision_tenant(tenant.pk)
    finally:
        other.close()

    tenant.refresh_from_db()
    assert tenant.provisioning_state == ProvisioningState.REQUESTED
    assert not schema_exists("scratch_busy")


def test_four_tenants_provision_concurrently(committed: None):
    tenants = [_request(f"scratch-conc-{index}") for index in range(4)]
    errors: list[BaseException] = []

    def provision(tenant_id: int) -> None:
        try:
            provision_tenant(tenant_id)
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=provision, args=(tenant.pk,)) for tenant in tenants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    for tenant in tenants:
        tenant.refresh_from_db()
        assert tenant.provisioning_state == ProvisioningState.ACTIVE
        assert schema_fingerprint(tenant.schema_name) == schema_fingerprint("tenant_template")


@pytest.mark.worker
def test_the_provisioning_task_runs_in_a_real_worker(committed: None, celery_worker):
    from tenants.tasks import provision_tenant_task
    from tests.processes import wait_until

    tenant = _request("scratch-async")

    provision_tenant_task.delay(tenant.pk)

    def is_active() -> bool:
        tenant.refresh_from_db()
        return tenant.provisioning_state == ProvisioningState.ACTIVE

    wait_until(is_active, timeout=60, what="provisioning in the worker")
    assert Client(HTTP_HOST="scratch-async.localhost").get("/login/").status_code == 200


def test_the_create_tenant_command_provisions(committed: None):
    call_command(
        "create_tenant", name="Shell Co", slug="scratch-shell", admin_email="ops@shell.test", admin_password=PASSWORD
    )

    tenant = Tenant.objects.get(slug="scratch-shell")
    assert tenant.provisioning_state == ProvisioningState.ACTIVE


def test_the_create_tenant_command_names_the_bad_field(db: None):
    with pytest.raises(CommandError, match="slug"):
        call_command("create_tenant", name="Bad", slug="Bad Slug", admin_email="ops@bad.test")

    assert not Tenant.objects.filter(name="Bad").exists()


@pytest.mark.parametrize("schema", ["public", "information_schema", "pg_catalog", "Bad-Name", ""])
def test_drop_schema_refuses_anything_but_a_tenant_schema(db: None, schema: str):
    with pytest.raises(ValueError, match="refusing to drop schema"):
        provisioning.drop_schema(schema)

    assert schema_exists("public")
