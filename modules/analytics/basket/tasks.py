"""When the basket rules are mined again: ``refresh`` is the analysis the shared refresh runs
(``modules.analytics.refresh``; registered in ``AnalyticsConfig.ready``), asked for by order changes
and threshold changes; ``refresh_all_baskets`` runs nightly from beat (entry in
crm_platform/celery.py) and makes it due for every served tenant."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.db import connection

from modules.analytics.basket.mining import refresh_basket_rules
from modules.analytics.refresh.services import AnalysisRefresh, refresh_everywhere
from modules.registry import enabled_module_keys
from tenants.services.fleet import served_tenants

KEY = "basket"
# The modules the analysis needs (its catalogue entry says the same).
NEEDS = frozenset({"analytics", "sales"})


def tenant_has_basket_analysis() -> bool:
    return enabled_module_keys(getattr(connection, "tenant", None)) >= NEEDS


def refresh() -> int:
    """Mine the current tenant's rules again when its plan has the analysis; how many were stored."""
    return refresh_basket_rules() if tenant_has_basket_analysis() else 0


# Five minutes from the first order change: a burst of order edits is mined once.
ANALYSIS = AnalysisRefresh(key=KEY, run=refresh, delay=timedelta(minutes=5))


@shared_task
def refresh_all_baskets() -> int:
    """Every served tenant's rules are due now; each run checks its tenant's plan."""
    return refresh_everywhere(KEY, served_tenants().values_list("pk", flat=True))
