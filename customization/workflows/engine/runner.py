"""Running a workflow run, step by step, safe against crashes and repeats.

A worker claims the run by setting ``lease_until`` (under a row lock); while the lease holds no
other worker touches it, and each step renews it. A step is two transactions: the first counts
the attempt (committed, so a crash still counts), the second performs the action *and* writes the
step's result and advances ``next_step``, so the database effect and the progress commit together:
a worker killed mid-step leaves neither, and the next worker re-runs that step once. Effects
outside the database carry the step id as idempotency key. Transient errors are retried with
exponential backoff (the run waits, ``resume_at``), other errors fail the run with the error on
the step."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customization.events.outbox import caused_by
from customization.workflows.choices import RunStatus, StepStatus
from customization.workflows.engine import actions
from customization.workflows.engine.conditions import evaluate
from customization.workflows.engine.context import StepContext, load_record
from customization.workflows.engine.errors import StepError, TransientError
from customization.workflows.limits import lease_seconds, max_attempts, retry_delay
from customization.workflows.models import WorkflowRuleVersion, WorkflowRun, WorkflowStepRun

logger = logging.getLogger(__name__)

TERMINAL = frozenset({RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.SKIPPED})
Requeue = Callable[[int, int], None]


class RecordGone(StepError):
    """The run's record was deleted."""


class _LeaseLost(Exception):
    """Another worker took the run over (this one was too slow); stop without touching it."""


def definition(run: WorkflowRun) -> dict[str, Any]:
    """The conditions and actions of the rule version the run was started with."""
    rule = run.rule
    version = WorkflowRuleVersion.objects.filter(rule_id=run.rule_id, version=run.version).first()
    frozen: dict[str, Any] = version.definition if version and isinstance(version.definition, dict) else {}
    return {
        "conditions": frozen.get("conditions", rule.conditions),
        "actions": frozen.get("actions", rule.actions) or [],
    }


def _claim(run_id: int) -> datetime | None:
    """Take the run for this worker; None when it is finished, not due, or held by another."""
    with transaction.atomic():
        run = WorkflowRun.objects.select_for_update(skip_locked=True).filter(pk=run_id).first()
        if run is None or run.status in TERMINAL or run.dry_run:
            return None
        now = timezone.now()
        if run.status == RunStatus.WAITING and run.resume_at and run.resume_at > now:
            return None
        if run.status == RunStatus.RUNNING and run.lease_until and run.lease_until > now:
            return None
        lease = now + timedelta(seconds=lease_seconds())
        run.status, run.lease_until, run.resume_at = RunStatus.RUNNING, lease, None
        run.attempts += 1
        run.save(update_fields=["status", "lease_until", "resume_at", "attempts"])
        return lease


def _locked(run_id: int, lease: datetime) -> WorkflowRun:
    run = WorkflowRun.objects.select_for_update(of=("self",)).select_related("rule", "event").get(pk=run_id)
    if run.lease_until != lease or run.status != RunStatus.RUNNING:
        raise _LeaseLost
    return run


def _finish(run_id: int, lease: datetime, status: str, message: str = "") -> str:
    with transaction.atomic():
        run = _locked(run_id, lease)
        run.status, run.message, run.finished_at, run.lease_until = status, message, timezone.now(), None
        run.save(update_fields=["status", "message", "finished_at", "lease_until"])
    return status


def _start_step(run_id: int, lease: datetime, position: int, config: dict[str, Any]) -> tuple[int, datetime]:
    """Count an attempt at the step (committed before the action runs) and renew the lease."""
    with transaction.atomic():
        run = _locked(run_id, lease)
        step, _created = WorkflowStepRun.objects.get_or_create(
            run=run, position=position, defaults={"action_type": str(config.get("type", "")), "input": config}
        )
        step.attempts += 1
        step.status = StepStatus.RUNNING
        step.save(update_fields=["attempts", "status"])
        run.lease_until = timezone.now() + timedelta(seconds=lease_seconds())
        run.save(update_fields=["lease_until"])
        return step.pk, run.lease_until


def _deliver_after_commit(step_id: int, send: Callable[[], None]) -> None:
    try:
        send()
    except Exception as error:
        logger.exception("workflow step %s: delivery after commit failed", step_id)
        WorkflowStepRun.objects.filter(pk=step_id).update(error=f"Delivery failed: {type(error).__name__}: {error}")


