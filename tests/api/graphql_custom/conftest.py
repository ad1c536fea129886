"""Fixtures of the custom-field GraphQL tests: defining fields the way the settings pages do
(a definition row plus a version bump in one transaction)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from customization.fields.models import CustomFieldDefinition
from customization.fields.versions import bump_definitions_version

Define = Callable[..., CustomFieldDefinition]


def define_field(entity: str, key: str, field_type: str, **fields: Any) -> CustomFieldDefinition:
    """A definition in the active tenant, saved with the version bump every definition change makes."""
    with transaction.atomic():
        definition = CustomFieldDefinition.objects.create(
            entity=entity, key=key, label=fields.pop("label", key.replace("_", " ").title()), field_type=field_type,
            **fields,
        )  # fmt: skip
        bump_definitions_version()
    return definition


@pytest.fixture
def define() -> Define:
    return define_field
