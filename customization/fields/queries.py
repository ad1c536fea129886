"""Filtering and sorting records by custom fields. Pages, REST and GraphQL all build their
queries here, and the expressions match the per-tenant indexes (``indexes.index_sql``) so an
indexed field filters and sorts by index."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.expressions import Expression
from django.utils.translation import gettext as _

from core.input_bounds import value_problem
from customization.fields.choices import NUMERIC_TYPES, FieldType
from customization.fields.models import KEY_PATTERN, CustomFieldDefinition
from customization.fields.types import InvalidValue, is_empty, parse_decimal, parse_value

# Operators a filter may use, by what the type supports.
EQUALITY = ("eq", "ne", "isnull")
ORDERED = ("gt", "gte", "lt", "lte")
TEXT_SEARCH = ("contains",)


class _CustomText(Func):
    """``custom ->> 'key'`` (money: ``(custom -> 'key') ->> 'amount'``), written out exactly as the
    index in ``indexes.index_expression`` so the planner matches them. Keys are validated
    (``^[a-z][a-z0-9_]*$``), so inlining them is safe."""

    output_field = models.TextField()

    def __init__(self, key: str, *, money: bool = False) -> None:
        if not re.fullmatch(KEY_PATTERN, key):
            raise ValueError(f"not a custom field key: {key!r}")
        path = f"(%(expressions)s -> '{key}') ->> 'amount'" if money else f"%(expressions)s ->> '{key}'"
        super().__init__(F("custom"), template=f"({path})")


class _Numeric(Func):
    template = "((%(expressions)s)::numeric)"
    output_field = models.DecimalField()


def sort_expression(definition: CustomFieldDefinition) -> Expression:
    """``custom ->> key`` (numeric types cast to numeric; money by its amount)."""
    text = _CustomText(definition.key, money=definition.field_type == FieldType.MONEY)
    if definition.field_type in NUMERIC_TYPES:
        return _Numeric(text)
    return text


def operators_for(definition: CustomFieldDefinition) -> tuple[str, ...]:
    field_type = definition.field_type
    if field_type == FieldType.MULTI_SELECT:
        return ("eq", "isnull")  # eq: has this option
    if field_type in (FieldType.BOOLEAN, FieldType.SINGLE_SELECT, FieldType.USER, FieldType.REFERENCE):
        return EQUALITY
    if field_type in (FieldType.TEXT, FieldType.LONG_TEXT, FieldType.EMAIL, FieldType.PHONE, FieldType.URL):
        return EQUALITY + TEXT_SEARCH
    return EQUALITY + ORDERED


def _comparable(definition: CustomFieldDefinition, value: Any) -> Any:
    if definition.field_type == FieldType.MONEY:
        return value["amount"]
    if definition.field_type in NUMERIC_TYPES:
        return str(value)
    if definition.field_type in (FieldType.USER, FieldType.REFERENCE):
        return str(value)
    if definition.field_type == FieldType.BOOLEAN:
        return "true" if value else "false"
    return value


def custom_filter(definition: CustomFieldDefinition, op: str, raw: Any, *, param: str | None = None) -> Q:
    """A ``Q`` for ``custom.<key> <op> raw``; raw is parsed by the field's own parser, so a bad
    value is a ``ValidationError`` naming ``param`` (default ``custom.<key>``)."""
    name = param or f"custom.{definition.key}"
    if op not in operators_for(definition):
        raise ValidationError(
            {name: [_("This field can be filtered with: %(ops)s.") % {"ops": ", ".join(operators_for(definition))}]}
        )
    lookup_path = f"custom__{definition.key}"
    if op == "isnull":
        try:
            flag = parse_value(_BOOLEAN, raw)
        except InvalidValue as error:
            raise ValidationError({name: [str(error)]}) from None
        has_value = Q(**{"custom__has_key": definition.key}) & ~Q(**{lookup_path: None})
        return ~has_value if flag else has_value
    if op == "contains":
        if not isinstance(raw, str) or not raw.strip():
            raise ValidationError({name: [_("Enter text to search for.")]})
        return Q(**{f"{lookup_path}__icontains": raw.strip()})
    currency = None
    try:
        if definition.field_type == FieldType.MONEY and not isinstance(raw, dict):
            # A filter compares amounts; a currency is only matched when one is given.
            value = {"amount": parse_decimal(raw)} if not is_empty(raw) else None
        else:
            value = parse_value(definition, raw)
            if definition.field_type == FieldType.MONEY and value is not None:
                currency = value["currency"]
    except InvalidValue as error:
        raise ValidationError({name: [str(error)]}) from None
    if value is None:
        raise ValidationError({name: [_("Enter a value to filter by.")]})
    if currency is not None:
        return custom_filter(definition, op, value["amount"], param=param) & Q(**{f"{lookup_path}__currency": currency})
    if definition.field_type == FieldType.MULTI_SELECT:
        return Q(**{f"{lookup_path}__contains": value})
    annotation = f"_cf_{definition.key}"
    comparable = _comparable(definition, value)
    if op == "eq":
        return Q(**{annotation: comparable})
    if op == "ne":
        return ~Q(**{annotation: comparable}) | Q(**{f"{annotation}__isnull": True})
    return Q(**{f"{annotation}__{op}": comparable})


def position_of(value: Any, pk: int) -> list[Any]:
    """A keyset position as it goes into a cursor: ``[value as text or None, id]``."""
    return [None if value is None else str(value), pk]


def read_position(definition: CustomFieldDefinition, position: Any) -> tuple[Any, int] | None:
    """A position that came back in a cursor, typed for comparison with ``sort_expression`` (numbers
    as ``Decimal``); None when it is not one ``position_of`` makes."""
    if not isinstance(position, list) or len(position) != 2:
        return None
    value, pk = position
    if not isinstance(pk, int) or not (value is None or isinstance(value, str)):
        return None
    if value_problem([value, pk]):  # a value the database cannot compare (core.input_bounds)
        return None
    if value is not None and definition.field_type in NUMERIC_TYPES:
        try:
            return Decimal(value), pk
        except InvalidOperation:
            return None
    return value, pk


def after_position(alias: str, value: Any, pk: int, *, descending: bool) -> Q:
    """Rows after ``(value, pk)`` when sorted by the annotation ``alias`` (ascending or descending,
    empty values last) and then by id: the keyset condition of every custom-sorted page."""
    beyond = "lt" if descending else "gt"
    tie = Q(**{f"pk__{beyond}": pk})
    empty = Q(**{f"{alias}__isnull": True})
    if value is None:  # inside the empty values, which come last
        return empty & tie
    return Q(**{f"{alias}__{beyond}": value}) | (Q(**{alias: value}) & tie) | empty


def filter_by_custom(
    queryset: models.QuerySet[Any], definition: CustomFieldDefinition, op: str, raw: Any, *, param: str | None = None
) -> models.QuerySet[Any]:
    condition = custom_filter(definition, op, raw, param=param)
    filtered: models.QuerySet[Any] = queryset.alias(**{f"_cf_{definition.key}": sort_expression(definition)})
    return filtered.filter(condition)


def order_by_custom(
    queryset: models.QuerySet[Any], definition: CustomFieldDefinition, *, descending: bool = False
) -> models.QuerySet[Any]:
    """Sorted by the field (empty values last), then by id for a stable order."""
    expression = sort_expression(definition)
    ordered = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return queryset.order_by(ordered, "-pk" if descending else "pk")


class _BooleanDefinition:
    field_type = FieldType.BOOLEAN


_BOOLEAN: Any = _BooleanDefinition()
