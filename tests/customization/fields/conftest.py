"""Custom field fixtures: helpers that create definitions in alpha through the service."""

from __future__ import annotations

from typing import Any

from customization.fields.models import CustomFieldDefinition
from customization.fields.services import create_definition


def define(entity: str, key: str, field_type: str, **attributes: Any) -> CustomFieldDefinition:
    """A definition made by the service (call inside a tenant context)."""
    attributes.setdefault("label", key.replace("_", " ").title())
    return create_definition(by=None, entity=entity, key=key, field_type=field_type, **attributes)


def region_options() -> list[dict[str, str]]:
    return [{"value": "north", "label": "North"}, {"value": "south", "label": "South"}]
