"""Retention tasks: ``sweep_retention`` runs daily from beat (``privacy-retention`` in
crm_platform/celery.py) in the public schema and queues ``apply_retention_rules`` for every served
tenant; that one runs in the tenant's schema."""

from __future__ import annotations

from celery import shared_task
from django.db import connection
from django_tenants.utils import tenant_context

from modules.privacy.services import apply_retention
from tenants.services.fleet import runs_in_a_tenant, served_tenants


@shared_task(acks_late=True)
def apply_retention_rules() -> dict[str, int]:
    if not runs_in_a_tenant("apply_retention_rules"):
        return {}
    return apply_retention(getattr(connection, "tenant", None))


@shared_task
def sweep_retention() -> int:
    queued = 0
    for tenant in served_tenants().order_by("pk"):
        with tenant_context(tenant):
            apply_retention_rules.apply_async(expires=23 * 3600)
        queued += 1
    return queued
