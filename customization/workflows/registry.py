"""What workflows need of the modules, registered by the modules themselves.

Workflows run on records that modules own: they read and set a record's fields, move a deal to a
stage, plan an activity, and the builder offers the modules' options (pipelines and their stages,
kinds of activity). This package never imports a module for that (an import-linter contract keeps
it so); each module registers what it brings from its ``AppConfig.ready()``:

* a ``WorkflowEntity`` per record type: the standard fields a rule may use, the record's update
  service, fields whose choices are records (a deal's stage), fields set by a service of their own
  (moving a deal to a stage) and how an activity planned on the record links to it;
* the ``ActivityPlanner``: the service that plans an activity and the kinds it takes;
* builder options: named lists the rule builder shows (``pipelines``, ``activityKinds``);
* triggers of their own: either fired by one of the module's outbox events (a contact enters a
  segment, a survey is answered), optionally set to one of the module's records (which segment,
  which survey), or fired by no event, so that a person starts the rule on records they chose
  (analytics registers "started on a selection": a report's group, customers at risk, an RFM
  segment);
* actions of their own (``WorkflowAction``): what the action does to the rule's record, how its
  settings are checked, and optionally one of the module's records the rule chooses (which list a
  contact is added to).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models

Choices = tuple[tuple[str, str], ...]
# ``setter(record, raw, values, by=user)``: set the field from its raw value together with the other
# standard ``values`` of the same step; returns the record as it now is.
Setter = Callable[..., models.Model]


@dataclass(frozen=True)
class WorkflowEntity:
    """One record type as workflows see it."""

    entity: str
    # The standard fields a rule can test and set, in the builder's order; ``False``: read only.
    fields: tuple[tuple[str, bool], ...]
    # ``update(record, *, by, **values)``: the record's own update service.
    update: Callable[..., Any]
    # Fields offered as a choice among records (a deal's stage and pipeline), read when a rule is built.
    choices: Mapping[str, Callable[[], Choices]] = field(default_factory=dict)
    # Fields that a service of their own sets (a deal's stage moves the deal: required fields, history).
    setters: Mapping[str, Setter] = field(default_factory=dict)
    # The links of an activity planned on the record (None: the record itself, by its entity).
    activity_links: Callable[[models.Model], dict[str, models.Model]] | None = None


@dataclass(frozen=True)
class ActivityPlanner:
    """How the "create an activity" action plans one."""

    # ``create(*, by, kind, subject, due_at, assignee, company=…, contact=…, lead=…, deal=…)``
    create: Callable[..., models.Model]
    kinds: Callable[[], Choices]
    default_kind: str


@dataclass(frozen=True)
class WorkflowTrigger:
    """A trigger a module adds besides the built-in event and date triggers.

    With ``event``, the module's outbox events of that type fire rules of the event's entity that
    use the trigger. With ``option``, a rule picks one of the module's records (stored as
    ``{"id": <pk>}`` in its trigger settings) and fires only for events whose data carries that
    ``"id"``; ``matches(config, data)`` replaces that test when the module needs another. Without
    ``event``, no event fires the trigger: rules with it run when someone starts them on chosen
    records (``selections``)."""

    key: str  # at most 20 characters (the rule's column)
    label: Any  # a lazily translated string
    event: str | None = None
    # The record types whose rules may use the trigger (empty: any).
    entities: tuple[str, ...] = ()
    # ``(pk, name)`` pairs of the records a rule chooses among, read when a rule is built or saved.
    option: Callable[[], Choices] | None = None
    option_label: Any = None
    matches: Callable[[Mapping[str, Any], Mapping[str, Any]], bool] | None = None


@dataclass(frozen=True)
class WorkflowAction:
    """An action a module adds besides the built-in ones (``choices.ActionType``).

    A rule stores it as ``{"type": key, ...settings}``. With ``option``, the settings are
    ``{"id": <pk>}``: one of the module's records, chosen in the builder among ``option()``'s
    pairs and checked on save. ``clean(settings)`` checks other settings: it returns them
    normalised or raises a ``ValidationError`` keyed by setting name (reported as
    ``actions[i].<name>``). ``execute(settings, step_context)`` does the work in the step's
    transaction and returns an ``engine.actions.base.Outcome``."""

    key: str
    label: Any  # a lazily translated string
    execute: Callable[..., Any]
    # The record types whose rules may use the action (empty: any).
    entities: tuple[str, ...] = ()
    option: Callable[[], Choices] | None = None
    option_label: Any = None
    clean: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None


_ENTITIES: dict[str, WorkflowEntity] = {}
_TRIGGERS: dict[str, WorkflowTrigger] = {}
_PLANNER: list[ActivityPlanner] = []
_BUILDER_OPTIONS: dict[str, Callable[[], Any]] = {}
_ACTIONS: dict[str, WorkflowAction] = {}


def register_entity(entity: WorkflowEntity) -> None:
    _ENTITIES[entity.entity] = entity


def workflow_entity(entity: str) -> WorkflowEntity:
    """The registered record type; ``LookupError`` for one no module registered."""
    try:
        return _ENTITIES[entity]
    except KeyError:
        raise LookupError(f"unknown entity {entity!r}") from None


def register_activity_planner(planner: ActivityPlanner) -> None:
    _PLANNER[:] = [planner]


def activity_planner() -> ActivityPlanner:
    if not _PLANNER:
        raise LookupError("no module registered an activity planner")
    return _PLANNER[0]


def register_builder_option(key: str, options: Callable[[], Any]) -> None:
    """A list the rule builder offers under ``key`` (read when the builder page renders)."""
    _BUILDER_OPTIONS[key] = options


def builder_options() -> dict[str, Any]:
    return {key: options() for key, options in _BUILDER_OPTIONS.items()}


def register_trigger(trigger: WorkflowTrigger) -> None:
    if len(trigger.key) > 20:
        raise ValueError(f"trigger key {trigger.key!r} is longer than 20 characters")
    _TRIGGERS[trigger.key] = trigger


def registered_trigger(key: str) -> WorkflowTrigger | None:
    return _TRIGGERS.get(key)


def event_triggers(event_type: str) -> tuple[WorkflowTrigger, ...]:
    """The registered triggers that events of ``event_type`` fire."""
    return tuple(trigger for trigger in _TRIGGERS.values() if trigger.event == event_type)


def registered_triggers() -> tuple[WorkflowTrigger, ...]:
    return tuple(_TRIGGERS.values())


def selection_trigger_keys() -> frozenset[str]:
    """The triggers of rules that are started on chosen records rather than by events."""
    return frozenset(key for key, trigger in _TRIGGERS.items() if trigger.event is None)


def register_action(action: WorkflowAction) -> None:
    from customization.workflows.choices import ActionType

    if action.key in ActionType.values:
        raise ValueError(f"action key {action.key!r} is a built-in action")
    if not action.key or len(action.key) > 30:
        raise ValueError(f"action key {action.key!r} must have 1 to 30 characters (the step log's column)")
    _ACTIONS[action.key] = action


def registered_action(key: str) -> WorkflowAction | None:
    return _ACTIONS.get(key)


def registered_actions() -> tuple[WorkflowAction, ...]:
    return tuple(_ACTIONS.values())
