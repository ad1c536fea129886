"""One GraphQL schema per tenant, built from its custom field definitions and cached.

A record type declares the entity whose fields it carries (``custom_fields_entity``); so does a
record input. Building a tenant schema walks the same root Query and Mutation as the base schema,
adding ``custom: <Entity>CustomFields!`` to those types and ``custom: <Entity>CustomFieldsInput``
to those inputs when the tenant has fields for the entity. Nothing else differs, so a tenant
without fields is served the base schema itself.

Schemas are cached in process memory by tenant (id and schema name, so a tenant provisioned
again under the same name starts afresh) and definitions version: every definition change bumps
the version, so the next request builds the new schema once. Version 0 means no definition was
ever saved in the tenant, and needs no further query.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import graphene
from django.core.exceptions import ImproperlyConfigured
from graphene.types.schema import TypeMap
from graphql import GraphQLField, GraphQLInputField, GraphQLNonNull, GraphQLSchema

from api.graphql.custom_fields.catalog import EXTENSION_KEY, Catalog
from api.graphql.custom_fields.types import EntityTypes, entity_types
from api.graphql.link_guard import guard_links
from api.graphql.schema import Mutation, Query
from api.graphql.schema import schema as base_schema
from customization.fields.models import CustomFieldDefinition
from customization.fields.versions import definitions_version
from tenants.models import Tenant

CACHE_SIZE = 32
CacheKey = tuple[int, str, int]


def resolve_custom(root: Any, info: Any) -> Any:
    return root  # the custom fields' resolvers read the record's ``custom`` column


class CustomFieldsTypeMap(TypeMap):
    """graphene's TypeMap, adding ``custom`` to the record types and inputs of entities with fields."""

    def __init__(self, *args: Any, entities: dict[str, EntityTypes], **kwargs: Any) -> None:
        self.entities = entities
        super().__init__(*args, **kwargs)

    def create_fields_for_type(self, graphene_type: Any, is_input_type: bool = False) -> dict[str, Any]:
        fields: dict[str, Any] = super().create_fields_for_type(graphene_type, is_input_type)
        types = self.entities.get(getattr(graphene_type, "custom_fields_entity", ""))
        if types is None:
            return fields
        if "custom" in fields:
            raise ImproperlyConfigured(f"{graphene_type._meta.name} already has a field named custom")
        if is_input_type:
            fields["custom"] = GraphQLInputField(
                self.add_type(types.input),
                out_name="custom",
                description="This tenant's own fields to set; fields left out keep their values.",
            )
        else:
            fields["custom"] = GraphQLField(
                GraphQLNonNull(self.add_type(types.output)),
                resolve=resolve_custom,
                description="This tenant's own fields.",
            )
        return fields


class TenantSchema(graphene.Schema):
    """A graphene Schema whose types carry one tenant's custom fields (``catalog``)."""

    def __init__(self, *, query: Any, mutation: Any, catalog: Catalog) -> None:
        self.query, self.mutation, self.subscription = query, mutation, None
        self.catalog = catalog
        entities = {entity: types for entity in catalog.by_entity if (types := entity_types(entity, catalog))}
        type_map = CustomFieldsTypeMap(query, mutation, None, None, auto_camelcase=True, entities=entities)
        self.graphql_schema = GraphQLSchema(
            type_map.query, type_map.mutation, None, type_map.types, extensions={EXTENSION_KEY: catalog}
        )
        check_names(self.graphql_schema, entities)
        guard_links(self.graphql_schema)


def check_names(schema: GraphQLSchema, entities: dict[str, EntityTypes]) -> None:
    """graphene reuses a type already in the schema under the same name: make sure none of the
    custom field types was swallowed by an existing type."""
    for types in entities.values():
        for graphene_type in (types.output, types.input, *types.enums):
            built = schema.get_type(graphene_type._meta.name)
            if getattr(built, "graphene_type", None) is not graphene_type:
                raise ImproperlyConfigured(f"GraphQL type name {graphene_type._meta.name} is already taken")


def build_schema(definitions: list[CustomFieldDefinition]) -> graphene.Schema:
    """The schema for these (active) definitions; the base schema when there are none."""
    catalog = Catalog.from_definitions(definitions)
    if catalog.is_empty:
        return base_schema
    return TenantSchema(query=Query, mutation=Mutation, catalog=catalog)


class SchemaCache:
    """A small LRU of built schemas keyed by (tenant id, schema name, definitions version)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.schemas: OrderedDict[CacheKey, graphene.Schema] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: CacheKey) -> graphene.Schema | None:
        with self.lock:
            schema = self.schemas.get(key)
            if schema is not None:
                self.schemas.move_to_end(key)
            return schema

    def put(self, key: CacheKey, schema: graphene.Schema) -> None:
        with self.lock:
            self.schemas[key] = schema
            self.schemas.move_to_end(key)
            while len(self.schemas) > self.size:
                self.schemas.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.schemas.clear()


cache = SchemaCache(CACHE_SIZE)


def active_definitions() -> list[CustomFieldDefinition]:
    return list(CustomFieldDefinition.objects.filter(archived_at__isnull=True).order_by("entity", "position", "id"))


def schema_for_tenant(tenant: Tenant) -> graphene.Schema:
    """The schema of ``tenant``, whose database schema must be the active one: one query for the
    version, and on a cache miss one more for the definitions."""
    version = definitions_version()
    if version == 0:
        return build_schema([])
    key = (tenant.pk, tenant.schema_name, version)
    schema = cache.get(key)
    if schema is None:
        schema = build_schema(active_definitions())
        cache.put(key, schema)
    return schema
