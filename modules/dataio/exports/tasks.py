"""Export tasks. ``run_export`` builds one job's file in the tenant that queued it
(tenant-schemas-celery); ``dispatch_export_purge`` runs hourly from beat (crm_platform/celery.py) in
the public schema and queues ``purge_exports`` once per served tenant."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import connection

from modules.dataio.exports import services
from tenants.services.fleet import queue_for_each_served_tenant

logger = logging.getLogger(__name__)


def _in_tenant() -> bool:
    return getattr(connection, "schema_name", "public") != "public"


@shared_task(acks_late=True)
def run_export(job_id: int) -> str:
    """Build export ``job_id``'s file; a redelivered or unknown job does nothing."""
    if not _in_tenant():
        logger.warning("run_export runs per tenant; queued without one, nothing done")
        return "skipped"
    job = services.run_export(job_id)
    return job.status if job is not None else "skipped"


@shared_task(acks_late=True)
def purge_exports() -> int:
    """Delete the current tenant's expired export files."""
    if not _in_tenant():
        logger.warning("purge_exports runs per tenant; queued without one, nothing done")
        return 0
    return services.purge_expired()


@shared_task
def dispatch_export_purge() -> int:
    """Queue ``purge_exports`` for every served tenant; returns how many were queued."""
    return queue_for_each_served_tenant(purge_exports, expires=3000)
