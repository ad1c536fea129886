"""The fleet page: every served tenant's migration state and outbox backlog, and the queues."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm_platform.console.access import operator_required
from crm_platform.console.fleet import SchemaHealth, queue_depths, schema_health
from tenants.choices import MigrationState
from tenants.models import SpareSchema, Tenant
from tenants.services.fleet import served_tenants
from tenants.services.spare_schemas import pool_size
from tenants.tasks import migrate_tenant_task


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
        "failed": sum(1 for row in rows if row.tenant.migration_state == MigrationState.FAILED),
        # Schemas cloned ahead of signups: not tenants, so counted here and listed nowhere.
        "spares_ready": SpareSchema.objects.count(),
        "spares_wanted": pool_size(),
    }
    return render(request, "console/fleet.html", context)


@operator_required
@require_POST
def retry_migration(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue one tenant's migration again (after a failure, or to resume an interrupted one)."""
    tenant = get_object_or_404(served_tenants(), pk=pk)
    Tenant.objects.filter(pk=tenant.pk).exclude(migration_state=MigrationState.RUNNING).update(
        migration_state=MigrationState.PENDING
    )
    migrate_tenant_task.delay(tenant.pk)
    messages.success(request, _("The migration of %(name)s is queued.") % {"name": tenant.name})
    return redirect("console:fleet")
