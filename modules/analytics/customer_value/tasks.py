"""Customer values are recomputed per tenant: shortly after orders change (queued by the outbox
consumer, debounced) and nightly for every served tenant with analytics and sales."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.db import connection

from modules.registry import is_enabled
from tenants.services.fleet import queue_for_each_served_tenant, runs_in_a_tenant

# Set while a refresh is queued, so a burst of order changes queues one; the task clears it first,
# so a change made while it runs queues the next.
QUEUED_KEY = "customer-value:refresh-queued"


@shared_task(acks_late=True)
def refresh_customer_values() -> str:
    """Recompute the current tenant's customer values; returns the run's status ("" when skipped)."""
    if not runs_in_a_tenant("refresh_customer_values"):
        return ""
    cache.delete(QUEUED_KEY)
    tenant = getattr(connection, "tenant", None)
    if not (is_enabled(tenant, "analytics") and is_enabled(tenant, "sales")):
        return ""
    from modules.analytics.customer_value.services import refresh_customer_values as refresh

    return str(refresh().status)


@shared_task
def refresh_all_customer_values() -> int:
    return queue_for_each_served_tenant(refresh_customer_values, expires=6 * 3600)
