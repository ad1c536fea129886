"""Every link between records in the GraphQL schema, read by every built-in role and by keys
holding a single scope: nothing of a module the caller may not use, nothing outside their record
visibility.

Links are found by walking alpha's schema (every field of a record type whose type is a record
type, a list or a connection of them), not listed here: a new link is swept without editing this
file, and the admin's pass fails until the records below fill it."""

from __future__ import annotations

from typing import Any

from django.db import models
from graphql import GraphQLField, GraphQLObjectType, GraphQLSchema, get_named_type
from graphql_relay import from_global_id

from api.graphql.custom_fields.schema import tenant_schema
from tests.api.access.helpers import bearer_client
from tests.api.helpers import post_graphql
from tests.api.links.world import Caller, build_world, module_of, record
from tests.tenancy import TenantFixture

DEPTH = 2  # links of links: quote → lines → product


def model_of(named: Any) -> type[models.Model] | None:
    """The model behind a record type or a connection of one."""
    meta = getattr(getattr(named, "graphene_type", None), "_meta", None)
    model = getattr(meta, "model", None) or getattr(getattr(getattr(meta, "node", None), "_meta", None), "model", None)
    return model if isinstance(model, type) and issubclass(model, models.Model) else None


def is_record_type(named: Any) -> bool:
    model = model_of(named)
    return isinstance(named, GraphQLObjectType) and model is not None and module_of(model) is not None


def links_of(object_type: GraphQLObjectType) -> dict[str, GraphQLField]:
    """The fields of ``object_type`` that lead to records (no required arguments)."""
    return {
        name: field
        for name, field in object_type.fields.items()
        if is_record_type(get_named_type(field.type))
        and not any(str(argument.type).endswith("!") for argument in field.args.values())
    }


def holders_of_links(object_type: GraphQLObjectType) -> dict[str, GraphQLObjectType]:
    """Fields of ``object_type`` whose plain object type carries links (``custom``)."""
    return {
        name: named
        for name, field in object_type.fields.items()
        if isinstance(named := get_named_type(field.type), GraphQLObjectType)
        and model_of(named) is None
        and links_of(named)
    }


def is_connection(named: Any) -> bool:
    return "edges" in getattr(named, "fields", {})


def selection(object_type: GraphQLObjectType, depth: int) -> str:
    parts = ["__typename", "id"]
    if depth == 0:
        return " ".join(parts)
    for name, field in links_of(object_type).items():
        named = get_named_type(field.type)
        if is_connection(named):
            node_type = get_named_type(named.fields["edges"].type).fields["node"].type
            inner = selection(get_named_type(node_type), depth - 1)
            parts.append(f"{name}(first: 5) {{ edges {{ node {{ {inner} }} }} }}")
        else:
            parts.append(f"{name} {{ {selection(named, depth - 1)} }}")
    for name, holder in holders_of_links(object_type).items():
        links = " ".join(
            f"{link} {{ {selection(get_named_type(field.type), 0)} }}" for link, field in links_of(holder).items()
        )
        parts.append(f"{name} {{ __typename {links} }}")
    return " ".join(parts)


def root_queries(schema: GraphQLSchema) -> dict[str, str]:
    """One query per root connection of records, selecting every link down to DEPTH."""
    queries = {}
    for name, field in schema.query_type.fields.items():
        named = get_named_type(field.type)
        if is_connection(named) and is_record_type(named):
            node = get_named_type(get_named_type(named.fields["edges"].type).fields["node"].type)
            queries[name] = f"{{ {name}(first: 50) {{ edges {{ node {{ {selection(node, DEPTH)} }} }} }} }}"
    return queries


def record_types(schema: GraphQLSchema) -> dict[str, type[models.Model]]:
    return {name: model_of(named) for name, named in schema.type_map.items() if is_record_type(named)}  # type: ignore[misc]


def every_link(schema: GraphQLSchema) -> set[tuple[str, str]]:
    """(type, field) of every link: of record types and of the objects they carry (``custom``)."""
    records = [named for named in schema.type_map.values() if is_record_type(named) and not is_connection(named)]
    carried = {holder for kind in records for holder in holders_of_links(kind).values()}
    return {(named.name, link) for named in [*records, *carried] for link in links_of(named)}


def walk(
    value: Any, parent: str | None, found: list[tuple[str | None, str | None, dict[str, Any]]], field: str | None = None
) -> None:
    """Every record object of a result (with the type and field that linked to it)."""
    if isinstance(value, list):
        for item in value:
            walk(item, parent, found, field)
    elif isinstance(value, dict):
        typename = value.get("__typename")
        if typename is not None and "id" in value:
            found.append((parent, field, value))
        for key, item in value.items():
            if isinstance(item, dict | list):
                walk(
                    item,
                    typename if typename is not None else parent,
                    found,
                    key if key not in ("edges", "node") else field,
                )


def leaks(
    caller: Caller, schema: GraphQLSchema, queries: dict[str, str], host_client: Any
) -> tuple[list[str], set[tuple[str, str]]]:
    """What ``caller`` saw but may not, and which links came back filled."""
    models_by_type = record_types(schema)
    problems: list[str] = []
    filled: set[tuple[str, str]] = set()
    for root, query in queries.items():
        body = post_graphql(host_client, query).json()
        found: list[tuple[str | None, str | None, dict[str, Any]]] = []
        walk(body.get("data") or {}, None, found)
        for parent, field, shown in found:
            model = models_by_type.get(shown["__typename"])
            if model is None:
                continue
            type_name, pk = from_global_id(shown["id"])
            instance = record(model, int(pk))
            if not caller.may_see(instance):
                problems.append(f"{caller.label}: {root} → {parent}.{field} showed {type_name} {pk}")
            if parent is not None and field is not None:
                filled.add((parent, field))
    return problems, filled


def test_no_graphql_link_shows_a_record_the_caller_may_not_see(alpha: TenantFixture):
    with alpha.active():
        world = build_world()
        schema = tenant_schema().graphql_schema
        queries = root_queries(schema)
        links = every_link(schema)

        problems: list[str] = []
        filled_for: dict[str, set[tuple[str, str]]] = {}
        for caller in world.callers:
            found, filled = leaks(caller, schema, queries, bearer_client(alpha, caller.token))
            problems += found
            filled_for[caller.label] = filled

    assert problems == []
    assert links - filled_for["role admin"] == set()  # every link was followed: the sweep is not vacuous
    assert filled_for["role sales_rep"] < filled_for["role admin"]  # the outsider's records read as null
    assert filled_for["role marketer"] < filled_for["role admin"]
