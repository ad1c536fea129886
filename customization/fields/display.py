"""Custom-field values for people: option labels, money with its currency, dates in the active
language and time zone, user names and links to referenced records.

Lists resolve the users and referenced records of every row at once (``Lookups.load``): one query
for the users and one per referenced record type, whatever the number of rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Model
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from customization.fields.choices import FieldType
from customization.fields.entities import NAME_FIELDS, entity_model, may_open, record_url, visible_records
from customization.fields.models import CustomFieldDefinition
from customization.fields.validation import definitions_for

EMPTY = "—"
CHOICES_LIMIT = 200


def record_choices(entity: str, *, user: Any, limit: int = CHOICES_LIMIT) -> list[tuple[str, str]]:
    """``(id, name)`` of the first ``limit`` visible records of ``entity``, by name; none when the
    user may not open the entity's module (a reference select must not list the names of deals to
    someone without sales, as the record pages would not show them either)."""
    if not may_open(user, getattr(connection, "tenant", None), entity_model(entity)):
        return []
    name = NAME_FIELDS[entity]
    rows = visible_records(entity, user).order_by(name, "pk").values_list("pk", name)[:limit]
    return [(str(pk), str(text or f"#{pk}")) for pk, text in rows]


@dataclass(frozen=True)
class Shown:
    """One value ready for a template: ``text`` (already formatted) and an optional link."""

    text: str
    url: str | None = None
    is_empty: bool = False


@dataclass
class Lookups:
    """Names of the users and referenced records that a set of values mention."""

    users: dict[int, str] = field(default_factory=dict)
    records: dict[tuple[str, int], str] = field(default_factory=dict)

    @classmethod
    def load(
        cls, definitions: Iterable[CustomFieldDefinition], customs: Iterable[Mapping[str, Any]], *, user: Any
    ) -> Lookups:
        definitions = list(definitions)
        user_keys = [d.key for d in definitions if d.field_type == FieldType.USER]
        reference_keys = [(d.key, d.reference_entity) for d in definitions if d.field_type == FieldType.REFERENCE]
        user_ids: set[int] = set()
        record_ids: dict[str, set[int]] = {}
        for custom in customs:
            for key in user_keys:
                if isinstance(custom.get(key), int):
                    user_ids.add(custom[key])
            for key, entity in reference_keys:
                if isinstance(custom.get(key), int):
                    record_ids.setdefault(entity, set()).add(custom[key])
        lookups = cls()
        if user_ids:
            people = get_user_model().objects.filter(pk__in=user_ids)
            lookups.users = {person.pk: str(person) for person in people}
        tenant = getattr(connection, "tenant", None)
        for entity, ids in record_ids.items():
            if not may_open(user, tenant, entity_model(entity)):  # a module the user may not open: the id only
                continue
            name = NAME_FIELDS[entity]
            rows = visible_records(entity, user).filter(pk__in=ids).values_list("pk", name)
            lookups.records.update({(entity, pk): str(text or f"#{pk}") for pk, text in rows})
        return lookups


def _number(value: Any, places: int | None = None) -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return formats.number_format(number, places, use_l10n=True, force_grouping=True)


def show(definition: CustomFieldDefinition, value: Any, lookups: Lookups) -> Shown:
    """``value`` (as stored) of ``definition`` for people."""
    if value is None or value == "" or value == []:
        return Shown(EMPTY, is_empty=True)
    kind = definition.field_type
    if kind == FieldType.SINGLE_SELECT:
        return Shown(definition.option_label(str(value)))
    if kind == FieldType.MULTI_SELECT and isinstance(value, list):
        return Shown(", ".join(definition.option_label(str(item)) for item in value))
    if kind == FieldType.BOOLEAN:
        return Shown(_("Yes") if value else _("No"))
    if kind == FieldType.NUMBER or kind == FieldType.DECIMAL:
        return Shown(_number(value))
    if kind == FieldType.MONEY and isinstance(value, Mapping):
        return Shown(f"{_number(value.get('amount'), 2)} {value.get('currency', '')}".strip())
    if kind == FieldType.DATE:
        day = parse_date(str(value))
        return Shown(formats.date_format(day, "DATE_FORMAT") if day else str(value))
    if kind == FieldType.DATETIME:
        moment = parse_datetime(str(value))
        if moment is None:
            return Shown(str(value))
        return Shown(formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT"))
    if kind == FieldType.USER:
        return Shown(lookups.users.get(value, f"#{value}"))
    if kind == FieldType.REFERENCE:
        name = lookups.records.get((definition.reference_entity, value))
        if name is None:  # deleted, or out of the user's sight: the id only
            return Shown(f"#{value}")
        return Shown(name, url=record_url(definition.reference_entity, value))
    if kind == FieldType.URL:
        return Shown(str(value), url=str(value))
    if kind == FieldType.EMAIL:
        return Shown(str(value), url=f"mailto:{value}")
    return Shown(str(value))


def detail_sections(entity: str, record: Model, *, user: Any) -> list[dict[str, Any]]:
    """The record's custom values grouped by section, for its page (empty ones shown as —)."""
    definitions = definitions_for(entity)
    custom: Mapping[str, Any] = getattr(record, "custom", None) or {}
    lookups = Lookups.load(definitions, [custom], user=user)
    sections: dict[str, list[dict[str, Any]]] = {}
    for definition in definitions:
        item = {
            "definition": definition,
            "label": definition.display_label,
            "value": show(definition, custom.get(definition.key), lookups),
        }
        sections.setdefault(definition.section, []).append(item)
    return [{"title": title, "items": items} for title, items in sections.items()]


def attach_cells(definitions: list[CustomFieldDefinition], rows: list[Any], *, user: Any) -> None:
    """Set ``row.custom_cells`` (one ``{"key", "value": Shown}`` per definition, in order) on every row."""
    lookups = Lookups.load(definitions, [getattr(row, "custom", None) or {} for row in rows], user=user)
    for row in rows:
        custom = getattr(row, "custom", None) or {}
        row.custom_cells = [
            {"key": definition.key, "value": show(definition, custom.get(definition.key), lookups)}
            for definition in definitions
        ]
