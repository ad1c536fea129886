"""Report delivery tasks. From beat, ``dispatch_report_deliveries`` (every minute, public schema)
queues ``run_due_report_deliveries`` once per served tenant; in the tenant's schema that one writes
the deliveries of every due occurrence and queues ``send_report_delivery`` for each delivery to
attempt now (new, retry due, or left by a worker that died)."""

from __future__ import annotations

from celery import shared_task

from modules.analytics.reports.delivery.sending import attempt_delivery, queue_due
from tenants.services.fleet import queue_for_each_served_tenant, runs_in_a_tenant


@shared_task(acks_late=True)
def send_report_delivery(delivery_id: int) -> str | None:
    """One attempt of a due delivery (idempotent: one not due, held or done is left alone)."""
    if not runs_in_a_tenant("send_report_delivery"):
        return None
    return attempt_delivery(delivery_id)


@shared_task(acks_late=True)
def run_due_report_deliveries() -> int:
    """Queue the current tenant's due deliveries; returns how many were queued."""
    if not runs_in_a_tenant("run_due_report_deliveries"):
        return 0
    ids = queue_due()
    for delivery_id in ids:
        send_report_delivery.apply_async((delivery_id,), retry=False)
    return len(ids)


@shared_task
def dispatch_report_deliveries() -> int:
    return queue_for_each_served_tenant(run_due_report_deliveries, expires=55)
