"""Beat purges idempotency records older than 24 hours, in every served tenant."""

from __future__ import annotations

import logging

from celery import shared_task

from api.idempotency.services import purge_expired_records
from tenants.services.fleet import queue_for_each_served_tenant, runs_in_a_tenant

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def purge_idempotency_records() -> int:
    if not runs_in_a_tenant("purge_idempotency_records"):
        return 0
    return purge_expired_records()


@shared_task
def purge_all_idempotency_records() -> int:
    return queue_for_each_served_tenant(purge_idempotency_records, expires=3000)
