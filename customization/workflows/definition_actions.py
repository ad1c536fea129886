"""Validation of a rule's actions (shapes in ``models``' docstring): each action type's settings
checked against the field catalogue, activity kinds, users, teams and e-mail templates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from customization.fields.models import CustomFieldDefinition
from customization.fields.types import InvalidValue, is_empty, parse_record_id, parse_value
from customization.fields.validation import definitions_for
from customization.workflows.choices import ActionType
from customization.workflows.definition_values import (
    EMAIL_RECIPIENTS,
    HTTP_METHODS,
    MAX_ACTIONS,
    MAX_DUE_DAYS,
    MAX_HEADERS,
    MAX_SUBJECT,
    MAX_WAIT_HOURS,
    RECORD_OWNER,
    Context,
    active_user,
    choice_value,
    compare_as,
    int_in,
)
from customization.workflows.record_fields import Kind
from customization.workflows.registry import WorkflowAction, activity_planner, registered_action
from identity.models import Team


def clean_actions(context: Context, raw: Any) -> list[dict[str, Any]]:
    errors = context.errors
    if not isinstance(raw, list) or not raw:
        errors.add("actions", _("Add at least one action."))
        return []
    if len(raw) > MAX_ACTIONS:
        errors.add("actions", _("A rule runs at most %(count)d actions.") % {"count": MAX_ACTIONS})
        return []
    cleaned = []
    for index, action in enumerate(raw):
        path = f"actions[{index}]"
        kind = action.get("type") if isinstance(action, dict) else None
        registered = registered_action(kind) if isinstance(kind, str) else None
        if not isinstance(action, dict) or (kind not in ActionType.values and registered is None):
            errors.add(f"{path}.type", _("Choose what the action does."))
            cleaned.append({"type": kind})
            continue
        if registered is not None:
            cleaned.append({"type": kind, **_registered(context, registered, action, path)})
            continue
        cleaned.append({"type": kind, **ACTION_CLEANERS[str(kind)](context, action, path)})
    return cleaned


def _registered(context: Context, registered: WorkflowAction, action: dict[str, Any], path: str) -> dict[str, Any]:
    """A module's action: allowed for the rule's record type, its record chosen among those the
    module offers, its other settings checked by the module."""
    errors = context.errors
    if registered.entities and context.entity not in registered.entities:
        errors.add(f"{path}.type", _("This action does not apply to this record type."))
        return {}
    settings = {key: value for key, value in action.items() if key != "type"}
    cleaned: dict[str, Any] = {}
    if registered.option is not None:
        try:
            pk = parse_record_id(settings.get("id"))
        except InvalidValue:
            pk = None
        if pk is None or str(pk) not in {str(value) for value, _label in registered.option()}:
            errors.add(f"{path}.id", _("Choose one of the listed records."))
            return {"id": settings.get("id")}
        cleaned["id"] = pk
    if registered.clean is not None:
        try:
            cleaned.update(registered.clean({**settings, **cleaned}))
        except ValidationError as error:
            for name, messages in getattr(error, "message_dict", {"": error.messages}).items():
                for message in messages:
                    errors.add(f"{path}.{name}" if name else path, message)
    return cleaned


def _update_field(context: Context, action: dict[str, Any], path: str) -> dict[str, Any]:
    info = context.field(f"{path}.field", action.get("field"))
    if info is None:
        return {"field": action.get("field"), "value": action.get("value")}
    if not info.settable:
        context.errors.add(f"{path}.field", _("A workflow cannot set this field."))
    raw = action.get("value")
    if is_empty(raw):
        return {"field": info.path, "value": None}
    try:
        if info.is_custom:
            value = parse_value(_custom_definition(context.entity, info.path), raw)
        elif info.kind == Kind.CHOICE:
            value = choice_value(info, raw)
        else:
            value = compare_as(info.kind)(raw)
    except InvalidValue as error:
        context.errors.add(f"{path}.value", str(error))
        value = raw
    return {"field": info.path, "value": value}


def _custom_definition(entity: str, path: str) -> CustomFieldDefinition:
    key = path.removeprefix("custom.")
    return next(definition for definition in definitions_for(entity) if definition.key == key)


def _create_activity(context: Context, action: dict[str, Any], path: str) -> dict[str, Any]:
    errors = context.errors
    planner = activity_planner()
    kind = action.get("kind", planner.default_kind)
    if kind not in dict(planner.kinds()):
        errors.add(f"{path}.kind", _("Choose a type of activity."))
    subject = action.get("subject")
    if not isinstance(subject, str) or not subject.strip():
        errors.add(f"{path}.subject", _("Enter a subject."))
    elif len(subject.strip()) > MAX_SUBJECT:
        errors.add(f"{path}.subject", _("Enter at most %(limit)d characters.") % {"limit": MAX_SUBJECT})
    due_in = action.get("due_in") or {}
    if not isinstance(due_in, dict):
        errors.add(f"{path}.due_in", _("Give the days and hours until it is due."))
        due_in = {}
    days = int_in(errors, f"{path}.due_in.days", due_in.get("days") or 0, 0, MAX_DUE_DAYS)
    hours = int_in(errors, f"{path}.due_in.hours", due_in.get("hours") or 0, 0, 23)
    assignee: Any = action.get("assignee") or RECORD_OWNER
    if assignee != RECORD_OWNER:
        try:
            assignee = active_user(assignee)
        except InvalidValue as error:
            errors.add(f"{path}.assignee", str(error))
    return {
        "kind": kind,
        "subject": subject.strip() if isinstance(subject, str) else subject,
        "due_in": {"days": days, "hours": hours},
        "assignee": assignee,
    }


def _assign_round_robin(context: Context, action: dict[str, Any], path: str) -> dict[str, Any]:
    try:
        team = Team.objects.get(pk=parse_record_id(action.get("team_id")))
    except (InvalidValue, Team.DoesNotExist):
        context.errors.add(f"{path}.team_id", _("Choose a team."))
        return {"team_id": action.get("team_id")}
    if not team.members.filter(is_active=True).exists():
        context.errors.add(f"{path}.team_id", _("%(team)s has no active members.") % {"team": team.name})
    return {"team_id": team.pk}


def _send_email(context: Context, action: dict[str, Any], path: str) -> dict[str, Any]:
    from customization.workflows.models import EmailTemplate

    errors = context.errors
    template_id = action.get("template_id")
    try:
        template_id = EmailTemplate.objects.get(pk=parse_record_id(template_id)).pk
    except (InvalidValue, EmailTemplate.DoesNotExist):
        errors.add(f"{path}.template_id", _("Choose an e-mail template."))
    to = action.get("to") or "record"
    if to not in EMAIL_RECIPIENTS:
        try:
            validate_email(to)
        except ValidationError:
            errors.add(f"{path}.to", _("Send to the record, its owner or a valid e-mail address."))
    return {"template_id": template_id, "to": to}


def _http_request(context: Context, action: dict[str, Any], path: str) -> dict[str, Any]:
    errors = context.errors
    url = action.get("url")
    parts = urlsplit(url.strip()) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or len(url or "") > 2000:
        errors.add(f"{path}.url", _("Enter a URL starting with http:// or https://."))
    method = str(action.get("method") or "POST").upper()
    if method not in HTTP_METHODS:
        errors.add(f"{path}.method", _("Choose one of: %(methods)s.") % {"methods": ", ".join(HTTP_METHODS)})
    headers = action.get("headers") or {}
    if (
        not isinstance(headers, dict)
        or len(headers) > MAX_HEADERS
        or not all(isinstance(k, str) and k.strip() and isinstance(v, str) for k, v in headers.items())
    ):
        message = _("Give at most %(count)d headers as names and text values.")
        errors.add(f"{path}.headers", message % {"count": MAX_HEADERS})
        headers = {}
    return {"url": url.strip() if isinstance(url, str) else url, "method": method, "headers": headers}


def _wait(context: Context, action: dict[str, Any], path: str) -> dict[str, Any]:
    unit = "days" if action.get("days") not in (None, "") else "hours"
    limit = MAX_WAIT_HOURS // 24 if unit == "days" else MAX_WAIT_HOURS
    amount = int_in(context.errors, f"{path}.{unit}", action.get(unit), 1, limit)
    return {unit: amount}


ACTION_CLEANERS: dict[str, Callable[[Context, dict[str, Any], str], dict[str, Any]]] = {
    ActionType.UPDATE_FIELD: _update_field,
    ActionType.CREATE_ACTIVITY: _create_activity,
    ActionType.ASSIGN_ROUND_ROBIN: _assign_round_robin,
    ActionType.SEND_EMAIL: _send_email,
    ActionType.HTTP_REQUEST: _http_request,
    ActionType.WAIT: _wait,
}
