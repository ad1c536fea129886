"""The fleet page: every served tenant's migration state and outbox backlog, and the queues."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from crm_platform.console.access import operator_required
from crm_platform.console.fleet import SchemaHealth, queue_depths, schema_health
from tenants.models import Tenant
from tenants.services.fleet import served_tenants


@dataclass(frozen=True)
class FleetRow:
    tenant: Tenant
    health: SchemaHealth
    outbox_age_seconds: int | None

    @property
    def behind(self) -> bool:
        return bool(self.health.pending_migrations) or not self.health.exists


@operator_required
def fleet(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    tenants = list(served_tenants().order_by("name", "pk"))
    health = schema_health([tenant.schema_name for tenant in tenants])
    rows = []
    for tenant in tenants:
        item = health[tenant.schema_name]
        oldest = item.outbox_oldest_at
        age = int((now - oldest).total_seconds()) if oldest else None
        rows.append(FleetRow(tenant=tenant, health=item, outbox_age_seconds=age))
    context = {
        "rows": rows,
        "queues": queue_depths(),
        "behind": sum(1 for row in rows if row.behind),
        "backlog": sum(row.health.outbox_pending for row in rows),
    }
    return render(request, "console/fleet.html", context)
