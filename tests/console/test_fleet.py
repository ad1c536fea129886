"""The fleet page: each served tenant's unapplied migrations and outbox backlog, the queues."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crm_platform.console.fleet import QueueDepth, _broker_client, queue_depths, schema_health
from customization.events.models import DomainEvent
from tenants.choices import MigrationState
from tenants.models import SpareSchema, Tenant
from tests.tenancy import TenantFixture


def public_url(name: str, args: Sequence[object] | None = None) -> str:
    """A console URL (the console lives in the public host's URLconf)."""
    return reverse(name, urlconf="crm_platform.urls_public", args=args)


def fleet_rows(client: Client) -> dict[str, object]:
    response = client.get(public_url("console:fleet"))
    assert response.status_code == 200
    return {row.tenant.slug: row for row in response.context["rows"]}


def test_a_schema_missing_a_migration_shows_it_pending(operator_client: Client, alpha: TenantFixture):
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM alpha.django_migrations WHERE app = 'events' ORDER BY id DESC LIMIT 1")
        [latest] = cursor.fetchone()
        cursor.execute("DELETE FROM alpha.django_migrations WHERE app = 'events' AND name = %s", [latest])

    response = operator_client.get(public_url("console:fleet"))

    rows = {row.tenant.slug: row for row in response.context["rows"]}
    assert rows["alpha"].health.pending_migrations == [f"events.{latest}"]
    assert rows["beta"].health.pending_migrations == []
    assert rows["alpha"].health.exists
    assert rows["beta"].health.exists
    text = response.content.decode()
    assert f"events.{latest}" in text
    assert 'data-schema="alpha" data-pending-migrations="1"' in text
    assert response.context["behind"] == 1


def test_an_unpublished_event_shows_as_outbox_lag_of_its_tenant_only(operator_client: Client, alpha: TenantFixture):
    before = schema_health(["alpha", "beta"])
    with alpha.active():
        event = DomainEvent.objects.create(type="contact.updated", entity="contact", record_id=1)
        DomainEvent.objects.filter(pk=event.pk).update(occurred_at=timezone.now() - timedelta(days=30))

    rows = fleet_rows(operator_client)

    assert rows["alpha"].health.outbox_pending == before["alpha"].outbox_pending + 1  # type: ignore[attr-defined]
    assert rows["alpha"].outbox_age_seconds >= 30 * 86400  # type: ignore[attr-defined]
    assert rows["beta"].health.outbox_pending == before["beta"].outbox_pending  # type: ignore[attr-defined]


def test_the_page_reads_every_schema_in_a_fixed_number_of_queries(
    operator_client: Client, alpha: TenantFixture, django_assert_max_num_queries
):
    with django_assert_max_num_queries(11):  # one of them counts the spare schemas
        rows = fleet_rows(operator_client)
    assert {"alpha", "beta"} <= set(rows)
    assert "template" not in " ".join(rows)


def test_spare_schemas_are_counted_and_never_listed_as_tenants(operator_client: Client, settings):
    settings.TENANT_SPARE_SCHEMAS = 2
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "spare__fleet_page"')
    SpareSchema.objects.create(schema_name="spare__fleet_page")

    response = operator_client.get(public_url("console:fleet"))

    text = response.content.decode()
    assert 'data-testid="spare-schemas" data-ready="1" data-wanted="2"' in text
    assert "spare__fleet_page" not in text
    assert all(not row.tenant.schema_name.startswith("spare__") for row in response.context["rows"])


def test_queue_depth_is_the_length_of_each_celery_queue(operator_client: Client):
    name = f"fleet-test-{uuid.uuid4().hex}"
    client = _broker_client()
    client.rpush(name, "a", "b", "c")
    client.rpush(f"{name}\x06\x163", "prioritised")
    try:
        assert queue_depths([name]) == [QueueDepth(name=name, depth=4)]
    finally:
        client.delete(name, f"{name}\x06\x163")
    response = operator_client.get(public_url("console:fleet"))
    assert [queue.name for queue in response.context["queues"]] == ["celery"]
    assert 'data-queue="celery"' in response.content.decode()


def test_an_unreachable_broker_is_reported_not_an_error(operator_client: Client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = operator_client.get(public_url("console:fleet"))

    assert response.status_code == 200
    assert response.context["queues"] is None
    assert "cannot be reached" in response.content.decode()


def test_a_failed_tenant_shows_its_error_and_a_retry_migrates_it(
    operator_client: Client, alpha: TenantFixture, eager_tasks: None
):
    Tenant.objects.filter(slug="alpha").update(
        migration_state=MigrationState.FAILED, migration_error="boom: relation exists"
    )

    text = operator_client.get(public_url("console:fleet")).content.decode()
    assert 'data-migration-state="failed"' in text
    assert "boom: relation exists" in text
    assert "Retry migration" in text

    tenant = Tenant.objects.get(slug="alpha")
    response = operator_client.post(public_url("console:fleet-migrate", [tenant.pk]))

    assert response.status_code == 302
    tenant.refresh_from_db()  # the task ran (eagerly in the tests): nothing was pending, so up to date
    assert (tenant.migration_state, tenant.migration_error) == (MigrationState.CURRENT, "")


def test_only_operators_can_retry_and_only_by_post(operator_client: Client, alpha: TenantFixture):
    tenant = Tenant.objects.get(slug="alpha")
    url = public_url("console:fleet-migrate", [tenant.pk])
    assert alpha.client().post(url).status_code == 404  # a tenant's host has no console
    Tenant.objects.filter(pk=tenant.pk).update(migration_state=MigrationState.FAILED)
    assert operator_client.get(url).status_code == 405
    assert Client(HTTP_HOST="localhost").post(url).status_code == 302  # to the console's sign-in
    tenant.refresh_from_db()
    assert tenant.migration_state == MigrationState.FAILED


def test_a_tenant_being_migrated_answers_a_maintenance_page_and_the_api_a_problem(alpha: TenantFixture):
    Tenant.objects.filter(slug="alpha").update(migration_state=MigrationState.RUNNING)
    client = alpha.client()

    page = client.get("/")
    assert page.status_code == 503
    assert page["Retry-After"] == "60"
    assert "being upgraded" in page.content.decode()
    api = client.get("/api/v1/contacts/", HTTP_ACCEPT="application/json")
    assert api.status_code == 503
    assert api["Content-Type"].startswith("application/problem+json")
    assert api.json()["title"] == "Upgrade in progress"

    Tenant.objects.filter(slug="alpha").update(migration_state=MigrationState.PENDING)
    assert client.get("/").status_code != 503  # waiting its turn: the schema is still the old, consistent one
