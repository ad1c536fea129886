"""The workflows' event consumer: for each event, the active rules it triggers get a run (once per
rule and event, however often the event is offered). The runs of a batch of events are started
with one INSERT and, once the dispatcher commits, run in the dispatcher's own task (the first
``RUNS_PER_TASK``; more are shared out in tasks), so an event takes effect in one task."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from customization.events.models import DomainEvent
from customization.workflows.choices import RunStatus, Trigger
from customization.workflows.engine.matching import matching_rules
from customization.workflows.engine.runs import RunRequest, queue_runs, start_runs
from customization.workflows.models import WorkflowRule, WorkflowRun

CONSUMER_NAME = "workflows"


def start_workflow_runs(events: Sequence[DomainEvent]) -> list[WorkflowRun]:
    """Create the runs ``events`` trigger; returns the new ones (skipped ones included)."""
    entities = {event.entity for event in events}
    rules_by_entity: dict[str, list[WorkflowRule]] = defaultdict(list)
    for rule in (
        WorkflowRule.objects.filter(is_active=True, entity__in=entities)
        .exclude(trigger=Trigger.DATE_REACHED)
        .order_by("id")
    ):
        rules_by_entity[rule.entity].append(rule)
    if not rules_by_entity:
        return []
    requests = [
        RunRequest(rule, str(event.event_id), event.record_id, event, event.depth)
        for event in events
        for rule in matching_rules(event, rules_by_entity.get(event.entity, ()))
    ]
    created = start_runs(requests)
    queue_runs((run.pk for run in created if run.status == RunStatus.PENDING), run_first_here=True)
    return created


def consume(events: Sequence[DomainEvent]) -> None:
    start_workflow_runs(events)
