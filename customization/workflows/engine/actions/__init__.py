"""The actions a rule can take, one module each (and those the modules registered:
``registry.register_action``). An action gets its configuration (the rule's
action JSON) and the step context and returns an ``Outcome``; database effects happen in the
caller's transaction (the step's), so they commit together with the step's log entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from customization.workflows.choices import ActionType
from customization.workflows.engine.actions import (
    assign_round_robin,
    create_activity,
    http_request,
    send_email,
    update_field,
    wait,
)
from customization.workflows.engine.actions.base import Outcome
from customization.workflows.engine.context import StepContext
from customization.workflows.engine.errors import StepError
from customization.workflows.registry import registered_action

Action = Callable[[dict[str, Any], StepContext], Outcome]

ACTIONS: dict[str, Action] = {
    ActionType.UPDATE_FIELD: update_field.execute,
    ActionType.CREATE_ACTIVITY: create_activity.execute,
    ActionType.ASSIGN_ROUND_ROBIN: assign_round_robin.execute,
    ActionType.SEND_EMAIL: send_email.execute,
    ActionType.HTTP_REQUEST: http_request.execute,
    ActionType.WAIT: wait.execute,
}


def execute(config: dict[str, Any], context: StepContext) -> Outcome:
    kind = str(config.get("type", ""))
    action = ACTIONS.get(kind)
    if action is None:
        registered = registered_action(kind)
        action = registered.execute if registered is not None else None
    if action is None:
        raise StepError(_("Unknown action %(type)r.") % {"type": config.get("type")})
    return action(config, context)


__all__ = ["ACTIONS", "Outcome", "execute"]
