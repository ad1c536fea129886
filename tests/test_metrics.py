"""/metrics: Prometheus's text format behind a bearer token, with request, task, webhook, queue,
tenant and fleet figures, and no label that names a tenant or a host."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from prometheus_client.parser import text_string_to_metric_families

from crm_platform.metrics import COUNTERS_KEY, SNAPSHOT_KEY, _client, count
from crm_platform.tasks import snapshot_fleet_metrics
from customization.events.models import DomainEvent
from tenants.choices import MigrationState
from tenants.models import Tenant
from tests.tenancy import TenantFixture

TOKEN = "scrape-token-for-tests"


@pytest.fixture
def metrics_client(db: None) -> Client:
    with override_settings(METRICS_TOKEN=TOKEN):
        yield Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")


@pytest.fixture(autouse=True)
def fresh_counters() -> None:
    _client().delete(COUNTERS_KEY, SNAPSHOT_KEY)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _scrape(client: Client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_metrics_are_off_without_a_token_and_refused_with_a_wrong_one(db: None) -> None:
    assert Client(HTTP_HOST="localhost").get("/metrics").status_code == 404
    with override_settings(METRICS_TOKEN=TOKEN):
        assert Client(HTTP_HOST="localhost").get("/metrics").status_code == 401
        wrong = Client(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION="Bearer nope")
        assert wrong.get("/metrics").status_code == 401


def test_requests_are_counted_by_view_and_status_without_tenant_labels(
    metrics_client: Client, alpha: TenantFixture
) -> None:
    alpha.client().get("/contacts/")
    alpha.client(email=None).get("/contacts/")  # signed out: redirected to sign in
    text = _scrape(metrics_client)
    samples = _samples(text)
    responses = "django_http_responses_total_by_status_view_method_total"
    by_view = [labels for name, labels in samples if name == responses and ("view", "contacts:contact-list") in labels]
    assert {dict(labels)["status"] for labels in by_view} >= {"200", "302"}
    label_values = {value for _name, labels in samples for _key, value in labels}
    assert not any(re.search(r"alpha|beta|localhost", value) for value in label_values)
    assert not any(key in {"tenant", "host", "schema", "path"} for _name, labels in samples for key, _ in labels)


def test_task_and_webhook_outcomes_add_up_across_processes(metrics_client: Client) -> None:
    count("celery_tasks", task="modules.activities.tasks.dispatch_reminders", outcome="succeeded")
    count("celery_tasks", task="modules.activities.tasks.dispatch_reminders", outcome="succeeded")
    count("celery_tasks", task="api.webhooks.tasks.deliver", outcome="failed")
    count("webhook_deliveries", outcome="retrying")
    samples = _samples(_scrape(metrics_client))
    task = "modules.activities.tasks.dispatch_reminders"
    assert samples[("relata_celery_tasks_total", (("outcome", "succeeded"), ("task", task)))] == 2
    assert samples[("relata_celery_tasks_total", (("outcome", "failed"), ("task", "api.webhooks.tasks.deliver")))] == 1
    assert samples[("relata_webhook_deliveries_total", (("outcome", "retrying"),))] == 1


def test_a_finished_task_is_counted_by_the_signal(metrics_client: Client, eager_tasks: None) -> None:
    snapshot_fleet_metrics.delay()
    samples = _samples(_scrape(metrics_client))
    key = (
        "relata_celery_tasks_total",
        (("outcome", "succeeded"), ("task", "crm_platform.tasks.snapshot_fleet_metrics")),
    )
    assert samples[key] == 1


def test_queues_tenants_and_migration_states_are_gauges(metrics_client: Client, alpha: TenantFixture) -> None:
    Tenant.objects.filter(slug="beta").update(migration_state=MigrationState.FAILED)
    samples = _samples(_scrape(metrics_client))
    assert ("relata_celery_queue_length", (("queue", "celery"),)) in samples
    assert samples[("relata_tenant_migrations", (("state", "failed"),))] == 1
    active = [
        value
        for (name, labels), value in samples.items()
        if name == "relata_tenants" and ("provisioning_state", "active") in labels
    ]
    assert sum(active) >= 2


def test_fleet_figures_come_from_the_minutely_snapshot(metrics_client: Client, alpha: TenantFixture) -> None:
    assert not any(name == "relata_outbox_pending_events" for name, _ in _samples(_scrape(metrics_client)))
    with alpha.active():
        DomainEvent.objects.create(type="contact.updated", entity="contact", record_id=1)
    snapshot_fleet_metrics()
    samples = _samples(_scrape(metrics_client))
    assert samples[("relata_outbox_pending_events", ())] >= 1
    assert samples[("relata_fleet_snapshot_age_seconds", ())] < 60
    assert ("relata_tenants_behind_migrations", ()) in samples
