"""The version of a tenant's field definitions, bumped by every definition change so artefacts
built from them (the tenant's GraphQL schema, its OpenAPI document) are rebuilt once."""

from __future__ import annotations

import time
from typing import Any

from django.db.models import F
from django.db.models.functions import Greatest

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


def move_past_restore(*_args: Any, **_kwargs: Any) -> None:
    """After a restore the schema's version is the backup's, a number the tenant already used for
    other definitions, under which processes may hold a built GraphQL schema: move it past every
    earlier value (the clock's seconds exceed any count of changes) and retire cached definitions."""
    invalidate_cached_definitions()
    # Without a row the backup's tenant had never changed a definition: version 0 names the
    # starting definitions in every history, so it may stay.
    DefinitionsVersion.objects.filter(pk=1).update(version=Greatest(F("version") + 1, int(time.time())))