def _perform_step(
    run_id: int, lease: datetime, step_id: int, position: int, config: dict[str, Any], *, last: bool
) -> str:
    """Run the action and record its result in one transaction (the last step also finishes the
    run in it); returns the run's status."""
    with transaction.atomic():
        run = _locked(run_id, lease)
        record = load_record(run.entity, run.record_id)
        if record is None:
            raise RecordGone(_("The record was deleted; the run stopped."))
        context = StepContext(
            rule=run.rule, record=record, entity=run.entity, event=run.event, position=position,
            step_key=str(step_id), run_id=run.pk,
        )  # fmt: skip
        with caused_by(run_id=run.pk, depth=run.depth + 1):
            outcome = actions.execute(config, context)
        WorkflowStepRun.objects.filter(pk=step_id).update(
            status=StepStatus.SUCCEEDED, output=outcome.output, error="", finished_at=timezone.now()
        )
        run.next_step = position + 1
        fields = ["next_step"]
        if outcome.resume_at is not None:
            run.status, run.resume_at, run.lease_until = RunStatus.WAITING, outcome.resume_at, None
            fields += ["status", "resume_at", "lease_until"]
        elif last:
            run.status, run.finished_at, run.lease_until = RunStatus.SUCCEEDED, timezone.now(), None
            fields += ["status", "finished_at", "lease_until"]
        run.save(update_fields=fields)
        if outcome.after_commit is not None:
            transaction.on_commit(partial(_deliver_after_commit, step_id, outcome.after_commit))
        return str(run.status)


def _step_failed(run_id: int, lease: datetime, step_id: int, error: Exception, requeue: Requeue | None) -> str:
    transient = isinstance(error, TransientError | OperationalError | InterfaceError)
    message = str(error) if isinstance(error, StepError) else f"{type(error).__name__}: {error}"
    with transaction.atomic():
        run = _locked(run_id, lease)
        step = WorkflowStepRun.objects.select_for_update().get(pk=step_id)
        step.error = message[:4000]
        label = _("Step %(number)d (%(action)s)") % {"number": step.position + 1, "action": step.action_type}
        if isinstance(error, RecordGone):
            step.status, step.finished_at = StepStatus.FAILED, timezone.now()
            run.status, run.message, run.finished_at = RunStatus.SKIPPED, message, timezone.now()
        elif transient and step.attempts < max_attempts():
            delay = retry_delay(step.attempts)
            run.status, run.resume_at = RunStatus.WAITING, timezone.now() + timedelta(seconds=delay)
            run.message = _("%(step)s failed: %(error)s Trying again in %(delay)d s (attempt %(attempt)d).") % {
                "step": label, "error": message, "delay": delay, "attempt": step.attempts + 1,
            }  # fmt: skip
            if requeue is not None:
                transaction.on_commit(lambda: requeue(run_id, delay), robust=True)
        else:
            step.status, step.finished_at = StepStatus.FAILED, timezone.now()
            run.status, run.finished_at = RunStatus.FAILED, timezone.now()
            if transient:
                run.message = ngettext(
                    "%(step)s failed after %(attempts)d attempt: %(error)s",
                    "%(step)s failed after %(attempts)d attempts: %(error)s",
                    step.attempts,
                ) % {
                    "step": label, "attempts": step.attempts, "error": message,
                }  # fmt: skip
            else:
                run.message = _("%(step)s failed: %(error)s") % {"step": label, "error": message}
        run.lease_until = None
        step.save(update_fields=["error", "status", "finished_at"])
        run.save(update_fields=["status", "message", "resume_at", "finished_at", "lease_until"])
        return str(run.status)


def _check_conditions(run: WorkflowRun, lease: datetime, conditions: dict[str, Any]) -> str | None:
    """At the start of a run: None to go on, else the status the run ended with."""
    run_id = run.pk
    record = load_record(run.entity, run.record_id)
    if record is None:
        return _finish(run_id, lease, RunStatus.SKIPPED, _("The record was deleted before the run started."))
    result = evaluate(conditions, record, run.entity, run.event)
    if not result.matched:
        return _finish(run_id, lease, RunStatus.SKIPPED, _("The conditions did not match; no action was taken."))
    return None


def execute_run(run_id: int, *, requeue: Requeue | None = None) -> str | None:
    """Run (or resume) ``run_id`` in the current tenant. Returns the status the run was left in, or
    None when it was not this worker's to run. ``requeue(run_id, delay)`` schedules a retry."""
    lease = _claim(run_id)
    if lease is None:
        return None
    try:
        run = WorkflowRun.objects.select_related("rule", "event").get(pk=run_id)
        plan = definition(run)
        if run.next_step == 0 and not WorkflowStepRun.objects.filter(run_id=run_id).exists():
            ended = _check_conditions(run, lease, plan["conditions"])
            if ended is not None:
                return ended
        steps: list[dict[str, Any]] = list(plan["actions"])
        for position in range(run.next_step, len(steps)):
            step_id, lease = _start_step(run_id, lease, position, steps[position])
            try:
                last = position == len(steps) - 1
                status = _perform_step(run_id, lease, step_id, position, steps[position], last=last)
            except _LeaseLost:
                raise
            except Exception as error:
                if not isinstance(error, StepError | DatabaseError):
                    logger.exception("workflow run %s step %s crashed", run_id, position)
                return _step_failed(run_id, lease, step_id, error, requeue)
            if status != RunStatus.RUNNING:
                return status
        return _finish(run_id, lease, RunStatus.SUCCEEDED)
    except _LeaseLost:
        logger.warning("workflow run %s was taken over by another worker", run_id)
        return None
