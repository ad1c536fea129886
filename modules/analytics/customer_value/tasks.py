"""When customer values are computed again: ``refresh`` is the analysis the shared refresh runs
(``modules.analytics.refresh``; registered in ``CustomerValueConfig.ready``), asked for by order
changes and merges; ``refresh_all_customer_values`` runs nightly from beat and makes it due for
every served tenant."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.db import connection

from modules.analytics.refresh.services import AnalysisRefresh, refresh_everywhere
from modules.registry import is_enabled
from tenants.services.fleet import served_tenants

KEY = "customer-value"


def refresh() -> str:
    """Recompute the current tenant's customer values; returns the run's status ("" when its plan
    lacks analytics or sales)."""
    tenant = getattr(connection, "tenant", None)
    if not (is_enabled(tenant, "analytics") and is_enabled(tenant, "sales")):
        return ""
    from modules.analytics.customer_value.services import refresh_customer_values  # scipy: loaded to fit only

    return str(refresh_customer_values().status)


# Two minutes from the first order change: a burst of edits costs one fit.
ANALYSIS = AnalysisRefresh(key=KEY, run=refresh, delay=timedelta(minutes=2))


@shared_task
def refresh_all_customer_values() -> int:
    """Every served tenant's customer values are due now; each run checks its tenant's plan."""
    return refresh_everywhere(KEY, served_tenants().values_list("pk", flat=True))
