"""Outbox delivery. ``dispatch_events`` runs in one tenant's schema, queued after each commit that
wrote events; ``dispatch_all_events`` runs from beat and queues it for every served tenant, which
delivers whatever a broker outage or a crashed worker left behind."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import connection

from customization.events.dispatcher import dispatch_pending
from tenants.services.fleet import queue_for_each_served_tenant

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def dispatch_events() -> int:
    if getattr(connection, "schema_name", "public") == "public":
        logger.warning("dispatch_events runs per tenant; queued without one, nothing done")
        return 0
    return dispatch_pending()


@shared_task
def dispatch_all_events() -> int:
    return queue_for_each_served_tenant(dispatch_events, expires=25)
