"""Basket-analysis tasks. ``refresh_basket`` runs in one tenant's schema, queued (debounced) after
order changes by the outbox consumer; ``refresh_all_baskets`` runs nightly from beat (entry in
crm_platform/celery.py) and queues it for every served tenant that has the analysis."""

from __future__ import annotations

from celery import shared_task
from django.db import connection

from modules.analytics.basket.mining import refresh_basket_rules
from modules.registry import enabled_module_keys
from tenants.services.fleet import queue_for_each_served_tenant, runs_in_a_tenant

# The modules the analysis needs (its catalogue entry says the same).
NEEDS = frozenset({"analytics", "sales"})


def tenant_has_basket_analysis() -> bool:
    return enabled_module_keys(getattr(connection, "tenant", None)) >= NEEDS


@shared_task(acks_late=True)
def refresh_basket() -> int:
    """Mine the current tenant's rules again (idempotent); returns how many were stored."""
    if not runs_in_a_tenant("refresh_basket") or not tenant_has_basket_analysis():
        return 0
    return refresh_basket_rules()


@shared_task
def refresh_all_baskets() -> int:
    """Queue ``refresh_basket`` for every served tenant; each copy checks its tenant's plan."""
    return queue_for_each_served_tenant(refresh_basket, expires=6 * 3600)
