"""A tenant's active custom field definitions for the API's reads, without a query per request.

A ``core.generations`` cache scoped by the tenant's schema: every definition change bumps the
definitions version (``customization.fields.versions``), and the bump — like any save, delete or
queryset update of a definition (``customization.fields.models``) — retires every web process's
entries of that tenant at once. Record services validate against the definitions they read in
their own transaction (``customization.fields.validation``), never against this cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from core.generations import SchemaGenerationCache

T = TypeVar("T")

_cache = SchemaGenerationCache("custom-field-definitions")


def cached_definitions(entity: str) -> list[Any]:
    """``definitions_for(entity)``: the active definitions in position order."""
    from customization.fields.validation import definitions_for

    return _cache.get_current(entity, lambda: definitions_for(entity))


def cached_derived(name: str, derive: Callable[[], T]) -> T:
    """``derive()``: a value computed from the tenant's definitions (the digest its GraphQL schema is
    named by), kept and retired with the cached definitions."""
    return _cache.get_current(f"derived:{name}", derive)


# Retire this tenant's entries in every process (a signal receiver as well).
invalidate = _cache.invalidate_current
forget_local = _cache.forget_local
