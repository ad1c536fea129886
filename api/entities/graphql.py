"""The GraphQL side of the entity descriptions: the record types' ``fields``, the root connections'
filter arguments and ``orderBy`` enums, and applying them to a queryset."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any

import graphene
from django.db import models
from django.db.models import F, QuerySet
from django.utils import timezone
from graphene.utils.str_converters import to_camel_case
from graphql import GraphQLError

from api.entities.base import EntityDescription, Filter, FilterKind
from api.graphql.core import enum_value, id_argument, ordering_enum
from core.input_bounds import moment_problem

_ENUMS: dict[type[models.TextChoices], type[graphene.Enum]] = {}


def choice_enum(choices: type[models.TextChoices], description: str = "") -> type[graphene.Enum]:
    """The one GraphQL enum of a TextChoices (named like it), shared by fields and filter arguments."""
    enum = _ENUMS.get(choices)
    if enum is None:
        members = [(member.name, member.value) for member in choices]
        enum = graphene.Enum(choices.__name__, members, description=description)
        _ENUMS[choices] = enum
    return enum


def type_fields(description: EntityDescription) -> tuple[str, ...]:
    """A DjangoObjectType's ``Meta.fields``: the described fields (``id`` comes from Node)."""
    return tuple(name for name in description.field_names if name != "id")


def describe_fields(graphene_type: Any, description: EntityDescription) -> None:
    """Give the type's fields the descriptions of the entity's (where the type has none)."""
    for name, field in graphene_type._meta.fields.items():
        described = description.described_field(name)
        text = described.description if described is not None else ""
        if text and isinstance(field, graphene.Field) and not field.description:
            field.description = text


def _argument(spec: Filter) -> Any:
    arguments: dict[FilterKind, Any] = {
        FilterKind.SEARCH: graphene.String,
        FilterKind.TEXT: graphene.String,
        FilterKind.RELATION: graphene.ID,
        FilterKind.NUMBER_ID: graphene.Int,
        FilterKind.DATETIME: graphene.DateTime,
        FilterKind.DATE: graphene.Date,
        FilterKind.BOOLEAN: graphene.Boolean,
    }
    if spec.kind == FilterKind.CHOICE and spec.choices is not None:
        return graphene.Argument(choice_enum(spec.choices), description=spec.description or None)
    return arguments[spec.kind](description=spec.description or None)


@cache
def order_by_enum(description: EntityDescription) -> type[graphene.Enum]:
    """``<Type>OrderBy``: ``NAME`` / ``NAME_DESC`` … per described ordering."""
    fields = {ordering.name.upper(): ordering.column for ordering in description.orderings}
    return ordering_enum(f"{description.graphql_type}OrderBy", fields)


def connection_arguments(description: EntityDescription) -> dict[str, Any]:
    """The root connection's arguments: one per described filter, and ``orderBy``."""
    arguments = {spec.name: _argument(spec) for spec in description.filters}
    arguments["order_by"] = graphene.Argument(order_by_enum(description), description="Id order when not given.")
    return arguments


def _value(spec: Filter, value: Any) -> Any:
    if spec.kind == FilterKind.RELATION:
        return id_argument(value, spec.target, to_camel_case(spec.name))
    if spec.kind == FilterKind.NUMBER_ID and not 0 < value <= 2**63 - 1:
        argument = to_camel_case(spec.name)
        raise GraphQLError(f"{argument}: not an id.", extensions={"code": "BAD_USER_INPUT", "field": argument})
    if isinstance(value, date) and (problem := moment_problem(value)):  # see core.input_bounds
        argument = to_camel_case(spec.name)
        raise GraphQLError(f"{argument}: {problem}", extensions={"code": "BAD_USER_INPUT", "field": argument})
    if spec.kind == FilterKind.DATETIME and isinstance(value, datetime) and timezone.is_naive(value):
        return timezone.make_aware(value)
    return enum_value(value)


def filter_records(description: EntityDescription, queryset: QuerySet[Any], args: dict[str, Any]) -> QuerySet[Any]:
    """``queryset`` narrowed by the filter arguments given and sorted by ``orderBy`` (ties and
    default by id; empty values last, as REST sorts)."""
    for spec in description.filters:
        value = args.get(spec.name)
        if value is None or (isinstance(value, str) and not value.strip() and spec.kind != FilterKind.RELATION):
            continue
        queryset = spec.apply(queryset, _value(spec, value))
    order = enum_value(args.get("order_by"))
    if not order:
        return queryset.order_by("id")
    column = F(order.lstrip("-"))
    if order.startswith("-"):
        return queryset.order_by(column.desc(nulls_last=True), "-id")
    return queryset.order_by(column.asc(nulls_last=True), "id")
