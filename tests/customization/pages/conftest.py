"""Custom field definitions for the page tests, created directly (the admin pages are tested elsewhere)."""

from __future__ import annotations

from typing import Any

from customization.fields.models import CustomFieldDefinition


def define(entity: str, key: str, field_type: str, **values: Any) -> CustomFieldDefinition:
    """A definition of ``entity`` (call inside the tenant's context)."""
    values.setdefault("label", key.replace("_", " ").title())
    return CustomFieldDefinition.objects.create(entity=entity, key=key, field_type=field_type, **values)


REGIONS = [{"value": "north", "label": "North"}, {"value": "south", "label": "South"}]
