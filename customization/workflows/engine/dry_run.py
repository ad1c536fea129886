"""Trying a rule on a record without consequences: the conditions are evaluated and every action
runs inside a transaction that is rolled back at the end (so validation is real), while e-mails
and HTTP calls are only described. Nothing persists: no record change, event, activity or run."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction

from customization.events.outbox import caused_by
from customization.fields.entities import entity_of
from customization.workflows.choices import StepStatus
from customization.workflows.engine import actions
from customization.workflows.engine.conditions import ConditionResult, evaluate
from customization.workflows.engine.context import StepContext, json_value
from customization.workflows.engine.errors import StepError
from customization.workflows.models import WorkflowRule

logger = logging.getLogger(__name__)

DRY_RUN_KEY = "dry-run"


@dataclass(frozen=True)
class DryRunStep:
    position: int
    action_type: str
    input: dict[str, Any]
    output: dict[str, Any]
    status: str
    error: str = ""


@dataclass(frozen=True)
class DryRunResult:
    """What the rule would do to the record now. ``matched`` and ``conditions`` (per-condition
    detail) say whether it would run at all; ``steps`` show each action's input and outcome
    (evaluated even when the conditions fail, so the whole rule can be checked)."""

    matched: bool
    conditions: dict[str, Any]
    steps: list[DryRunStep] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rollback(Exception):
    pass


def _step(config: dict[str, Any], context: StepContext) -> DryRunStep:
    action_type = str(config.get("type", ""))
    try:
        with transaction.atomic():
            outcome = actions.execute(config, context)
    except (StepError, ValidationError, DatabaseError) as error:
        return DryRunStep(context.position, action_type, config, {}, StepStatus.FAILED, str(error))
    return DryRunStep(context.position, action_type, config, json_value(outcome.output), StepStatus.SIMULATED)


def dry_run(rule: WorkflowRule, record: models.Model, *, by: Any = None) -> DryRunResult:
    """Simulate ``rule`` on ``record`` as it is now (``by``: who asked; only for the log)."""
    entity = entity_of(record)
    if entity != rule.entity:
        return DryRunResult(False, {}, errors=[f"The rule is for {rule.entity} records, not {entity}."])
    logger.info("dry run of workflow rule %s on %s %s by %s", rule.pk, entity, record.pk, getattr(by, "pk", None))
    result: DryRunResult | None = None
    try:
        with transaction.atomic():
            fresh = type(record)._default_manager.get(pk=record.pk)
            verdict: ConditionResult = evaluate(rule.conditions, fresh, entity, None)
            steps: list[DryRunStep] = []
            with caused_by(run_id=0, depth=1):
                for position, config in enumerate(rule.actions or []):
                    context = StepContext(
                        rule=rule, record=fresh, entity=entity, event=None, position=position,
                        step_key=f"{DRY_RUN_KEY}-{position}", dry_run=True,
                    )  # fmt: skip
                    steps.append(_step(dict(config), context))
            errors = [f"Step {step.position + 1}: {step.error}" for step in steps if step.error]
            result = DryRunResult(verdict.matched, verdict.detail, steps, errors)
            raise _Rollback
    except _Rollback:
        pass
    if result is None:  # the block always sets it before rolling back
        raise RuntimeError("dry run produced no result")
    return result
