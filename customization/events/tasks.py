"""Outbox delivery. ``dispatch_events`` runs in one tenant's schema, queued after each commit that
wrote events; ``dispatch_all_events`` runs from beat and queues it for every served tenant, which
delivers whatever a broker outage or a crashed worker left behind."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import connection
from django_tenants.utils import tenant_context

from customization.events.dispatcher import dispatch_pending
from tenants.choices import CLOSED_STATUSES, ProvisioningState
from tenants.models import Tenant

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def dispatch_events() -> int:
    if getattr(connection, "schema_name", "public") == "public":
        logger.warning("dispatch_events runs per tenant; queued without one, nothing done")
        return 0
    return dispatch_pending()


@shared_task
def dispatch_all_events() -> int:
    tenants = (
        Tenant.objects.filter(provisioning_state=ProvisioningState.ACTIVE, is_template=False)
        .exclude(schema_name="public")
        .exclude(status__in=CLOSED_STATUSES)
    )
    queued = 0
    for tenant in tenants:
        with tenant_context(tenant):
            dispatch_events.apply_async(expires=25)
        queued += 1
    return queued
