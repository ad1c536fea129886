"""Work fanned out over the fleet: beat tasks run in the public schema and queue one task per
served tenant, which then runs in that tenant's schema (tenant-schemas-celery)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django_tenants.utils import tenant_context

from tenants.choices import CLOSED_STATUSES, ProvisioningState
from tenants.models import Tenant

logger = logging.getLogger(__name__)


def served_tenants() -> QuerySet[Tenant]:
    """Tenants whose schema is live: provisioned, not the template, not closed."""
    return (
        Tenant.objects.filter(provisioning_state=ProvisioningState.ACTIVE, is_template=False)
        .exclude(schema_name="public")
        .exclude(status__in=CLOSED_STATUSES)
    )


def queue_for_each_served_tenant(task: Any, *, expires: float) -> int:
    """Send ``task`` once per served tenant, in its schema; returns how many were queued.
    ``expires`` drops a copy a backed-up queue did not reach before the next round."""
    queued = 0
    for tenant in served_tenants():
        with tenant_context(tenant):
            task.apply_async(expires=expires)
        queued += 1
    return queued


def runs_in_a_tenant(task_name: str) -> bool:
    """Whether a per-tenant task is running in a tenant's schema; a copy queued without a tenant
    (in the public schema) is logged and must do nothing."""
    if getattr(connection, "schema_name", "public") == "public":
        logger.warning("%s runs per tenant; queued without one, nothing done", task_name)
        return False
    return True
