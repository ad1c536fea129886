"""Starting runs: one per rule and trigger key (the event id, or ``date:<record>:<value>``), so a
trigger offered twice starts one run. Loop protection, the plan's monthly run limit and the
tenant's rate limit decide here whether a run starts or is logged as skipped."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing.usage import workflow_run_allowance
from customization.events.models import DomainEvent
from customization.workflows.choices import RunStatus
from customization.workflows.limits import max_depth, runs_per_minute, take_run_slots
from customization.workflows.models import WorkflowRule, WorkflowRun
from tenants.models import Tenant

logger = logging.getLogger(__name__)


def _current_tenant() -> Tenant | None:
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant):
        return tenant
    schema_name = getattr(connection, "schema_name", "public")
    return None if schema_name == "public" else Tenant.objects.filter(schema_name=schema_name).first()


class RateLimited(Exception):
    """The workspace's runs of this minute are spent, and the caller said it would rather wait
    (a selection's batch) than have the run logged as skipped."""


@dataclass(frozen=True)
class RunRequest:
    """A run to start: ``rule`` on ``record_id`` for ``trigger_key`` (what makes it unique)."""

    rule: WorkflowRule
    trigger_key: str
    record_id: int
    event: DomainEvent | None = None
    depth: int = 0


def _monthly_reason(limit: int) -> str:
    return ngettext(
        "The plan's limit of %(limit)d workflow run this month is reached.",
        "The plan's limit of %(limit)d workflow runs this month is reached.",
        limit,
    ) % {"limit": limit}


def _skip_reasons(depths: Sequence[int], *, wait_for_slot: bool = False) -> list[str]:
    """Why each of the runs (by their depth, in order) must not start ("" to start it). The depth
    limit first, then the plan's monthly runs (a run the plan refuses spends nothing of the
    minute's budget), then the per-minute rate limit: the budgets are read and taken once for all
    of them, and the first runs in order get what is left. With ``wait_for_slot`` a run the rate
    limit refuses raises ``RateLimited`` instead (the slots taken for the others stay spent)."""
    reasons = [
        _("Stopped: this rule was triggered by workflow actions %(depth)d levels deep.") % {"depth": depth}
        if depth >= max_depth()
        else ""
        for depth in depths
    ]
    waiting = [index for index, reason in enumerate(reasons) if not reason]
    tenant = _current_tenant() if waiting else None
    allowance = workflow_run_allowance(tenant) if tenant is not None else None
    if allowance is not None:
        limit, used = allowance
        for index in waiting[max(0, limit - used) :]:
            reasons[index] = _monthly_reason(limit)
        waiting = waiting[: max(0, limit - used)]
    allowed = take_run_slots(len(waiting))
    if wait_for_slot and waiting[allowed:]:
        raise RateLimited
    for index in waiting[allowed:]:
        reasons[index] = _(
            "Skipped: this workspace started more than %(limit)d workflow runs this minute (rate limit)."
        ) % {"limit": runs_per_minute()}
    return reasons


def _new_run(request: RunRequest, reason: str, now: datetime) -> WorkflowRun:
    rule = request.rule
    return WorkflowRun(
        rule=rule,
        trigger_key=request.trigger_key,
        version=rule.version,
        event=request.event,
        entity=rule.entity,
        record_id=request.record_id,
        depth=request.depth,
        status=RunStatus.SKIPPED if reason else RunStatus.PENDING,
        message=reason,
        finished_at=now if reason else None,
    )


def _insert_one_by_one(runs: list[WorkflowRun]) -> list[WorkflowRun]:
    """The runs another process did not start meanwhile (it won the unique trigger key)."""
    created: list[WorkflowRun] = []
    for run in runs:
        fields = {f.attname: getattr(run, f.attname) for f in WorkflowRun._meta.concrete_fields if not f.primary_key}
        fields.pop("created_at", None)
        with transaction.atomic():
            saved, was_created = WorkflowRun.objects.get_or_create(
                rule_id=run.rule_id, trigger_key=run.trigger_key, defaults=fields
            )
        if was_created:
            created.append(saved)
    return created


def start_runs(requests: Sequence[RunRequest], *, wait_for_slot: bool = False) -> list[WorkflowRun]:
    """The new runs of ``requests``, in order, leaving out those whose rule already has a run for
    the trigger key (offered twice, a trigger starts one run). A run stopped by the depth limit, the
    plan or the rate limit is created SKIPPED with the reason, so the history shows it (with
    ``wait_for_slot`` the rate limit raises ``RateLimited`` and nothing is written). One query
    finds the existing runs and one INSERT writes the new ones, however many there are."""
    if not requests:
        return []
    existing = set(
        WorkflowRun.objects.filter(
            rule_id__in={request.rule.pk for request in requests},
            trigger_key__in={request.trigger_key for request in requests},
        ).values_list("rule_id", "trigger_key")
    )
    fresh: list[RunRequest] = []
    for request in requests:
        key = (request.rule.pk, request.trigger_key)
        if key not in existing:
            existing.add(key)
            fresh.append(request)
    if not fresh:
        return []
    reasons = _skip_reasons([request.depth for request in fresh], wait_for_slot=wait_for_slot)
    now = timezone.now()
    runs = [_new_run(request, reason, now) for request, reason in zip(fresh, reasons, strict=True)]
    try:
        with transaction.atomic():
            created = WorkflowRun.objects.bulk_create(runs)
    except IntegrityError:
        created = _insert_one_by_one(runs)
    for run in created:
        if run.status == RunStatus.SKIPPED:
            logger.info("workflow rule %s: %s", run.rule_id, run.message)
    return created


def start_run(
    rule: WorkflowRule,
    *,
    trigger_key: str,
    record_id: int,
    event: DomainEvent | None = None,
    depth: int = 0,
    wait_for_slot: bool = False,
) -> WorkflowRun | None:
    """The new run, or None when this rule already has a run for ``trigger_key``; with
    ``wait_for_slot`` the rate limit raises ``RateLimited`` instead and nothing is written."""
    created = start_runs([RunRequest(rule, trigger_key, record_id, event, depth)], wait_for_slot=wait_for_slot)
    return created[0] if created else None


# A task runs this many runs at most; more are split over several tasks so both workers share them.
RUNS_PER_TASK = 20


def queue_runs(run_ids: Iterable[int], *, run_first_here: bool = False) -> None:
    """Queue the runs, ``RUNS_PER_TASK`` per task, once the current transaction commits. With
    ``run_first_here`` (the outbox consumer, inside the dispatcher's task) the first of them run
    in this process right after the commit instead of in a task of their own: an event takes
    effect in one task. A broker outage, or a process dying, loses nothing: the clock task queues
    pending runs nobody picked up."""
    ids = list(run_ids)
    if not ids:
        return

    def send() -> None:
        from customization.workflows.tasks import run_workflow_batch

        chunks = [ids[start : start + RUNS_PER_TASK] for start in range(0, len(ids), RUNS_PER_TASK)]
        here = chunks.pop(0) if run_first_here else None
        for chunk in chunks:
            try:
                run_workflow_batch.apply_async((chunk,), retry=False)
            except Exception:
                logger.warning("could not queue workflow runs %s; the clock task will", chunk, exc_info=True)
                break
        if here is not None:
            from customization.workflows.tasks import run_in_this_process

            run_in_this_process(here)

    transaction.on_commit(send, robust=True)
