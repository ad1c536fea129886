"""Which rules an event triggers. ``record_created`` ← ``<entity>.created``; ``record_updated`` ←
``<entity>.updated``; ``field_changed`` ← ``<entity>.updated`` whose changes include the field;
``stage_entered`` ← ``deal.stage_changed`` into the configured stage; ``form_submitted`` ←
``form.submitted`` for the configured form; a trigger a module registered with an event type ←
that event (for the configured record, ``registry.WorkflowTrigger``). Date triggers come from the
clock (``dates``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from customization.events.models import DomainEvent
from customization.workflows.choices import Trigger
from customization.workflows.models import WorkflowRule
from customization.workflows.registry import event_triggers, registered_trigger

FORM_SUBMITTED = "form.submitted"
# The triggers an event type can fire, by the part after the entity.
_TRIGGERS_BY_ACTION: dict[str, tuple[str, ...]] = {
    "created": (Trigger.RECORD_CREATED,),
    "updated": (Trigger.RECORD_UPDATED, Trigger.FIELD_CHANGED),
    "stage_changed": (Trigger.STAGE_ENTERED,),
}


def candidate_triggers(event: DomainEvent) -> tuple[str, ...]:
    if event.type == FORM_SUBMITTED:
        return (Trigger.FORM_SUBMITTED,)
    registered = tuple(trigger.key for trigger in event_triggers(str(event.type)))
    if registered:
        return registered
    entity, _dot, action = str(event.type).partition(".")
    if entity != event.entity:
        return ()
    return _TRIGGERS_BY_ACTION.get(action, ())


def _same_id(configured: Any, actual: Any) -> bool:
    try:
        return configured is not None and actual is not None and int(configured) == int(actual)
    except (TypeError, ValueError):
        return False


def matches(rule: WorkflowRule, event: DomainEvent) -> bool:
    """Whether ``event`` fires ``rule`` (entity, trigger and trigger settings)."""
    if rule.entity != event.entity or rule.trigger not in candidate_triggers(event):
        return False
    config: dict[str, Any] = rule.trigger_config or {}
    data: dict[str, Any] = event.data or {}
    if rule.trigger == Trigger.FIELD_CHANGED:
        return any(change.get("field") == config.get("field") for change in data.get("changes", []))
    if rule.trigger == Trigger.STAGE_ENTERED:
        return _same_id(config.get("stage_id"), data.get("to_stage_id"))
    if rule.trigger == Trigger.FORM_SUBMITTED:
        return bool(config.get("form")) and config.get("form") == data.get("form")
    trigger = registered_trigger(rule.trigger)
    if trigger is not None and trigger.matches is not None:
        return trigger.matches(config, data)
    if trigger is not None and trigger.option is not None:
        return _same_id(config.get("id"), data.get("id"))
    return True


def matching_rules(event: DomainEvent, rules: Iterable[WorkflowRule]) -> list[WorkflowRule]:
    return [rule for rule in rules if matches(rule, event)]
