"""Activity tasks. ``dispatch_reminders`` runs every minute from beat (entry in crm_platform/celery.py),
in the public schema, and queues ``send_reminders`` once per tenant; that one runs in the tenant's
schema (tenant-schemas-celery)."""

from __future__ import annotations

import logging

from celery import shared_task

from modules.activities.services.reminders import send_due_reminders
from tenants.services.fleet import queue_for_each_served_tenant, runs_in_a_tenant

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def send_reminders() -> int:
    """Turn the current tenant's due reminders into notifications (idempotent)."""
    if not runs_in_a_tenant("send_reminders"):
        return 0
    return send_due_reminders()


@shared_task
def dispatch_reminders() -> int:
    """Queue ``send_reminders`` for every served tenant; returns how many were queued."""
    return queue_for_each_served_tenant(send_reminders, expires=55)
