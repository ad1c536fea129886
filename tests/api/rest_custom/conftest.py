"""Custom field definitions for the REST tests: ``define`` adds one to the active tenant and bumps
the definitions' version, as the field services do."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from customization.fields.models import CustomFieldDefinition
from customization.fields.versions import bump_definitions_version


def define(entity: str, key: str, field_type: str, **values: Any) -> CustomFieldDefinition:
    """A field on ``entity`` in the active tenant schema (call inside ``TenantFixture.active()``)."""
    values.setdefault("label", key.replace("_", " ").title())
    definition = CustomFieldDefinition.objects.create(entity=entity, key=key, field_type=field_type, **values)
    bump_definitions_version()
    return definition


def archive(definition: CustomFieldDefinition) -> None:
    definition.archived_at = timezone.now()
    definition.save(update_fields=["archived_at"])
    bump_definitions_version()


OPTIONS = [{"value": "north", "label": "North"}, {"value": "south", "label": "South"}]
TAG_OPTIONS = [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}, {"value": "z", "label": "Z"}]
