"""One GraphQL schema per set of custom field definitions, shared by the tenants that have it.

A record type declares the entity whose fields it carries (``custom_fields_entity``); so does a
record input. Building a tenant schema walks the same root Query and Mutation as the base schema,
adding ``custom: <Entity>CustomFields!`` to those types and ``custom: <Entity>CustomFieldsInput``
to those inputs when the tenant has fields for the entity. Nothing else differs, so a tenant
without fields is served the base schema itself.

A schema depends on nothing but the definitions' contents, so it is named by their digest
(``definitions_digest``), not by the tenant: tenants with the same fields (provisioned from one
template, or set up alike) share one schema per process, built once (~100 ms of CPU), and a
tenant's id, name or definitions version cannot make a stale schema be served. Each request needs
the digest of its tenant's definitions: ``customization.fields.cache`` keeps it per process beside
the cached definitions and every definition change retires it, so a request pays one Redis GET
instead of a query (the definitions version is not read).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

import graphene
from django.core.exceptions import ImproperlyConfigured
from graphql import GraphQLSchema

from api.graphql.custom_fields.catalog import EXTENSION_KEY, Catalog, can_expose
from api.graphql.custom_fields.extension import ExtendedSchema
from api.graphql.custom_fields.types import EntityTypes, entity_types
from api.graphql.link_guard import guard_links
from api.graphql.schema import Mutation, Query
from api.graphql.schema import schema as base_schema
from customization.fields.cache import cached_derived
from customization.fields.models import CustomFieldDefinition

# Built schemas kept per process: one per distinct set of definitions among the tenants a process
# serves, ~2.5 MB each.
CACHE_SIZE = 32
# What a schema's types, descriptions, inputs and resolvers read of a definition; the rest (ids,
# positions beyond their order, sections, index state, authors, dates) cannot change the schema.
SCHEMA_ATTRIBUTES = (
    "entity", "key", "label", "label_translations", "field_type", "required", "is_unique", "default",
    "help_text", "options", "reference_entity", "currency",
)  # fmt: skip


class TenantSchema(graphene.Schema):
    """A graphene Schema whose types carry one set of custom fields (``catalog``): the base schema's
    types, with copies where they lead to a record type with fields (``extension``)."""

    def __init__(self, *, catalog: Catalog) -> None:
        self.query, self.mutation, self.subscription = Query, Mutation, None
        self.catalog = catalog
        entities = {entity: types for entity in catalog.by_entity if (types := entity_types(entity, catalog))}
        self.graphql_schema = ExtendedSchema(base_schema.graphql_schema, entities).build({EXTENSION_KEY: catalog})
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
    return TenantSchema(catalog=catalog)


class SchemaCache:
    """A small LRU of built schemas keyed by the digest of the definitions they were built from,
    counting its hits and misses (the benchmark's hit rate)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.schemas: OrderedDict[str, graphene.Schema] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> graphene.Schema | None:
        with self.lock:
            schema = self.schemas.get(key)
            if schema is None:
                self.misses += 1
            else:
                self.hits += 1
                self.schemas.move_to_end(key)
            return schema

    def put(self, key: str, schema: graphene.Schema) -> None:
        with self.lock:
            self.schemas[key] = schema
            self.schemas.move_to_end(key)
            while len(self.schemas) > self.size:
                self.schemas.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.schemas.clear()
            self.hits = self.misses = 0


cache = SchemaCache(CACHE_SIZE)


def active_definitions() -> list[CustomFieldDefinition]:
    return list(CustomFieldDefinition.objects.filter(archived_at__isnull=True).order_by("entity", "position", "id"))


def definitions_digest(definitions: list[CustomFieldDefinition]) -> str:
    """The name of the schema built from ``definitions`` (in their order): equal for equal contents
    of the exposed definitions, whichever tenant holds them; empty when the base schema serves."""
    exposed = [[getattr(item, name) for name in SCHEMA_ATTRIBUTES] for item in definitions if can_expose(item)]
    if not exposed:
        return ""
    text = json.dumps(exposed, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def tenant_schema() -> graphene.Schema:
    """The schema of the tenant whose database schema is active: its definitions' digest from the
    per-process cache (or one query), and on a miss of the schema cache the definitions to build it."""
    loaded: list[list[CustomFieldDefinition]] = []

    def digest_of_definitions() -> str:
        loaded.append(active_definitions())
        return definitions_digest(loaded[-1])

    digest = cached_derived("graphql-schema-digest", digest_of_definitions)
    if not digest:
        return base_schema
    schema = cache.get(digest)
    if schema is not None:
        return schema
    definitions = loaded[-1] if loaded else active_definitions()
    # Named by what it was built from: a definition changed since the digest was read is built
    # under its own digest and served, never stored under the older name.
    digest = definitions_digest(definitions)
    schema = build_schema(definitions)
    if digest:
        cache.put(digest, schema)
    return schema
