"""The version of a tenant's field definitions, bumped by every definition change so artefacts
built from them (the tenant's GraphQL schema, its OpenAPI document) are rebuilt once."""

from __future__ import annotations

from django.db.models import F

from customization.fields.cache import invalidate as invalidate_cached_definitions
from customization.fields.models import DefinitionsVersion


def definitions_version() -> int:
    row = DefinitionsVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return row or 0


def bump_definitions_version() -> None:
    """Call inside the transaction that changes a definition."""
    invalidate_cached_definitions()
    updated = DefinitionsVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        DefinitionsVersion.objects.get_or_create(pk=1, defaults={"version": 1})
