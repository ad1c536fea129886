"""The nightly rebuild of the dashboards' rollups (beat entry in crm_platform/celery.py): the closed
deals' and every rollup a module registered (``rollups``). Repairs whatever reached the records
without an outbox event (an owner's account deleted, a bulk fix in SQL)."""

from __future__ import annotations

from celery import shared_task

from modules.analytics.dashboards.closed_deals_rollup import KEY
from modules.analytics.dashboards.rollups import registered_rollups
from modules.analytics.refresh.services import refresh_everywhere
from tenants.services.fleet import served_tenants


@shared_task
def rebuild_all_deal_rollups() -> int:
    """Every served tenant's rollups are due now; each rebuild checks its tenant's plan. Returns
    how many tenants."""
    tenants = list(served_tenants().values_list("pk", flat=True))
    for key in (KEY, *(rollup.key for rollup in registered_rollups())):
        refresh_everywhere(key, tenants)
    return len(tenants)
