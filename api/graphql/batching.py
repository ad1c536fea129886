"""Batched loading of the records a GraphQL result links to, without DataLoader.

graphene's DataLoader needs asyncio and our view executes synchronously, so batching is done the
other way round: every record this operation resolved is remembered (the rows of a connection page,
a ``node``, a mutation payload), and the first link one of them asks for that was not prefetched
(``deal → contact → company``) is loaded for all the remembered records of the same kind at once,
through the linked type's own queryset (permission and visibility). So a page costs one query per
kind of link, whatever its length, and links of the loaded records batch the same way.

Whether a link may be shown at all (its module, the credential's scope, record visibility) is
decided around the resolver by ``api.graphql.link_guard``, which also nulls prefetched links.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Prefetch, QuerySet, prefetch_related_objects

# How deep to look through the records that came along with a remembered one (page → deal →
# contact → company).
WALK_DEPTH = 4


def operation_state(info: Any) -> dict[str, Any]:
    """Per-operation storage on the request (a fresh dict without one)."""
    context = info.context
    if context is None:
        return {}
    states: dict[int, dict[str, Any]] | None = getattr(context, "graphql_batches", None)
    if states is None:
        states = {}
        context.graphql_batches = states
    return states.setdefault(id(info.operation), {})


def remember(info: Any, records: list[Any]) -> None:
    """Let the links of ``records`` load together with those of the operation's other records."""
    if records:
        operation_state(info).setdefault("roots", []).append([r for r in records if isinstance(r, Model)])


def _walk(records: list[Model]) -> list[Model]:
    """``records`` and what came along with them (select/prefetch caches), each object once."""
    seen: dict[int, Model] = {}
    level = records
    for _depth in range(WALK_DEPTH):
        following: list[Model] = []
        for record in level:
            if id(record) in seen:
                continue
            seen[id(record)] = record
            following += [value for value in record._state.fields_cache.values() if isinstance(value, Model)]
            for prefetched in getattr(record, "_prefetched_objects_cache", {}).values():
                following += [value for value in prefetched if isinstance(value, Model)]
        level = following
    return list(seen.values())


def instances_of(info: Any, model: type[Model]) -> list[Model]:
    """Every remembered record of ``model`` (or reached through one) in this operation."""
    roots = [record for group in operation_state(info).get("roots", []) for record in group]
    return [record for record in _walk(roots) if type(record) is model]


def load_link(info: Any, root: Model, name: str, graphene_type: Any) -> Any:
    """``root``'s foreign key ``name`` as ``graphene_type`` allows it (None when not visible), loaded
    together with the same link of every remembered record of ``root``'s kind."""
    attname = f"{name}_id"
    group = [
        record
        for record in [root, *instances_of(info, type(root))]
        if name not in record._state.fields_cache and getattr(record, attname) is not None
    ]
    ids = {getattr(record, attname) for record in group}
    model = graphene_type._meta.model
    found = {row.pk: row for row in graphene_type.get_queryset(model._default_manager.filter(pk__in=ids), info)}
    for record in group:
        record._state.fields_cache[name] = found.get(getattr(record, attname))
    loaded = [row for row in found.values()]
    remember(info, loaded)
    return root._state.fields_cache.get(name)


def related_list(info: Any, root: Model, name: str, queryset: QuerySet[Any]) -> list[Any]:
    """``root``'s many-to-many ``name`` (e.g. tags), prefetched with ``queryset`` for every remembered
    record of ``root``'s kind that lacks it, in one query."""
    cache = getattr(root, "_prefetched_objects_cache", {})
    if name not in cache:
        group = [
            record
            for record in [root, *instances_of(info, type(root))]
            if name not in getattr(record, "_prefetched_objects_cache", {})
        ]
        prefetch_related_objects(list({id(record): record for record in group}.values()), Prefetch(name, queryset))
    return list(getattr(root, name).all())
