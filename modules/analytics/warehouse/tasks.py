"""The warehouse export's Celery task: it builds one export in the tenant that queued it
(tenant-schemas-celery)."""

from __future__ import annotations

from celery import shared_task

from modules.analytics.warehouse import services
from tenants.services.fleet import runs_in_a_tenant


@shared_task(acks_late=True)
def build_warehouse_export(export_id: int) -> str:
    """Build export ``export_id``'s file; a redelivered or unknown export does nothing."""
    if not runs_in_a_tenant("build_warehouse_export"):
        return "skipped"
    export = services.run_export(export_id)
    return export.status if export is not None else "skipped"
