"""The one validator of custom-field values. Forms, REST, GraphQL, imports and workflow actions
all hand their raw values to ``clean_custom_values`` (through the record services), so a value
is accepted or refused the same way everywhere. Errors are keyed ``custom.<key>``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from customization.fields.choices import FieldType
from customization.fields.entities import entity_model
from customization.fields.models import CustomFieldDefinition
from customization.fields.types import InvalidValue, parse_value


def error_key(key: str) -> str:
    return f"custom.{key}"


def definitions_for(entity: str, *, include_archived: bool = False) -> list[CustomFieldDefinition]:
    queryset = CustomFieldDefinition.objects.filter(entity=entity)
    if not include_archived:
        queryset = queryset.filter(archived_at__isnull=True)
    return list(queryset.order_by("position", "id"))


def _check_references(definition: CustomFieldDefinition, value: int) -> str | None:
    if definition.field_type == FieldType.USER:
        if not get_user_model().objects.filter(pk=value, is_active=True).exists():
            return _("No active user has the id %(id)s.") % {"id": value}
    elif definition.field_type == FieldType.REFERENCE:
        model = entity_model(definition.reference_entity)
        if not model._default_manager.filter(pk=value).exists():
            return _("No %(entity)s has the id %(id)s.") % {"entity": definition.reference_entity, "id": value}
    return None


def _check_unique(definition: CustomFieldDefinition, value: Any, instance_pk: int | None) -> str | None:
    model = entity_model(definition.entity)
    clash = model._default_manager.filter(**{f"custom__{definition.key}": value})
    if instance_pk is not None:
        clash = clash.exclude(pk=instance_pk)
    if clash.exists():
        return _("Another record already has this value.")
    return None


def clean_custom_values(
    entity: str,
    values: Mapping[str, Any] | None,
    *,
    current: Mapping[str, Any] | None = None,
    instance_pk: int | None = None,
    definitions: Iterable[CustomFieldDefinition] | None = None,
) -> dict[str, Any]:
    """The record's new ``custom`` dict after applying ``values`` (raw, keyed by field key) to
    ``current`` (None: a new record, so defaults apply and every required field is checked).
    An empty value clears the field. Raises ``ValidationError`` keyed ``custom.<key>``."""
    if values is not None and not isinstance(values, Mapping):
        raise ValidationError({"custom": [_("Give custom fields as an object of key: value.")]})
    values = values or {}
    creating = current is None
    every = list(definitions) if definitions is not None else definitions_for(entity, include_archived=True)
    by_key = {definition.key: definition for definition in every}
    errors: dict[str, list[str | ValidationError]] = {}
    result: dict[str, Any] = dict(current or {})

    for key, raw in values.items():
        definition = by_key.get(key)
        if definition is None:
            errors[error_key(str(key))] = [_("There is no custom field with this key.")]
            continue
        if definition.is_archived:
            errors[error_key(key)] = [_("This field is archived and cannot be set.")]
            continue
        try:
            parsed = parse_value(definition, raw)
        except InvalidValue as error:
            errors[error_key(key)] = [str(error)]
            continue
        if parsed is None:
            result.pop(key, None)
        else:
            result[key] = parsed

    active = [definition for definition in every if not definition.is_archived]
    if creating:
        for definition in active:
            if definition.key not in values and definition.default is not None:
                try:
                    default = parse_value(definition, definition.default)
                except InvalidValue:
                    default = None  # a default made stale by an option change is not the user's fault
                if default is not None:
                    result[definition.key] = default
    for definition in active:
        key = definition.key
        if error_key(key) in errors:
            continue
        if definition.required and result.get(key) is None and (creating or key in values):
            errors[error_key(key)] = [ValidationError(_("This field is required."), code="required")]
            continue
        if key not in values or result.get(key) is None:
            continue
        problem = None
        if definition.field_type in (FieldType.USER, FieldType.REFERENCE):
            problem = _check_references(definition, result[key])
        if problem is None and definition.is_unique:
            problem = _check_unique(definition, result[key], instance_pk)
        if problem:
            errors[error_key(key)] = [problem]
    if errors:
        raise ValidationError(errors)
    return result
