"""Outbox delivery. ``dispatch_events`` runs in one tenant's schema, queued after each commit that
wrote events; ``dispatch_all_events`` runs from beat and queues it for every served tenant, which
delivers whatever a broker outage or a crashed worker left behind."""

from __future__ import annotations

import logging

from celery import shared_task

from customization.events.dispatcher import dispatch_pending
from tenants.services.fleet import queue_for_each_served_tenant, runs_in_a_tenant

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def dispatch_events() -> int:
    if not runs_in_a_tenant("dispatch_events"):
        return 0
    return dispatch_pending()


@shared_task
def dispatch_all_events() -> int:
    return queue_for_each_served_tenant(dispatch_events, expires=25)
