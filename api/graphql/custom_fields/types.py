"""The per-tenant graphene types of custom fields: ``<Entity>CustomFields`` (what a record holds),
``<Entity>CustomFieldsInput`` (what a mutation may set) and one enum per select field.

Field names are the camelCased keys, descriptions the help text. Values are read from the
record's ``custom`` column in their stored form (``customization.fields.types``) and typed here;
a stored value the definition no longer allows (an option since removed) reads as null.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import graphene
from graphql import IntValueNode, Undefined

from api.graphql.custom_fields.catalog import Catalog, pascal_case
from api.graphql.custom_fields.links import loader_for, stored_id, target_of, target_type
from customization.fields.choices import Entity, FieldType
from customization.fields.models import CustomFieldDefinition

TEXT_TYPES = frozenset({FieldType.TEXT, FieldType.LONG_TEXT, FieldType.EMAIL, FieldType.PHONE, FieldType.URL})


class SafeInt(graphene.Scalar):
    """A whole number between -(2^53 - 1) and 2^53 - 1, the range JavaScript reads exactly."""

    @staticmethod
    def serialize(value: Any) -> int:
        return int(value)

    @staticmethod
    def parse_value(value: Any) -> Any:
        # Fractions are refused rather than truncated; the field's validator checks the range.
        if isinstance(value, bool) or not isinstance(value, int):
            return Undefined
        return value

    @staticmethod
    def parse_literal(node: Any, _variables: Any = None) -> Any:
        return int(node.value) if isinstance(node, IntValueNode) else Undefined


class Money(graphene.ObjectType):
    """An amount in a currency."""

    amount = graphene.Decimal(required=True, description="Two decimal places.")
    currency = graphene.String(required=True, description="ISO 4217 code, e.g. EUR.")


class MoneyInput(graphene.InputObjectType):
    amount = graphene.Decimal(required=True, description="At most two decimal places.")
    currency = graphene.String(description="ISO 4217 code; the field's default currency when left out.")


@dataclass(frozen=True)
class EntityTypes:
    """The graphene types one entity's custom fields are exposed with in one tenant schema."""

    output: type[graphene.ObjectType]
    input: type[graphene.InputObjectType]
    enums: tuple[type[graphene.Enum], ...]


def type_prefix(entity: str) -> str:
    return Entity(entity).name.title()  # "company" → "Company"


def enum_member_names(values: list[str]) -> list[str]:
    """GraphQL enum names for option values: upper-case words joined by ``_``, unique."""
    taken: set[str] = set()
    names: list[str] = []
    for value in values:
        base = re.sub(r"[^0-9A-Za-z]+", "_", value).strip("_").upper() or "OPTION"
        if base[0].isdigit():
            base = f"OPTION_{base}"
        name, number = base, 2
        while name in taken:
            name, number = f"{base}_{number}", number + 1
        taken.add(name)
        names.append(name)
    return names


def option_enum(definition: CustomFieldDefinition, name: str) -> type[graphene.Enum]:
    values = definition.option_values
    labels = {value: definition.option_label(value) for value in values}
    type_description = definition.help_text or f"The options of {definition.label}."

    def describe(member: Any) -> str | None:
        return type_description if member is None else labels.get(member.value)

    members = list(zip(enum_member_names(values), values, strict=True))
    return graphene.Enum(name, members, description=describe)  # type: ignore[arg-type]


# --- Reading stored values ---------------------------------------------------------------------


def _stored(root: Any, key: str) -> Any:
    return (getattr(root, "custom", None) or {}).get(key)


def _converter(definition: CustomFieldDefinition) -> Callable[[Any], Any]:
    field_type = definition.field_type
    if field_type in TEXT_TYPES:
        return lambda value: value if isinstance(value, str) else None
    if field_type == FieldType.NUMBER:
        return lambda value: int(value) if isinstance(value, int | str) and not isinstance(value, bool) else None
    if field_type == FieldType.DECIMAL:
        return lambda value: Decimal(str(value))
    if field_type == FieldType.MONEY:
        return lambda value: Money(amount=Decimal(str(value["amount"])), currency=str(value["currency"]))
    if field_type == FieldType.DATE:
        return lambda value: date.fromisoformat(value)
    if field_type == FieldType.DATETIME:
        return lambda value: datetime.fromisoformat(value)
    if field_type == FieldType.BOOLEAN:
        return lambda value: value if isinstance(value, bool) else None
    allowed = set(definition.option_values)
    if field_type == FieldType.SINGLE_SELECT:
        return lambda value: value if value in allowed else None
    if field_type == FieldType.MULTI_SELECT:
        return lambda value: [item for item in value if item in allowed] if isinstance(value, list) else None
    raise LookupError(f"no GraphQL reading for {field_type}")


