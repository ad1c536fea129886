"""The deliveries' tasks are wired: beat's entry names a task the worker knows, and a real Celery
worker sends a due delivery and records it (the worker's e-mail goes to files, see
``tests.processes``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from modules.analytics.reports.delivery.models import ReportDelivery, ReportSubscription
from modules.analytics.reports.delivery.tasks import run_due_report_deliveries
from modules.analytics.reports.models import Report
from tenants.models import Tenant
from tests.tenancy import TenantFixture

NAME = "Worker delivery report"


def test_the_beat_schedule_finds_due_deliveries_every_minute():
    from crm_platform.celery import app

    entry = app.conf.beat_schedule["analytics-report-deliveries"]

    assert (entry["task"], entry["schedule"]) == (
        "modules.analytics.reports.delivery.tasks.dispatch_report_deliveries", 60.0)  # fmt: skip
    assert {entry["task"], "modules.analytics.reports.delivery.tasks.send_report_delivery"} <= set(app.tasks)


@pytest.fixture
def committed_alpha(django_db_setup, django_db_blocker) -> Iterator[TenantFixture]:
    """Alpha outside a test transaction, for a worker to see; this test's rows are removed."""
    with django_db_blocker.unblock():
        alpha = TenantFixture(Tenant.objects.get(slug="alpha"))
        yield alpha
        with tenant_context(alpha.tenant):
            Report.objects.filter(name=NAME).delete()  # its subscription and deliveries go with it
        connection.set_schema_to_public()


@pytest.mark.worker
def test_a_real_worker_sends_a_due_delivery(committed_alpha: TenantFixture, celery_worker):
    from tests.processes import wait_until

    with committed_alpha.active():
        admin = committed_alpha.user()
        # Rows written directly: the services would leave outbox events behind in the committed schema.
        report = Report.objects.create(name=NAME, source="deals", definition={"measures": [{"fn": "count"}]},
                                       owner=admin, chart="table")  # fmt: skip
        subscription = ReportSubscription.objects.create(
            report=report, frequency="daily", hour=0, file_format="csv", next_run_at=timezone.now() - timedelta(hours=1)
        )
        subscription.recipients.set([admin])
        run_due_report_deliveries.apply_async()

    def sent() -> bool:
        with committed_alpha.active():
            return ReportDelivery.objects.filter(subscription=subscription, status="sent").exists()

    wait_until(sent, timeout=60, what="the delivery to be sent")
    messages = [path.read_text() for path in celery_worker.iterdir()]
    assert any(f"Subject: Report: {NAME}" in text and "worker-delivery-report.csv" in text for text in messages)
