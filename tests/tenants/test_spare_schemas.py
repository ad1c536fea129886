"""Spare schemas: cloned ahead of signups, taken by one signup each, kept current, never seen."""

import threading
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client, override_settings
from django_tenants.utils import schema_exists, tenant_context

from identity.models import User
from tenants.choices import ProvisioningState
from tenants.models import SpareSchema, Tenant
from tenants.services import provisioning, spare_schemas
from tenants.services.fleet import served_tenants
from tenants.services.provisioning import TenantRequest, provision_tenant, request_tenant, schema_fingerprint

TEMPLATE = "tenant_template"


@pytest.fixture
def pool(committed: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A pool of one spare turned on; yields the refills provisioning queued (recorded, not sent).
    Every spare schema is dropped afterwards."""
    queued: list[str] = []
    monkeypatch.setattr(provisioning, "queue_spare_refill", lambda: queued.append("refill"))
    with override_settings(TENANT_SPARE_SCHEMAS=1):
        try:
            yield queued
        finally:
            connection.set_schema_to_public()
            spare_schemas.discard_all()
            spare_schemas._drop_orphans()


def _request(slug: str) -> Tenant:
    return request_tenant(TenantRequest(name=f"Company {slug}", slug=slug, admin_email=f"boss@{slug}.test"))


def _counting_clones(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    clones: list[str] = []
    real_clone = provisioning.clone_schema

    def counted(source: str, target: str) -> None:
        clones.append(target)
        real_clone(source, target)

    monkeypatch.setattr(provisioning, "clone_schema", counted)
    return clones


def _fake_spare(name: str, *, current: bool) -> None:
    """A spare without tables: only its migration records, copied from the template (all of them,
    or all but the events app's latest), which is all that decides whether it is current."""
    table = f'"{name}".django_migrations'
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{name}"')
        cursor.execute(f'CREATE TABLE {table} AS SELECT * FROM "{TEMPLATE}".django_migrations')  # noqa: S608
        if not current:
            latest_event_migration = f"(SELECT max(id) FROM {table} WHERE app = 'events')"  # noqa: S608
            cursor.execute(f"DELETE FROM {table} WHERE id = {latest_event_migration}")  # noqa: S608
    SpareSchema.objects.create(schema_name=name)


def test_a_signup_renames_a_spare_instead_of_cloning(pool: list[str], monkeypatch: pytest.MonkeyPatch):
    assert spare_schemas.refill() == 1
    spare = SpareSchema.objects.get().schema_name
    # Cloned and current, but nobody's: no tenant row, nothing served, no host.
    assert schema_fingerprint(spare) == schema_fingerprint(TEMPLATE)
    assert not Tenant.objects.filter(schema_name=spare).exists()
    assert spare not in served_tenants().values_list("schema_name", flat=True)
    clones = _counting_clones(monkeypatch)
    tenant = _request("scratch-spare")

    provision_tenant(tenant.pk)

    assert clones == []
    assert not schema_exists(spare)
    assert not SpareSchema.objects.exists()
    assert pool == ["refill"]
    tenant.refresh_from_db()
    assert tenant.provisioning_state == ProvisioningState.ACTIVE
    assert schema_fingerprint("scratch_spare") == schema_fingerprint(TEMPLATE)
    with tenant_context(tenant):
        assert User.objects.get().email == "boss@scratch-spare.test"
    assert Client(HTTP_HOST="scratch-spare.localhost").get("/login/").status_code == 200


def test_an_empty_pool_falls_back_to_a_clone_and_asks_for_a_refill(pool: list[str], monkeypatch: pytest.MonkeyPatch):
    clones = _counting_clones(monkeypatch)

    provision_tenant(_request("scratch-no-spare").pk)

    assert clones == ["scratch_no_spare"]
    assert pool == ["refill"]
    assert schema_fingerprint("scratch_no_spare") == schema_fingerprint(TEMPLATE)


def test_with_the_pool_off_signups_clone_and_a_refill_keeps_no_spare(pool: list[str]):
    _fake_spare("spare__left_over", current=True)

    with override_settings(TENANT_SPARE_SCHEMAS=0):
        assert spare_schemas.refill() == 0
        provision_tenant(_request("scratch-pool-off").pk)

    assert not SpareSchema.objects.exists()
    assert not schema_exists("spare__left_over")
    assert pool == []


def test_two_takers_never_get_the_same_spare(pool: list[str]):
    _fake_spare("spare__first", current=True)
    _fake_spare("spare__second", current=True)
    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:  # another signup is taking the oldest spare right now
            cursor.execute("SELECT id FROM tenants_spareschema WHERE schema_name = 'spare__first' FOR UPDATE")

        assert spare_schemas.take_spare("spare_taken_a") is True  # not blocked: skips to the next
        assert spare_schemas.take_spare("spare_taken_b") is False  # nothing else free: clone instead
    finally:
        other.rollback()
        other.close()

    assert schema_exists("spare__first")
    assert not schema_exists("spare__second")
    assert list(SpareSchema.objects.values_list("schema_name", flat=True)) == ["spare__first"]
    provisioning.drop_schema("spare_taken_a")


def test_a_spare_row_whose_schema_was_dropped_is_forgotten_and_the_next_taken(pool: list[str]):
    SpareSchema.objects.create(schema_name="spare__dropped_by_hand")
    _fake_spare("spare__intact", current=True)

    assert spare_schemas.take_spare("spare_taken_c") is True

    assert not SpareSchema.objects.exists()
    assert schema_exists("spare_taken_c")
    provisioning.drop_schema("spare_taken_c")


def test_concurrent_signups_share_one_spare_and_the_other_clones(pool: list[str], monkeypatch: pytest.MonkeyPatch):
    spare_schemas.refill()
    clones = _counting_clones(monkeypatch)
    tenants = [_request(f"scratch-race-{index}") for index in range(2)]
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
    assert len(clones) == 1  # one signup took the spare, the other cloned
    assert not SpareSchema.objects.exists()
    for tenant in tenants:
        tenant.refresh_from_db()
        assert tenant.provisioning_state == ProvisioningState.ACTIVE
        assert schema_fingerprint(tenant.schema_name) == schema_fingerprint(TEMPLATE)


def test_a_fleet_migration_discards_stale_spares_and_asks_for_new_ones(pool: list[str], capfd):
    _fake_spare("spare__current", current=True)
    _fake_spare("spare__stale", current=False)  # cloned before the deploy that brought a migration

    call_command("migrate_schemas", tenant=True, interactive=False)

    assert list(SpareSchema.objects.values_list("schema_name", flat=True)) == ["spare__current"]
    assert not schema_exists("spare__stale")
    assert pool == ["refill"]
    assert "Spare schemas: 1 stale, discarded" in capfd.readouterr().out


def test_a_refill_drops_what_a_dead_refill_left_and_stale_spares(pool: list[str], monkeypatch: pytest.MonkeyPatch):
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "spare__orphan"')  # cloned, but its refill died before the row
    _fake_spare("spare__stale", current=False)
    clones = _counting_clones(monkeypatch)

    with override_settings(TENANT_SPARE_SCHEMAS=2):
        _fake_spare("spare__current", current=True)
        assert spare_schemas.refill() == 1

    assert not schema_exists("spare__orphan")
    assert not schema_exists("spare__stale")
    assert len(clones) == 1
    spares = set(SpareSchema.objects.values_list("schema_name", flat=True))
    assert spares == {"spare__current", clones[0]}
    assert schema_fingerprint(clones[0]) == schema_fingerprint(TEMPLATE)


def test_a_refill_while_another_runs_does_nothing(pool: list[str]):
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [spare_schemas.REFILL_LOCK_KEY])

        assert spare_schemas.refill() == 0
    finally:
        other.close()

    assert not SpareSchema.objects.exists()


@pytest.mark.parametrize("discard", ["stale", "all"])
def test_each_spare_is_dropped_in_its_own_transaction(pool: list[str], monkeypatch: pytest.MonkeyPatch, discard: str):
    """Dropping a schema locks each of its tables until the commit: dropping every spare in one
    transaction ran out of lock slots with a few dozen real spares. No drop may still hold the
    locks of the spares dropped before it."""
    names = [f"spare__locks{index}" for index in range(3)]
    for name in names:
        _fake_spare(name, current=False)
    held: list[int] = []
    real_drop = provisioning.drop_schema

    def counted(name: str) -> None:
        real_drop(name)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND mode = 'AccessExclusiveLock'"
                " AND locktype = 'relation'"
            )
            held.append(cursor.fetchone()[0])

    monkeypatch.setattr(provisioning, "drop_schema", counted)

    dropped = len(spare_schemas.discard_stale()) if discard == "stale" else spare_schemas.discard_all()

    assert dropped == 3
    assert not any(schema_exists(name) for name in names)
    assert held[0] > 0  # the count sees a drop's own locks
    assert held == [held[0]] * 3
