"""The definitions a tenant schema was built from, kept on the schema so resolvers, filters and
inputs read them without a query."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from customization.fields.choices import SELECT_TYPES, Entity, FieldType
from customization.fields.models import CustomFieldDefinition

EXTENSION_KEY = "relata_custom_fields"


@dataclass(frozen=True)
class Catalog:
    """Active definitions by entity, in their order; ``names`` maps (entity, key) to the GraphQL name."""

    by_entity: dict[str, tuple[CustomFieldDefinition, ...]] = field(default_factory=dict)
    names: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def from_definitions(cls, definitions: Iterable[CustomFieldDefinition]) -> Catalog:
        by_entity: dict[str, list[CustomFieldDefinition]] = {}
        for definition in definitions:
            if can_expose(definition):
                by_entity.setdefault(definition.entity, []).append(definition)
        names: dict[tuple[str, str], str] = {}
        for entity, items in by_entity.items():
            for definition, name in zip(items, field_names([item.key for item in items]), strict=True):
                names[(entity, definition.key)] = name
        return cls({entity: tuple(items) for entity, items in by_entity.items()}, names)

    def definitions(self, entity: str) -> tuple[CustomFieldDefinition, ...]:
        return self.by_entity.get(entity, ())

    def definition(self, entity: str, key: str) -> CustomFieldDefinition | None:
        for definition in self.definitions(entity):
            if definition.key == key:
                return definition
        return None

    def name(self, definition: CustomFieldDefinition) -> str:
        return self.names[(definition.entity, definition.key)]

    @property
    def is_empty(self) -> bool:
        return not self.by_entity


EMPTY = Catalog()


def catalog_of(info: Any) -> Catalog:
    """The catalog of the schema executing this request (empty for the base schema)."""
    extensions = getattr(info.schema, "extensions", None) or {}
    catalog = extensions.get(EXTENSION_KEY)
    return catalog if isinstance(catalog, Catalog) else EMPTY


def can_expose(definition: CustomFieldDefinition) -> bool:
    """Whether the definition can be typed: a select needs options (GraphQL has no empty enums)
    and a reference a record type."""
    if definition.field_type in SELECT_TYPES:
        return bool(definition.option_values)
    if definition.field_type == FieldType.REFERENCE:
        return definition.reference_entity in Entity.values
    return definition.field_type in FieldType.values


def camel_case(key: str) -> str:
    """``region_code`` → ``regionCode`` (keys are lower-case letters, digits and underscores)."""
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] if part else "_" for part in rest)


def field_names(keys: list[str]) -> list[str]:
    """GraphQL field names for the keys of one entity: camelCase, or the key itself when two keys
    would read the same (``a_1`` and ``a1``), numbered as a last resort."""
    taken: set[str] = set()
    names: list[str] = []
    for key in keys:
        candidates = [camel_case(key), key]
        name = next((candidate for candidate in candidates if candidate not in taken), "")
        number = 2
        while not name:
            name = f"{key}_{number}" if f"{key}_{number}" not in taken else ""
            number += 1
        taken.add(name)
        names.append(name)
    return names


def pascal_case(name: str) -> str:
    return name[:1].upper() + name[1:]
