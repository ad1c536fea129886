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

import json
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
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


def definition(run: WorkflowRun, versions: dict[tuple[int, int], Any] | None = None) -> dict[str, Any]:
    """The conditions and actions of the rule version the run was started with (``versions``: the
    frozen definitions by rule and version, read for a batch of runs at once)."""
    rule = run.rule
    if versions is None:
        versions = _versions([run])
    frozen = versions.get((run.rule_id, run.version))
    frozen = frozen if isinstance(frozen, dict) else {}
    return {
        "conditions": frozen.get("conditions", rule.conditions),
        "actions": frozen.get("actions", rule.actions) or [],
    }


def _versions(runs: list[WorkflowRun]) -> dict[tuple[int, int], Any]:
    wanted = Q()
    for run in runs:
        wanted |= Q(rule_id=run.rule_id, version=run.version)
    rows = WorkflowRuleVersion.objects.filter(wanted).values_list("rule_id", "version", "definition")
    return {(rule_id, version): frozen for rule_id, version, frozen in rows}


def _claim(run_ids: list[int]) -> tuple[list[int], datetime]:
    """Take the runs that are due for this worker (two queries however many): not finished, not
    waiting for later, not held by another worker's lease; skipped when another worker has one
    locked. Returns their ids in order and the lease they share."""
    with transaction.atomic():
        now = timezone.now()
        claimed = list(
            WorkflowRun.objects.select_for_update(skip_locked=True)
            .filter(pk__in=run_ids, dry_run=False)
            .exclude(status__in=TERMINAL)
            .exclude(status=RunStatus.WAITING, resume_at__gt=now)
            .exclude(status=RunStatus.RUNNING, lease_until__gt=now)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        lease = now + timedelta(seconds=lease_seconds())
        if claimed:
            WorkflowRun.objects.filter(pk__in=claimed).update(
                status=RunStatus.RUNNING, lease_until=lease, resume_at=None, attempts=F("attempts") + 1
            )
        return claimed, lease


def _hold(run_id: int, lease: datetime) -> None:
    """Lock the run for the step's transaction, if this worker's lease still holds it."""
    held = (
        WorkflowRun.objects.select_for_update()
        .filter(pk=run_id, status=RunStatus.RUNNING, lease_until=lease)
        .values_list("pk", flat=True)
        .first()
    )
    if held is None:
        raise _LeaseLost


def _locked(run_id: int, lease: datetime) -> WorkflowRun:
    run = WorkflowRun.objects.select_for_update(of=("self",)).select_related("rule", "event").get(pk=run_id)
    if run.lease_until != lease or run.status != RunStatus.RUNNING:
        raise _LeaseLost
    return run


def _finish(run_id: int, lease: datetime, status: str, message: str = "") -> str:
    """End the run, if this worker's lease still holds it (one UPDATE)."""
    ended = WorkflowRun.objects.filter(pk=run_id, status=RunStatus.RUNNING, lease_until=lease).update(
        status=status, message=message, finished_at=timezone.now(), lease_until=None
    )
    if not ended:
        raise _LeaseLost
    return status


_START_STEP_SQL = """
WITH renewed AS (
    UPDATE {runs} SET lease_until = %s WHERE id = %s AND status = %s AND lease_until = %s RETURNING id
)
INSERT INTO {steps} AS step
    (run_id, position, action_type, status, input, output, error, attempts, started_at)
SELECT renewed.id, %s, %s, %s, %s::jsonb, '{{}}'::jsonb, '', 1, %s FROM renewed
ON CONFLICT (run_id, position) DO UPDATE SET attempts = step.attempts + 1, status = EXCLUDED.status
RETURNING step.id
"""


def _start_step(run_id: int, lease: datetime, position: int, config: dict[str, Any]) -> tuple[int, datetime]:
    """Count an attempt at the step (committed before the action runs) and renew the lease, in one
    statement: the step's row is created on the first attempt, counted up on the next ones."""
    now = timezone.now()
    renewed = now + timedelta(seconds=lease_seconds())
    sql = _START_STEP_SQL.format(runs=WorkflowRun._meta.db_table, steps=WorkflowStepRun._meta.db_table)
    params: list[Any] = [
        renewed, run_id, RunStatus.RUNNING, lease,
        position, str(config.get("type", ""))[:30], StepStatus.RUNNING, json.dumps(config, cls=DjangoJSONEncoder), now,
    ]  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise _LeaseLost
    return int(row[0]), renewed


def _deliver_after_commit(step_id: int, send: Callable[[], None]) -> None:
    try:
        send()
    except Exception as error:
        logger.exception("workflow step %s: delivery after commit failed", step_id)
        WorkflowStepRun.objects.filter(pk=step_id).update(error=f"Delivery failed: {type(error).__name__}: {error}")


def _perform_step(
    run: WorkflowRun, lease: datetime, step_id: int, position: int, config: dict[str, Any], *, last: bool
) -> str:
    """Run the action and record its result in one transaction (the last step also finishes the
    run in it); returns the run's status."""
    with transaction.atomic():
        _hold(run.pk, lease)
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
        changes: dict[str, Any] = {"next_step": position + 1}
        status = RunStatus.RUNNING
        if outcome.resume_at is not None:
            status = RunStatus.WAITING
            changes.update(status=status, resume_at=outcome.resume_at, lease_until=None)
        elif last:
            status = RunStatus.SUCCEEDED
            changes.update(status=status, finished_at=timezone.now(), lease_until=None)
        WorkflowRun.objects.filter(pk=run.pk).update(**changes)
        run.next_step = position + 1
        if outcome.after_commit is not None:
            transaction.on_commit(partial(_deliver_after_commit, step_id, outcome.after_commit))
        return str(status)


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


def _run_claimed(
    run: WorkflowRun, lease: datetime, plan: dict[str, Any], started: bool, requeue: Requeue | None
) -> str:
    """The steps of a claimed run from where it stands; ``started``: it has a step log already."""
    run_id = run.pk
    if run.next_step == 0 and not started:
        ended = _check_conditions(run, lease, plan["conditions"])
        if ended is not None:
            return ended
    steps: list[dict[str, Any]] = list(plan["actions"])
    for position in range(run.next_step, len(steps)):
        step_id, lease = _start_step(run_id, lease, position, steps[position])
        try:
            last = position == len(steps) - 1
            status = _perform_step(run, lease, step_id, position, steps[position], last=last)
        except _LeaseLost:
            raise
        except Exception as error:
            if not isinstance(error, StepError | DatabaseError):
                logger.exception("workflow run %s step %s crashed", run_id, position)
            return _step_failed(run_id, lease, step_id, error, requeue)
        if status != RunStatus.RUNNING:
            return status
    return _finish(run_id, lease, RunStatus.SUCCEEDED)


def execute_runs(run_ids: Sequence[int], *, requeue: Requeue | None = None) -> dict[int, str]:
    """Run (or resume) the runs of ``run_ids`` that are due, in the current tenant, one after the
    other. The claim, the runs, their rule versions and which have started are read once for all;
    each run then costs its steps' queries. Returns the status each run this worker ran was left
    in (a run that was not this worker's to run is left out). ``requeue(run_id, delay)`` schedules
    a retry."""
    claimed, lease = _claim(sorted(set(run_ids)))
    if not claimed:
        return {}
    runs = list(WorkflowRun.objects.select_related("rule", "event").filter(pk__in=claimed).order_by("pk"))
    versions = _versions(runs)
    started = set(
        WorkflowStepRun.objects.filter(run_id__in=claimed).order_by().values_list("run_id", flat=True).distinct()
    )
    statuses: dict[int, str] = {}
    for run in runs:
        try:
            statuses[run.pk] = _run_claimed(run, lease, definition(run, versions), run.pk in started, requeue)
        except _LeaseLost:
            logger.warning("workflow run %s was taken over by another worker", run.pk)
    return statuses


def execute_run(run_id: int, *, requeue: Requeue | None = None) -> str | None:
    """Run (or resume) ``run_id`` in the current tenant. Returns the status the run was left in, or
    None when it was not this worker's to run."""
    return execute_runs([run_id], requeue=requeue).get(run_id)
