"""Webhook tasks. ``send_webhook_delivery`` makes one attempt of a delivery in its tenant's schema
(queued after the delivery is made, and with a countdown for retries due soon). From beat,
``sweep_all_webhook_deliveries`` (every 30 s) queues ``queue_due_webhook_deliveries`` for every
served tenant: it sends the deliveries whose retry is due, whose message the broker lost, or
whose worker died mid-request (lease expired). ``purge_all_webhook_deliveries`` (hourly) removes
each tenant's deliveries finished more than ``WEBHOOK_DELIVERY_RETENTION_DAYS`` ago."""

from __future__ import annotations

import logging

from celery import shared_task

from api.webhooks.services.deliveries import due_delivery_ids, purge_finished_deliveries
from api.webhooks.services.sending import attempt_delivery
from tenants.services.fleet import queue_for_each_served_tenant, runs_in_a_tenant

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def send_webhook_delivery(delivery_id: int) -> str | None:
    """One attempt of a due delivery (idempotent: a delivery not due, held or done is left alone)."""
    if not runs_in_a_tenant("send_webhook_delivery"):
        return None
    return attempt_delivery(delivery_id)


@shared_task(acks_late=True)
def queue_due_webhook_deliveries() -> int:
    """Queue the current tenant's due deliveries; returns how many."""
    if not runs_in_a_tenant("queue_due_webhook_deliveries"):
        return 0
    ids = due_delivery_ids()
    for delivery_id in ids:
        send_webhook_delivery.apply_async((delivery_id,), retry=False)
    return len(ids)


@shared_task
def sweep_all_webhook_deliveries() -> int:
    return queue_for_each_served_tenant(queue_due_webhook_deliveries, expires=25)


@shared_task(acks_late=True)
def purge_webhook_deliveries() -> int:
    """Delete the current tenant's deliveries past their retention; returns how many."""
    if not runs_in_a_tenant("purge_webhook_deliveries"):
        return 0
    return purge_finished_deliveries()


@shared_task
def purge_all_webhook_deliveries() -> int:
    return queue_for_each_served_tenant(purge_webhook_deliveries, expires=3000)
