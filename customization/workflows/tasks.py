"""Workflow tasks. The runs an event starts run in the outbox dispatcher's task right after its
commit (``run_in_this_process``); ``run_workflow_batch`` runs a batch of runs queued by the
consumer (beyond what it runs itself), by date rules and by selections; ``run_workflow`` runs or
resumes one run (a retry, a wait that is over, a lost lease), each in its tenant's schema. From
beat, ``resume_all_workflow_runs`` (every 30 s) and ``fire_all_date_rules`` (hourly) queue their
per-tenant task for every served tenant: the first re-queues runs whose worker died (lease
expired), waits that are over and pending runs the broker lost; the second starts the date rules
that are due."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from customization.workflows.choices import RunStatus
from customization.workflows.engine.dates import fire_date_rules
from customization.workflows.engine.runner import execute_run, execute_runs
from customization.workflows.limits import PENDING_GRACE_SECONDS
from customization.workflows.models import WorkflowRun
from customization.workflows.selections import stalled_selection_ids, start_next_batch
from tenants.services.fleet import queue_for_each_served_tenant, runs_in_a_tenant

logger = logging.getLogger(__name__)
RESUME_BATCH = 500


def _requeue(run_id: int, delay: int) -> None:
    run_workflow.apply_async((run_id,), countdown=delay, retry=False)


@shared_task(acks_late=True)
def run_workflow(run_id: int) -> str | None:
    """Run or resume one workflow run (idempotent: a run that is done or held is left alone)."""
    if not runs_in_a_tenant("run_workflow"):
        return None
    return execute_run(run_id, requeue=_requeue)


@shared_task(acks_late=True)
def run_workflow_batch(run_ids: list[int]) -> int:
    """Run the runs of ``run_ids`` that are due, one after the other; returns how many this worker ran."""
    if not runs_in_a_tenant("run_workflow_batch"):
        return 0
    return len(run_in_this_process(run_ids))


def run_in_this_process(run_ids: list[int]) -> dict[int, str]:
    """Run the runs now, in the current process and tenant (retries are queued as tasks)."""
    return execute_runs(run_ids, requeue=_requeue)


def due_run_ids(*, limit: int = RESUME_BATCH) -> list[int]:
    """Runs of the current tenant that need a worker: lease expired, wait over, or pending unqueued."""
    now = timezone.now()
    due = (
        Q(status=RunStatus.RUNNING, lease_until__lt=now)
        | Q(status=RunStatus.WAITING, resume_at__lte=now)
        | Q(status=RunStatus.PENDING, created_at__lt=now - timedelta(seconds=PENDING_GRACE_SECONDS))
    )
    return list(WorkflowRun.objects.filter(due, dry_run=False).order_by("id").values_list("pk", flat=True)[:limit])


@shared_task(acks_late=True)
def resume_workflow_runs() -> int:
    """Queue the current tenant's runs that need a worker, and selections whose batches stopped
    being queued; returns how many runs."""
    if not runs_in_a_tenant("resume_workflow_runs"):
        return 0
    ids = due_run_ids()
    for run_id in ids:
        run_workflow.apply_async((run_id,), retry=False)
    for selection_id in stalled_selection_ids():
        start_selection_runs.apply_async((selection_id,), retry=False)
    return len(ids)


@shared_task(acks_late=True)
def start_selection_runs(selection_id: int) -> bool:
    """Start one batch of a selection's runs; the next batch is queued when this one commits."""
    if not runs_in_a_tenant("start_selection_runs"):
        return False
    return start_next_batch(selection_id)


@shared_task(acks_late=True)
def fire_workflow_date_rules() -> int:
    """Start the current tenant's due date rules; returns how many runs started."""
    if not runs_in_a_tenant("fire_workflow_date_rules"):
        return 0
    return len(fire_date_rules())


@shared_task
def resume_all_workflow_runs() -> int:
    return queue_for_each_served_tenant(resume_workflow_runs, expires=25)


@shared_task
def fire_all_date_rules() -> int:
    return queue_for_each_served_tenant(fire_workflow_date_rules, expires=3000)
