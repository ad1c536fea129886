"""Validation of a rule's definition: its trigger settings, conditions and actions for an entity.

``clean_definition`` checks the three JSON documents (shapes in ``models``' docstring) against the
entity's field catalogue and the tenant's stages, teams, users and e-mail templates, and returns
them normalised (ids as integers, values in their stored form). Everything wrong is reported at
once, in a ``ValidationError`` keyed by the path of the offending part: ``trigger_config.stage_id``,
``conditions.conditions[0].field``, ``actions[2].subject``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from customization.fields.choices import Entity
from customization.fields.types import InvalidValue, is_empty, parse_record_id
from customization.workflows.choices import Trigger, trigger_choices
from customization.workflows.definition_actions import clean_actions
from customization.workflows.definition_values import (
    CHANGE_TRIGGERS,
    DATE_KINDS,
    MAX_CONDITIONS,
    MAX_GROUP_DEPTH,
    MAX_LIST_VALUES,
    MAX_OFFSET_DAYS,
    VALUELESS,
    Context,
    Errors,
    choice_value,
    compare_as,
    empty_conditions,
    int_in,
    operators_for_kind,
)
from customization.workflows.record_fields import FieldInfo, Kind, field_catalog
from customization.workflows.registry import registered_trigger


def clean_definition(
    *, entity: str, trigger: str, trigger_config: Any, conditions: Any, actions: Any
) -> dict[str, Any]:
    """The definition normalised, or a ``ValidationError`` naming every wrong part."""
    errors = Errors()
    if entity not in Entity.values:
        errors.add("entity", _("Choose a record type."))
        errors.raise_any()
    if trigger not in dict(trigger_choices()):
        errors.add("trigger", _("Choose a trigger."))
    context = Context(entity, trigger, {info.path: info for info in field_catalog(entity)}, errors)
    cleaned = {
        "entity": entity,
        "trigger": trigger,
        "trigger_config": _trigger_config(context, trigger_config),
        "conditions": _group(context, conditions, "conditions", depth=1) if conditions else empty_conditions(),
        "actions": clean_actions(context, actions),
    }
    errors.raise_any()
    return cleaned


def _trigger_config(context: Context, raw: Any) -> dict[str, Any]:
    errors, trigger = context.errors, context.trigger
    config = raw if isinstance(raw, dict) else {}
    if raw not in (None, "") and not isinstance(raw, dict):
        errors.add("trigger_config", _("The trigger settings are not readable."))
    if trigger == Trigger.FIELD_CHANGED:
        info = context.field("trigger_config.field", config.get("field"))
        return {"field": info.path} if info else {}
    if trigger == Trigger.DATE_REACHED:
        info = context.field("trigger_config.field", config.get("field"))
        if info is not None and info.kind not in DATE_KINDS:
            errors.add("trigger_config.field", _("Choose a date field."))
        offset = int_in(
            errors, "trigger_config.offset_days", config.get("offset_days", 0), -MAX_OFFSET_DAYS, MAX_OFFSET_DAYS
        )
        return {"field": info.path if info else None, "offset_days": offset}
    if trigger == Trigger.STAGE_ENTERED:
        if context.entity != Entity.DEAL:
            errors.add("trigger", _("Only deals enter stages."))
            return {}
        stage_id = config.get("stage_id")
        stage = context.fields.get("stage")
        try:
            pk = parse_record_id(stage_id)
        except InvalidValue:
            pk = None
        if pk is None or stage is None or str(pk) not in dict(stage.choices):
            errors.add("trigger_config.stage_id", _("Choose a stage of a pipeline."))
            return {}
        return {"stage_id": pk}
    if trigger == Trigger.FORM_SUBMITTED:
        form = config.get("form")
        if not isinstance(form, str) or not form.strip() or len(form) > 100:
            errors.add("trigger_config.form", _("Give the key of the form."))
            return {}
        return {"form": form.strip()}
    return _registered_trigger_config(context, config)


def _registered_trigger_config(context: Context, config: dict[str, Any]) -> dict[str, Any]:
    """A module's trigger: allowed for the rule's record type, and its record chosen among those
    the module offers."""
    registered = registered_trigger(context.trigger)
    if registered is None:
        return {}
    if registered.entities and context.entity not in registered.entities:
        context.errors.add("trigger", _("This trigger does not apply to this record type."))
        return {}
    if registered.option is None:
        return {}
    try:
        pk = parse_record_id(config.get("id"))
    except InvalidValue:
        pk = None
    if pk is None or str(pk) not in {str(value) for value, _label in registered.option()}:
        context.errors.add("trigger_config.id", _("Choose one of the listed records."))
        return {}
    return {"id": pk}


# --- Conditions ---------------------------------------------------------------------------------


def _group(context: Context, raw: Any, path: str, *, depth: int) -> dict[str, Any]:
    errors = context.errors
    if not isinstance(raw, dict) or not isinstance(raw.get("conditions", []), list):
        errors.add(path, _("A group needs a match mode and a list of conditions."))
        return empty_conditions()
    if depth > MAX_GROUP_DEPTH:
        errors.add(path, _("Groups can be nested at most %(depth)d levels deep.") % {"depth": MAX_GROUP_DEPTH})
        return empty_conditions()
    match = raw.get("match", "all")
    if match not in ("all", "any"):
        errors.add(f"{path}.match", _("Match all or any of the conditions."))
    items = raw.get("conditions", [])
    if len(items) > MAX_CONDITIONS:
        errors.add(f"{path}.conditions", _("Use at most %(count)d conditions.") % {"count": MAX_CONDITIONS})
        items = []
    cleaned = []
    for index, item in enumerate(items):
        item_path = f"{path}.conditions[{index}]"
        if isinstance(item, dict) and "conditions" in item:
            cleaned.append(_group(context, item, item_path, depth=depth + 1))
        else:
            cleaned.append(_comparison(context, item, item_path))
    return {"match": match, "conditions": cleaned}


def _comparison(context: Context, raw: Any, path: str) -> dict[str, Any]:
    errors = context.errors
    if not isinstance(raw, dict):
        errors.add(path, _("A condition needs a field, an operator and a value."))
        return {}
    info = context.field(f"{path}.field", raw.get("field"))
    op = raw.get("op")
    cleaned: dict[str, Any] = {"field": raw.get("field"), "op": op}
    if info is None:
        return cleaned
    if op not in operators_for_kind(info.kind):
        errors.add(f"{path}.op", _("Choose an operator this field supports."))
        return cleaned
    if op == "changed" and context.trigger not in CHANGE_TRIGGERS:
        errors.add(f"{path}.op", _("“Changed” only applies to the update triggers."))
    if op in VALUELESS:
        return cleaned
    value = raw.get("value")
    if op == "in":
        values = [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value
        if not isinstance(values, list) or not values or len(values) > MAX_LIST_VALUES:
            errors.add(f"{path}.value", _("Give from 1 to %(count)d values.") % {"count": MAX_LIST_VALUES})
            return cleaned
        cleaned["value"] = [_compared_value(context, info, item, f"{path}.value") for item in values]
    else:
        cleaned["value"] = _compared_value(context, info, value, f"{path}.value")
    return cleaned


def _compared_value(context: Context, info: FieldInfo, raw: Any, path: str) -> Any:
    """A value to compare ``info``'s field with, in its stored form (money: the amount)."""
    try:
        if is_empty(raw):
            raise InvalidValue(_("Enter a value."))
        if info.kind in (Kind.CHOICE, Kind.MULTI_CHOICE):
            return choice_value(info, raw)
        return compare_as(info.kind)(raw)
    except InvalidValue as error:
        context.errors.add(path, str(error))
        return raw
