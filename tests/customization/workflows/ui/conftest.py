"""Rule builder fixtures: a valid "deal enters Proposal → follow-up task" definition in alpha,
rules made through the service, and runs written directly (the engine writes them in real life)."""

from __future__ import annotations

from typing import Any

import pytest

from customization.workflows.choices import RunStatus
from customization.workflows.models import WorkflowRule, WorkflowRun
from customization.workflows.services import create_rule
from modules.sales.models import Deal, Stage
from modules.sales.services.pipelines import default_pipeline
from tests.factories import DealFactory
from tests.tenancy import TenantFixture


def proposal_stage() -> Stage:
    pipeline = default_pipeline()
    assert pipeline is not None
    return Stage.objects.get(pipeline=pipeline, name="Proposal")


def follow_up_definition(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments of ``create_rule`` for a valid rule (call inside a tenant context)."""
    definition: dict[str, Any] = {
        "name": "Proposal follow-up",
        "entity": "deal",
        "trigger": "stage_entered",
        "trigger_config": {"stage_id": proposal_stage().pk},
        "conditions": {"match": "all", "conditions": [{"field": "amount", "op": "gte", "value": "500"}]},
        "actions": [
            {
                "type": "create_activity",
                "kind": "task",
                "subject": "Follow up on the proposal",
                "due_in": {"days": 2, "hours": 0},
                "assignee": "record_owner",
            }
        ],
    }
    return {**definition, **overrides}


def make_rule(**overrides: Any) -> WorkflowRule:
    return create_rule(by=None, **follow_up_definition(**overrides))


def make_runs(rule: WorkflowRule, count: int) -> list[WorkflowRun]:
    """``count`` finished runs of ``rule``, each on a deal of its own."""
    deals: list[Deal] = [DealFactory() for _ in range(count)]
    return [
        WorkflowRun.objects.create(
            rule=rule,
            version=rule.version,
            trigger_key=f"test:{deal.pk}",
            entity="deal",
            record_id=deal.pk,
            status=RunStatus.SUCCEEDED,
            message="",
        )
        for deal in deals
    ]


@pytest.fixture
def rule(alpha: TenantFixture) -> WorkflowRule:
    with alpha.active():
        return make_rule()
