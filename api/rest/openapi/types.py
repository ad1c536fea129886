"""OpenAPI schemas of custom-field values, built from a tenant's definitions: what a record's
``custom`` object holds and what its ``custom.<key>`` query parameters take."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Literal

from django.utils.translation import gettext as _

from customization.fields.choices import FieldType
from customization.fields.models import CustomFieldDefinition
from customization.fields.types import DECIMAL_PLACES, MAX_INTEGER, MAX_LONG_TEXT, MAX_TEXT, MAX_URL

Direction = Literal["request", "response"]
DECIMAL_PATTERN = rf"^-?\d+(\.\d{{1,{DECIMAL_PLACES}}})?$"
MONEY_PATTERN = r"^-?\d+\.\d{2}$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"


def _options(definition: CustomFieldDefinition) -> dict[str, Any]:
    return {"type": "string", "enum": definition.option_values}


def _money(definition: CustomFieldDefinition) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "amount": {"type": "string", "format": "decimal", "pattern": MONEY_PATTERN},
            "currency": {"type": "string", "pattern": CURRENCY_PATTERN},
        },
        "required": ["amount", "currency"],
        "additionalProperties": False,
    }


def _record_id(definition: CustomFieldDefinition) -> dict[str, Any]:
    target = "user" if definition.field_type == FieldType.USER else definition.reference_entity
    return {"type": "integer", "minimum": 1, "description": _("The id of a %(target)s.") % {"target": target}}


VALUE_SCHEMAS: dict[str, Callable[[CustomFieldDefinition], dict[str, Any]]] = {
    FieldType.TEXT: lambda d: {"type": "string", "maxLength": MAX_TEXT},
    FieldType.LONG_TEXT: lambda d: {"type": "string", "maxLength": MAX_LONG_TEXT},
    FieldType.NUMBER: lambda d: {"type": "integer", "format": "int64", "minimum": -MAX_INTEGER, "maximum": MAX_INTEGER},
    FieldType.DECIMAL: lambda d: {"type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN},
    FieldType.MONEY: _money,
    FieldType.DATE: lambda d: {"type": "string", "format": "date"},
    FieldType.DATETIME: lambda d: {"type": "string", "format": "date-time"},
    FieldType.BOOLEAN: lambda d: {"type": "boolean"},
    FieldType.SINGLE_SELECT: _options,
    FieldType.MULTI_SELECT: lambda d: {"type": "array", "items": _options(d), "uniqueItems": True},
    FieldType.EMAIL: lambda d: {"type": "string", "format": "email"},
    FieldType.PHONE: lambda d: {"type": "string", "maxLength": 40},
    FieldType.URL: lambda d: {"type": "string", "format": "uri", "maxLength": MAX_URL},
    FieldType.USER: _record_id,
    FieldType.REFERENCE: _record_id,
}


def value_schema(definition: CustomFieldDefinition) -> dict[str, Any]:
    """The stored (and canonical input) form of one field's value."""
    return VALUE_SCHEMAS[definition.field_type](definition)


def property_schema(definition: CustomFieldDefinition) -> dict[str, Any]:
    """The field as a property of ``custom``: its value or null (empty; on input, null clears it)."""
    schema = value_schema(definition)
    notes = [text for text in (schema.pop("description", ""), definition.help_text) if text]
    if definition.required:
        notes.append(_("Required: a record cannot be created or saved without it."))
    if definition.is_unique:
        notes.append(_("Unique: no two records share a value."))
    if schema.get("enum"):
        schema["enum"] = [*schema["enum"], None]
    schema.update({"title": definition.display_label, "nullable": True})
    if notes:
        schema["description"] = " ".join(notes)
    return schema


def custom_object_schema(definitions: Iterable[CustomFieldDefinition], direction: Direction) -> dict[str, Any]:
    """``custom``: one property per active field. A response carries every key (null when empty);
    a request may carry any of them (an update changes only those given)."""
    definitions = list(definitions)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {definition.key: property_schema(definition) for definition in definitions},
        "additionalProperties": False,
    }
    if direction == "response" and definitions:
        schema["required"] = [definition.key for definition in definitions]
    return schema


def filter_schema(definition: CustomFieldDefinition, op: str) -> dict[str, Any]:
    """What ``custom.<key>.<op>`` takes as its value."""
    if op == "isnull":
        return {"type": "boolean"}
    if op == "contains":
        return {"type": "string"}
    if definition.field_type == FieldType.MULTI_SELECT:
        return _options(definition)
    if definition.field_type == FieldType.MONEY:
        return {"type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN}
    return value_schema(definition)
