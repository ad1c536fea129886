"""Settings → Workflows pages; what they share: the guard, what the builder needs to offer, and
links to the records runs touched."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from customization.fields.choices import Entity
from customization.fields.entities import NAME_FIELDS, entity_model
from customization.workflows.choices import action_choices, trigger_choices
from customization.workflows.definition_values import (
    EMAIL_RECIPIENTS,
    HTTP_METHODS,
    MAX_ACTIONS,
    MAX_GROUP_DEPTH,
    OPERATORS,
    VALUELESS,
)
from customization.workflows.models import EmailTemplate
from customization.workflows.record_fields import FieldInfo, field_catalog
from customization.workflows.registry import (
    activity_planner,
    builder_options,
    registered_actions,
    registered_triggers,
)
from identity.models import Team, User

PERMISSION = "settings.manage_workflows"

OPERATOR_LABELS: dict[str, str] = {
    "eq": "=",
    "ne": "≠",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
}


def _choices(values: Iterable[tuple[Any, Any]]) -> list[dict[str, str]]:
    return [{"value": str(value), "label": str(label)} for value, label in values]


def operator_labels() -> dict[str, str]:
    return {
        **OPERATOR_LABELS,
        "contains": _("contains"),
        "in": _("is one of"),
        "is_empty": _("is empty"),
        "is_not_empty": _("is not empty"),
        "changed": _("changed"),
    }


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


def action_label(action_type: str) -> str:
    return str(dict(action_choices()).get(action_type, action_type))


def _field_dict(info: FieldInfo) -> dict[str, Any]:
    return {**info.as_dict(), "label": capfirst(info.label)}


def _event_triggers() -> dict[str, dict[str, Any]]:
    """The modules' triggers that take a record: its label and the records to choose among."""
    return {
        trigger.key: {
            "label": str(trigger.option_label or trigger.label),
            "options": _choices(trigger.option()),
            "entities": list(trigger.entities),
        }
        for trigger in registered_triggers()
        if trigger.option is not None
    }


def _registered_actions() -> dict[str, dict[str, Any]]:
    """The modules' actions: the record types they apply to and the records to choose among."""
    return {
        action.key: {
            "label": str(action.option_label or action.label),
            "options": _choices(action.option()) if action.option is not None else None,
            "entities": list(action.entities),
        }
        for action in registered_actions()
    }


def builder_config() -> dict[str, Any]:
    """Everything the builder script offers: fields per record type, operators per kind, stages
    by pipeline, teams, users, templates and the option lists of each action; the modules' lists
    (pipelines and their stages) come from the workflow registry."""
    return {
        **builder_options(),
        "catalogs": {entity: [_field_dict(info) for info in field_catalog(entity)] for entity in Entity.values},
        "operators": {kind: list(ops) for kind, ops in OPERATORS.items()},
        "operatorLabels": operator_labels(),
        "valueless": sorted(VALUELESS),
        "teams": _choices(Team.objects.order_by("name").values_list("pk", "name")),
        "users": _choices(
            (user.pk, user.full_name or user.email) for user in User.objects.filter(is_active=True).order_by("email")
        ),
        "templates": _choices(EmailTemplate.objects.order_by("name").values_list("pk", "name")),
        "activityKinds": _choices(activity_planner().kinds()),
        "actionTypes": _choices(action_choices()),
        "registeredActions": _registered_actions(),
        "triggers": _choices(trigger_choices()),
        "eventTriggers": _event_triggers(),
        "recipients": list(EMAIL_RECIPIENTS),
        "methods": list(HTTP_METHODS),
        "labels": {
            "commaSeparated": _("values, comma-separated"),
            "booleans": [{"value": "true", "label": _("Yes")}, {"value": "false", "label": _("No")}],
        },
        "maxActions": MAX_ACTIONS,
        "maxDepth": MAX_GROUP_DEPTH,
    }


def record_names(entity: str, ids: Iterable[int]) -> dict[int, str]:
    """Names of the records with ``ids`` (one query); deleted records are missing."""
    wanted = {int(pk) for pk in ids}
    if not wanted:
        return {}
    rows = entity_model(entity)._default_manager.filter(pk__in=wanted).values_list("pk", NAME_FIELDS[entity])
    return {pk: name or f"#{pk}" for pk, name in rows}
