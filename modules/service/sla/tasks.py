"""SLA tasks. ``sweep_sla_clocks`` runs every minute from beat (entry ``service-sla-sweep`` in
crm_platform/celery.py) in the public schema and queues ``announce_sla_due`` for every served tenant
with the service module; that one runs in the tenant's schema. ``recalculate_sla_clocks`` computes
the open cases' clocks again after a calendar or a policy changed, in batches."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from modules.registry import is_enabled
from modules.service.sla.services.alerts import announce_due
from modules.service.sla.services.recalculation import recalculate_batch
from tenants.services.fleet import runs_in_a_tenant, served_tenants

SWEEP_EVERY = 60


@shared_task(acks_late=True)
def announce_sla_due() -> int:
    """Announce the current tenant's due SLA warnings and breaches (idempotent)."""
    if not runs_in_a_tenant("announce_sla_due"):
        return 0
    return announce_due()


@shared_task
def sweep_sla_clocks() -> int:
    """Queue ``announce_sla_due`` for every served tenant whose plan has the service module."""
    queued = 0
    for tenant in served_tenants().order_by("pk"):
        if not is_enabled(tenant, "service"):
            continue
        with tenant_context(tenant):
            announce_sla_due.apply_async(expires=SWEEP_EVERY - 5)
        queued += 1
    return queued


@shared_task(acks_late=True)
def recalculate_sla_clocks(after: int = 0) -> int:
    """Compute the clocks of the current tenant's open cases again, a batch per task from case id
    ``after`` on; each batch queues the next. Returns how many clocks this batch computed."""
    if not runs_in_a_tenant("recalculate_sla_clocks"):
        return 0
    done, last = recalculate_batch(after=after, now=timezone.now())
    if last is not None:
        transaction.on_commit(lambda: recalculate_sla_clocks.delay(after=last))
    return done


def schedule_recalculation() -> None:
    """Queue the recalculation once the current transaction commits."""
    transaction.on_commit(lambda: recalculate_sla_clocks.delay())
