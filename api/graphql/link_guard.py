"""Every link between records in the GraphQL schema obeys ``modules.record_access``.

``guard_links`` walks a built schema and wraps the resolver of every field (outside the root
types) whose type is a record type, a list of them or a connection of them: a record the caller
may not see resolves to null (left out of a list), and a link to a module the caller may not use
is not resolved at all, so nothing is loaded for it. Root fields keep their own answers
(MODULE_NOT_IN_PLAN, PERMISSION_DENIED, INSUFFICIENT_SCOPE).

The guard works from the schema, not from the resolvers, so a link added later is covered
whether its resolver was prefetched, batched (``api.graphql.batching``) or reads the attribute.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model
from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    default_field_resolver,
    get_named_type,
)

from api.entities.links import api_access
from modules.record_access import module_of

GUARDED = "_relata_link_guard"


def record_model(named: GraphQLNamedType | None) -> type[Model] | None:
    """The model of a record type of a module (None for users, tags, timeline entries, plain objects)."""
    graphene_type = getattr(named, "graphene_type", None)
    meta = getattr(graphene_type, "_meta", None)
    model = getattr(meta, "model", None)
    if model is None:  # a connection: its nodes' model
        node = getattr(meta, "node", None)
        model = getattr(getattr(node, "_meta", None), "model", None)
    if isinstance(model, type) and issubclass(model, Model) and module_of(model) is not None:
        return model
    return None


def is_connection(named: GraphQLNamedType | None) -> bool:
    meta = getattr(getattr(named, "graphene_type", None), "_meta", None)
    return getattr(meta, "node", None) is not None


def is_list(field: GraphQLField) -> bool:
    field_type = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    return isinstance(field_type, GraphQLList)


def guarded(resolve: Callable[..., Any], model: type[Model], *, many: bool, connection: bool) -> Callable[..., Any]:
    def resolve_link(root: Any, info: Any, **args: Any) -> Any:
        access = api_access(info.context)
        if not access.may_use(model):
            return [] if many else None
        value = resolve(root, info, **args)
        if connection or value is None:
            return value  # a connection's rows come through its node type's get_queryset
        if many:
            return [item for item in value if access.shown(item) is not None]
        return access.shown(value)

    setattr(resolve_link, GUARDED, True)
    return resolve_link


def link_fields(schema: GraphQLSchema) -> list[tuple[GraphQLObjectType, str, GraphQLField, type[Model]]]:
    """Every field outside the root types whose type is a record type, a list or a connection of them."""
    roots = {schema.query_type, schema.mutation_type, schema.subscription_type}
    found = []
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named in roots or named.name.startswith("__"):
            continue
        for name, field in named.fields.items():
            model = record_model(get_named_type(field.type))
            if model is not None:
                found.append((named, name, field, model))
    return found


def guard_links(schema: GraphQLSchema) -> GraphQLSchema:
    """Wrap every link field's resolver of ``schema`` with the record access rule (once)."""
    for _owner, _name, field, model in link_fields(schema):
        resolve = field.resolve or default_field_resolver
        if getattr(resolve, GUARDED, False):
            continue
        named = get_named_type(field.type)
        field.resolve = guarded(resolve, model, many=is_list(field), connection=is_connection(named))
    return schema
