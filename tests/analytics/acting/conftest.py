"""Helpers for starting workflows on analysis results: rules started on a selection, a report group
of deals, and running what the batches started in-process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from customization.workflows.choices import RunStatus
from customization.workflows.engine.runner import execute_run
from customization.workflows.models import SelectionRun, WorkflowRule, WorkflowRun
from customization.workflows.selections import start_next_batch
from customization.workflows.services import create_rule, set_rule_active
from identity.models import User
from modules.analytics.reports.execution import run_report
from modules.analytics.reports.presentation import shown_rows
from modules.analytics.reports.selectors import access_for, checked
from tests.tenancy import TenantFixture

SUBJECT = "Call about the analysis"


def selection_rule(by: User | None, *, entity: str = "company", name: str = "Call at-risk customers") -> WorkflowRule:
    """An active rule started on a selection that plans a call on each record."""
    rule = create_rule(
        by=by, name=name, entity=entity, trigger="selection", trigger_config={}, conditions=None,
        actions=[{"type": "create_activity", "kind": "call", "subject": SUBJECT, "due_in": {"days": 1, "hours": 0},
                  "assignee": "record_owner"}],
    )  # fmt: skip
    return set_rule_active(rule, True, by=by)


def report_cells(alpha: TenantFixture, email: str | None, source_key: str, definition: dict[str, Any]):
    """(labels, count, cell token) of each group of the report, run for ``email``."""
    with alpha.active():
        user = alpha.user(email) if email else alpha.user()
        source, _fields, spec = checked(source_key, definition, access_for(user))
        result = run_report(source, spec, user)
        return [
            (shown.labels, raw.values[0], shown.cell)
            for raw, shown in zip(result.rows, shown_rows(result), strict=True)
        ]


def finish(selection: SelectionRun) -> None:
    """Start every batch and run every run, in-process."""
    while start_next_batch(selection.pk):
        pass
    for run_id in WorkflowRun.objects.filter(status=RunStatus.PENDING).values_list("pk", flat=True):
        execute_run(run_id)


@pytest.fixture
def committed_alpha(django_db_setup: None, request: pytest.FixtureRequest) -> Iterator[Any]:
    from tests.customization.events.conftest import committed_tenant

    yield from committed_tenant(request, "alpha")
