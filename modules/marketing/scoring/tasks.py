"""Scoring's background work.

``sweep_score_decay`` runs daily from beat (entry ``marketing-score-decay`` in crm_platform/celery.py)
and queues ``apply_score_decay`` for every served tenant with marketing. Decay needs a clock: a
score that loses points with time changes when no event happens, so the outbox consumer cannot
keep it current. The task is bounded: it recomputes only records holding decaying ledger rows, a
batch per task (each queues the next), and first deletes rows that no longer count (expired, or
decayed to nothing), so the work shrinks as points fade.

``recalculate_scores`` computes every contact's and lead's score again after the rules changed
(the "Recalculate all" button), a batch of ids per task."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from modules.marketing.scoring.services.recalculation import decay_batch, prune_spent_points, recalculate_batch
from modules.registry import is_enabled
from tenants.services.fleet import runs_in_a_tenant, served_tenants

DAY = 24 * 3600


@shared_task(acks_late=True)
def apply_score_decay(entity: str = "contact", after: int = 0) -> int:
    """Recompute one batch of the current tenant's decaying scores from record id ``after`` on."""
    if not runs_in_a_tenant("apply_score_decay"):
        return 0
    if entity == "contact" and after == 0:
        prune_spent_points()
    done, last = decay_batch(entity, after=after)
    if last is not None:
        transaction.on_commit(lambda: apply_score_decay.delay(entity=entity, after=last))
    elif entity == "contact":
        transaction.on_commit(lambda: apply_score_decay.delay(entity="lead", after=0))
    return done


@shared_task
def sweep_score_decay() -> int:
    """Queue ``apply_score_decay`` for every served tenant whose plan has marketing."""
    from django_tenants.utils import tenant_context

    queued = 0
    for tenant in served_tenants().order_by("pk"):
        if not is_enabled(tenant, "marketing"):
            continue
        with tenant_context(tenant):
            apply_score_decay.apply_async(expires=DAY - 600)
        queued += 1
    return queued


@shared_task(acks_late=True)
def recalculate_scores(entity: str = "contact", after: int = 0) -> int:
    """Compute one batch of every score again, from record id ``after`` on; contacts, then leads."""
    if not runs_in_a_tenant("recalculate_scores"):
        return 0
    done, last = recalculate_batch(entity, after=after)
    if last is not None:
        transaction.on_commit(lambda: recalculate_scores.delay(entity=entity, after=last))
    elif entity == "contact":
        transaction.on_commit(lambda: recalculate_scores.delay(entity="lead", after=0))
    return done


def schedule_recalculation() -> None:
    """Queue a full recalculation once the current transaction commits."""
    transaction.on_commit(lambda: recalculate_scores.delay())
