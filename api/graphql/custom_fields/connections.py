"""Filtering and sorting root record connections by custom fields.

The arguments are the same in every tenant's schema (``customFilter: [CustomFieldFilter!]`` and
``customOrderBy: CustomFieldOrder``), naming fields by key; the tenant's definitions decide what
a key means. The queries come from ``customization.fields.queries``, as for pages and REST, so an
indexed field filters and sorts by its index. A key the tenant does not have, an operator its
type does not support or a value it cannot hold is a BAD_USER_INPUT error naming the key.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import graphene
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from graphene.types.generic import GenericScalar
from graphql import GraphQLError

from api.graphql.core import ConnectionField, enum_value, global_id_to_pk
from api.graphql.custom_fields.catalog import catalog_of
from api.graphql.custom_fields.links import register_page, target_of, target_type
from customization.fields.choices import FieldType
from customization.fields.models import CustomFieldDefinition
from customization.fields.queries import filter_by_custom, sort_expression

CustomFieldOperator = graphene.Enum(
    "CustomFieldOperator",
    [(op.upper(), op) for op in ("eq", "ne", "isnull", "contains", "gt", "gte", "lt", "lte")],
    description=(
        "How a custom field is compared. Text fields: EQ, NE, ISNULL, CONTAINS; numbers, money and dates also "
        "GT, GTE, LT, LTE; yes/no, single select, user and reference fields: EQ, NE, ISNULL; multi select: "
        "EQ (has the option), ISNULL."
    ),
)
CustomFieldOrderDirection = graphene.Enum("CustomFieldOrderDirection", [("ASC", "asc"), ("DESC", "desc")])


class CustomFieldFilter(graphene.InputObjectType):
    """One condition on a custom field of the listed records; several conditions must all hold."""

    key = graphene.String(
        required=True, description="The field's key (snake_case, as defined), not its camelCased name."
    )
    op = graphene.InputField(CustomFieldOperator, required=True)
    value = GenericScalar(
        description=(
            "What to compare with, as the field's type reads it: text, a number (or its digits as a string), "
            "true/false, a date YYYY-MM-DD, an ISO 8601 date-time with offset, an option's value (or its enum "
            "name), a User or record id. For ISNULL: true (no value) or false (has one)."
        )
    )


class CustomFieldOrder(graphene.InputObjectType):
    """Sort by a custom field (empty values last); ``orderBy``, then id, break ties."""

    key = graphene.String(required=True, description="The field's key (snake_case, as defined).")
    direction = graphene.InputField(CustomFieldOrderDirection, default_value="asc")


def bad_input(key: str, message: str) -> GraphQLError:
    return GraphQLError(f"custom.{key}: {message}", extensions={"code": "BAD_USER_INPUT", "field": f"custom.{key}"})


def definition_for(info: Any, entity: str, key: str) -> CustomFieldDefinition:
    definition = catalog_of(info).definition(entity, key)
    if definition is None:
        raise bad_input(key, _("There is no custom field with this key."))
    return definition


def filter_value(definition: CustomFieldDefinition, op: str, value: Any) -> Any:
    """Client forms the parsers do not know: global ids of users and records, enum names of options."""
    if op == "isnull" or not isinstance(value, str):
        return value
    if definition.field_type in (FieldType.USER, FieldType.REFERENCE):
        pk = global_id_to_pk(value, target_type(target_of(definition))._meta.name)
        return value if pk is None else pk
    if definition.field_type in (FieldType.SINGLE_SELECT, FieldType.MULTI_SELECT):
        from api.graphql.custom_fields.types import enum_member_names

        values = definition.option_values
        by_name = dict(zip(enum_member_names(values), values, strict=True))
        return value if value in values else by_name.get(value, value)
    return value


def apply_custom_arguments(
    info: Any, entity: str, queryset: QuerySet[Any], filters: list[Any] | None, order: Any
) -> QuerySet[Any]:
    for condition in filters or ():
        definition = definition_for(info, entity, condition.get("key"))
        op = enum_value(condition.get("op"))
        try:
            queryset = filter_by_custom(queryset, definition, op, filter_value(definition, op, condition.get("value")))
        except ValidationError as error:
            messages = [message for items in error.message_dict.values() for message in items]
            raise bad_input(definition.key, " ".join(messages)) from None
    if order is not None:
        definition = definition_for(info, entity, order.get("key"))
        expression = sort_expression(definition)
        descending = enum_value(order.get("direction")) == "desc"
        primary = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
        queryset = queryset.order_by(primary, *(queryset.query.order_by or ("pk",)))
    return queryset


FILTER_DESCRIPTION = (
    "Conditions on this tenant's custom fields, by key; all must hold. A key the tenant does not have, an "
    "operator the field's type does not support or a value it cannot hold is a BAD_USER_INPUT error whose "
    "extensions.field is custom.<key>."
)
ORDER_DESCRIPTION = "Sort by a custom field first (empty values last); orderBy, then id, break ties."


class CustomFieldsConnectionField(ConnectionField):
    """A root connection of ``entity`` records with ``customFilter`` and ``customOrderBy``; the page
    it returns batches the users and records its custom fields link to."""

    def __init__(self, type_: Any, *args: Any, entity: str, **kwargs: Any) -> None:
        self.entity = entity
        kwargs.setdefault(
            "custom_filter",
            graphene.List(graphene.NonNull(CustomFieldFilter), description=FILTER_DESCRIPTION),
        )
        kwargs.setdefault(
            "custom_order_by",
            graphene.Argument(CustomFieldOrder, description=ORDER_DESCRIPTION),
        )
        super().__init__(type_, *args, **kwargs)

    def wrap_resolve(self, parent_resolver: Any) -> Any:
        # DjangoConnectionField.wrap_resolve, with the resolver's queryset filtered and sorted first.
        resolve_page = partial(
            self.connection_resolver,
            partial(self.filtered, self.resolver or parent_resolver, self.entity),
            self.connection_type,
            self.get_manager(),
            self.get_queryset_resolver(),
            self.max_limit,
            self.enforce_first_or_last,
        )
        return partial(self.registered, resolve_page, self.entity)

    @staticmethod
    def filtered(resolver: Callable[..., Any], entity: str, root: Any, info: Any, **args: Any) -> QuerySet[Any] | None:
        queryset = resolver(root, info, **args)
        filters, order = args.get("custom_filter"), args.get("custom_order_by")
        if queryset is None or (not filters and order is None):
            return queryset
        return apply_custom_arguments(info, entity, queryset, filters, order)

    @staticmethod
    def registered(resolve_page: Callable[..., Any], entity: str, root: Any, info: Any, **args: Any) -> Any:
        connection = resolve_page(root, info, **args)
        register_page(info, entity, [edge.node for edge in connection.edges])
        return connection