def value_resolver(definition: CustomFieldDefinition) -> Callable[..., Any]:
    key = definition.key
    if definition.field_type in (FieldType.USER, FieldType.REFERENCE):
        target = target_of(definition)

        def resolve_link(root: Any, info: Any) -> Any:
            pk = stored_id(root, key)
            return None if pk is None else loader_for(info).load(info, target, pk)

        return resolve_link
    convert = _converter(definition)

    def resolve(root: Any, info: Any) -> Any:
        value = _stored(root, key)
        if value is None:
            return None
        try:
            return convert(value)
        except (TypeError, ValueError, KeyError, InvalidOperation):
            return None  # a value stored before the definition changed; the field reads as empty

    return resolve


# --- Building the types ------------------------------------------------------------------------

SCALARS: dict[str, tuple[type[graphene.Scalar], str]] = {
    FieldType.TEXT: (graphene.String, ""),
    FieldType.LONG_TEXT: (graphene.String, ""),
    FieldType.EMAIL: (graphene.String, "An e-mail address."),
    FieldType.PHONE: (graphene.String, "A phone number."),
    FieldType.URL: (graphene.String, "An http(s) URL."),
    FieldType.NUMBER: (SafeInt, ""),
    FieldType.DECIMAL: (graphene.Decimal, "A decimal number (as a string)."),
    FieldType.DATE: (graphene.Date, ""),
    FieldType.DATETIME: (graphene.DateTime, "With a time zone; read back in UTC."),
    FieldType.BOOLEAN: (graphene.Boolean, ""),
}


def _description(definition: CustomFieldDefinition, extra: str = "") -> str:
    parts = [definition.help_text or definition.label, extra]
    return " ".join(part for part in parts if part)


def _value_types(definition: CustomFieldDefinition, enum: type[graphene.Enum] | None) -> tuple[Any, Any, str]:
    """(output type, input type, note for the description) of one definition."""
    field_type = definition.field_type
    if field_type in SCALARS:
        scalar, note = SCALARS[field_type]
        return scalar, scalar, note
    if field_type == FieldType.SINGLE_SELECT:
        return enum, enum, ""
    if field_type == FieldType.MULTI_SELECT:
        return graphene.List(graphene.NonNull(enum)), graphene.List(graphene.NonNull(enum)), ""
    if field_type == FieldType.MONEY:
        return Money, MoneyInput, ""
    if field_type == FieldType.USER:
        return target_type(target_of(definition)), graphene.ID, "A User id when set; null when not set."
    target = target_type(target_of(definition))
    note = f"A {target._meta.name} id when set; reads as null when not set or not one you can see."
    return target, graphene.ID, note


def entity_types(entity: str, catalog: Catalog) -> EntityTypes | None:
    """The types of ``entity``'s custom fields in a schema built from ``catalog`` (None: no fields)."""
    definitions = catalog.definitions(entity)
    if not definitions:
        return None
    prefix = type_prefix(entity)
    output_fields: dict[str, Any] = {}
    input_fields: dict[str, Any] = {}
    enums: list[type[graphene.Enum]] = []
    for definition in definitions:
        name = catalog.name(definition)
        enum = None
        if definition.field_type in (FieldType.SINGLE_SELECT, FieldType.MULTI_SELECT):
            enum = option_enum(definition, f"{prefix}Custom{pascal_case(name)}Option")
            enums.append(enum)
        output_type, input_type, note = _value_types(definition, enum)
        description = _description(definition, note)
        output_fields[definition.key] = graphene.Field(
            output_type, name=name, description=description, resolver=value_resolver(definition)
        )
        required = " Required when creating." if definition.required else ""
        input_fields[definition.key] = graphene.InputField(
            input_type, name=name, description=f"{description} Null clears it.{required}"
        )
    output = type(
        f"{prefix}CustomFields",
        (graphene.ObjectType,),
        {"__doc__": f"This tenant's own fields of a {prefix.lower()}.", **output_fields},
    )
    input_type = type(
        f"{prefix}CustomFieldsInput",
        (graphene.InputObjectType,),
        {
            "__doc__": f"Values of this tenant's own {prefix.lower()} fields; fields left out keep theirs.",
            **input_fields,
        },
    )
    return EntityTypes(output, input_type, tuple(enums))
