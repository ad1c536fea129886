"""The sweep beat runs (entry ``analytics-run-due`` in crm_platform/celery.py) and the per-tenant task
it queues."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone
from django_tenants.utils import tenant_context

from modules.analytics.refresh.models import RefreshDue
from modules.analytics.refresh.services import run_due
from tenants.services.fleet import runs_in_a_tenant, served_tenants

# Seconds between sweeps; a queued run the workers did not reach by the next sweep is dropped
# (the next sweep queues it again).
SWEEP_EVERY = 30


@shared_task(acks_late=True)
def run_due_analyses() -> list[str]:
    """Run the current tenant's due analyses (idempotent); returns the keys that ran."""
    if not runs_in_a_tenant("run_due_analyses"):
        return []
    return run_due()


@shared_task
def sweep_due_analyses() -> int:
    """Queue ``run_due_analyses`` for every served tenant with an analysis due; returns how many."""
    due = RefreshDue.objects.filter(due_at__lte=timezone.now()).values("tenant_id")
    tenants = served_tenants().filter(pk__in=due).order_by("pk")
    queued = 0
    for tenant in tenants:
        with tenant_context(tenant):
            run_due_analyses.apply_async(expires=SWEEP_EVERY)
        queued += 1
    return queued
