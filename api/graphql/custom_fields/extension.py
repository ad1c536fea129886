"""A tenant schema as the base schema plus its custom field types, without rebuilding the rest.

graphene builds a schema by walking every graphene class (~100 ms of CPU for Relata's ~700 types).
A tenant schema differs from the base one only in the record types and inputs that gain ``custom``
and in the types that refer to them, directly or through others (the roots, connections, payloads):
those are copied from the base schema's built types with their references pointing to the copies,
every other type (enums, scalars, inputs without such a record input, objects that reach no record
type with fields) is the base schema's own object, and graphene builds only the custom field types
themselves, against a type map that already holds everything else by name. Resolvers, arguments,
descriptions and directives are the base schema's, so the schema answers as one built by graphene
from the same classes (``tests/api/graphql_custom/test_schemas.py`` compares the printed schemas).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from graphene.types.schema import TypeMap
from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)

from api.graphql.custom_fields.types import EntityTypes

Field = TypeVar("Field", GraphQLField, GraphQLArgument, GraphQLInputField)
CUSTOM_OUTPUT_DESCRIPTION = "This tenant's own fields."
CUSTOM_INPUT_DESCRIPTION = "This tenant's own fields to set; fields left out keep their values."


def resolve_custom(root: Any, info: Any) -> Any:
    return root  # the custom fields' resolvers read the record's ``custom`` column


def refuse_taken(name: str, fields: dict[str, Any]) -> None:
    if "custom" in fields:
        raise ImproperlyConfigured(f"{name} already has a field named custom")


def referenced_names(named: GraphQLNamedType) -> Iterable[str]:
    """The names of the types ``named`` refers to: field, argument and input field types,
    interfaces and union members."""
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        for field in named.fields.values():
            yield get_named_type(field.type).name
            for argument in field.args.values():
                yield get_named_type(argument.type).name
        for interface in named.interfaces:
            yield interface.name
    elif isinstance(named, GraphQLInputObjectType):
        for input_field in named.fields.values():
            yield get_named_type(input_field.type).name
    elif isinstance(named, GraphQLUnionType):
        for member in named.types:
            yield member.name


@cache
def referrers(schema: GraphQLSchema) -> dict[str, frozenset[str]]:
    """For each type name of ``schema`` (the base schema: built once), the names of the types that
    refer to it."""
    found: dict[str, set[str]] = defaultdict(set)
    for name, named in schema.type_map.items():
        for target in referenced_names(named):
            found[target].add(name)
    return {name: frozenset(names) for name, names in found.items()}


def affected_names(schema: GraphQLSchema, changed: set[str]) -> set[str]:
    """``changed`` and every type that refers to one of them, directly or through others."""
    by_target = referrers(schema)
    affected = set(changed)
    pending = list(changed)
    while pending:
        for name in by_target.get(pending.pop(), ()):
            if name not in affected:
                affected.add(name)
                pending.append(name)
    return affected


def carriers(schema: GraphQLSchema, entities: dict[str, EntityTypes]) -> dict[str, tuple[str, bool]]:
    """Record types and inputs of ``schema`` that gain ``custom``: name → (entity, is an input)."""
    found = {}
    for name, named in schema.type_map.items():
        entity = getattr(getattr(named, "graphene_type", None), "custom_fields_entity", "")
        if entity in entities and isinstance(named, GraphQLObjectType | GraphQLInputObjectType):
            found[name] = (entity, isinstance(named, GraphQLInputObjectType))
    return found


class ExtendedSchema:
    """The parts of one tenant schema being put together (``build``)."""

    def __init__(self, base: GraphQLSchema, entities: dict[str, EntityTypes]) -> None:
        self.base = base
        self.carriers = carriers(base, entities)
        self.copies: dict[str, GraphQLNamedType] = {}
        for name in sorted(affected_names(base, set(self.carriers))):
            self.copies[name] = self.copy(base.type_map[name])
        # graphene builds the custom field types only: the names it looks up are all here already.
        type_map = TypeMap.__new__(TypeMap)
        type_map.update({name: self.copies.get(name, named) for name, named in base.type_map.items()})
        type_map.auto_camelcase = True
        self.type_map = type_map
        self.custom = {
            entity: (type_map.add_type(types.output), type_map.add_type(types.input))
            for entity, types in entities.items()
        }

    def build(self, extensions: dict[str, Any]) -> GraphQLSchema:
        # Types are collected from the roots, as for a schema graphene builds from Query and Mutation
        # (the same types, in the same order).
        base = self.base
        return GraphQLSchema(
            query=self.swap(base.query_type),
            mutation=self.swap(base.mutation_type) if base.mutation_type else None,
            directives=base.directives,
            extensions=extensions,
        )

    def swap(self, graphql_type: Any) -> Any:
        """``graphql_type`` with the copies in place of the base types they replace."""
        if isinstance(graphql_type, GraphQLNonNull):
            return GraphQLNonNull(self.swap(graphql_type.of_type))
        if isinstance(graphql_type, GraphQLList):
            return GraphQLList(self.swap(graphql_type.of_type))
        return self.copies.get(graphql_type.name, graphql_type)

    def copy(self, named: GraphQLNamedType) -> GraphQLNamedType:
        kwargs: dict[str, Any] = dict(named.to_kwargs())
        graphene_type = getattr(named, "graphene_type", None)
        if graphene_type is not None:
            kwargs["graphene_type"] = graphene_type
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            kwargs["fields"] = lambda: self.output_fields(named)
            kwargs["interfaces"] = lambda: [self.swap(interface) for interface in named.interfaces]
        elif isinstance(named, GraphQLInputObjectType):
            kwargs["fields"] = lambda: self.input_fields(named)
        elif isinstance(named, GraphQLUnionType):
            kwargs["types"] = lambda: [self.swap(member) for member in named.types]
        return type(named)(**kwargs)  # type: ignore[no-any-return]

    def output_fields(self, named: GraphQLObjectType | GraphQLInterfaceType) -> dict[str, GraphQLField]:
        fields = {name: self.field(field) for name, field in named.fields.items()}
        if named.name in self.carriers:
            entity, _input = self.carriers[named.name]
            output, _input_type = self.custom[entity]
            refuse_taken(named.name, fields)
            fields["custom"] = GraphQLField(
                GraphQLNonNull(output), resolve=resolve_custom, description=CUSTOM_OUTPUT_DESCRIPTION
            )
        return fields

    def input_fields(self, named: GraphQLInputObjectType) -> dict[str, GraphQLInputField]:
        fields = {name: self.retyped(field) for name, field in named.fields.items()}
        if named.name in self.carriers:
            entity, _input = self.carriers[named.name]
            _output, input_type = self.custom[entity]
            refuse_taken(named.name, fields)
            fields["custom"] = GraphQLInputField(input_type, out_name="custom", description=CUSTOM_INPUT_DESCRIPTION)
        return fields

    def field(self, field: GraphQLField) -> GraphQLField:
        """The base field itself when neither its type nor an argument's was copied (fields are
        never changed once built: schemas may share them), else a copy pointing to the copies."""
        args = {name: self.retyped(argument) for name, argument in field.args.items()}
        if self.swap(field.type) is field.type and all(args[name] is field.args[name] for name in args):
            return field
        copied = self.retyped(field)
        copied.args = args
        return copied

    def retyped(self, item: Field) -> Field:
        """``item`` (a field, argument or input field), or a shallow copy typed with the copies: its
        resolver, defaults and description are the base's, and its name was checked when built."""
        swapped = self.swap(item.type)
        if swapped is item.type:
            return item
        # Not copy.copy(): graphql-core's __copy__ builds anew, checking every name again (most of
        # the time of a copy).
        copied = object.__new__(type(item))
        copied.__dict__.update(item.__dict__)
        copied.type = swapped
        return copied
