"""Export tasks. ``run_export`` builds one job's file in the tenant that queued it
(tenant-schemas-celery); ``dispatch_export_purge`` runs hourly from beat (crm_platform/celery.py) in
the public schema and queues ``purge_exports`` once per served tenant; ``dispatch_dataio_resume``
runs every five minutes and queues ``resume_dataio_jobs`` likewise, which queues again the exports
and imports whose run died (a worker killed mid-job)."""

from __future__ import annotations

import logging

from celery import shared_task

from modules.dataio.exports import services
from tenants.services.fleet import queue_for_each_served_tenant, runs_in_a_tenant

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def run_export(job_id: int) -> str:
    """Build export ``job_id``'s file; a redelivered or unknown job does nothing."""
    if not runs_in_a_tenant("run_export"):
        return "skipped"
    job = services.run_export(job_id)
    return job.status if job is not None else "skipped"


@shared_task(acks_late=True)
def purge_exports() -> int:
    """Delete the current tenant's expired export files."""
    if not runs_in_a_tenant("purge_exports"):
        return 0
    return services.purge_expired()


@shared_task
def dispatch_export_purge() -> int:
    """Queue ``purge_exports`` for every served tenant; returns how many were queued."""
    return queue_for_each_served_tenant(purge_exports, expires=3000)


@shared_task(acks_late=True)
def resume_dataio_jobs() -> int:
    """Queue again the current tenant's exports and imports whose run died (a worker killed
    mid-job) or whose message was lost; returns how many were queued."""
    from modules.dataio.imports.processing import resume_unfinished as resume_imports

    if not runs_in_a_tenant("resume_dataio_jobs"):
        return 0
    return services.resume_unfinished() + resume_imports()


@shared_task
def dispatch_dataio_resume() -> int:
    """Queue ``resume_dataio_jobs`` for every served tenant; returns how many were queued."""
    return queue_for_each_served_tenant(resume_dataio_jobs, expires=250)
