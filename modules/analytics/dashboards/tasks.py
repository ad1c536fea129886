"""The nightly rebuild of the closed deals' rollup (beat entry in crm_platform/celery.py): repairs
whatever reached the deals without an outbox event (an owner's account deleted, a bulk fix in SQL)."""

from __future__ import annotations

from celery import shared_task

from modules.analytics.dashboards.closed_deals_rollup import KEY
from modules.analytics.refresh.services import refresh_everywhere
from tenants.services.fleet import served_tenants


@shared_task
def rebuild_all_deal_rollups() -> int:
    """Every served tenant's rollup is due now; each rebuild checks its tenant's plan."""
    return refresh_everywhere(KEY, served_tenants().values_list("pk", flat=True))
