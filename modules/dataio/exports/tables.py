"""A list export as a table: headers and rows of typed values (text, numbers, dates, booleans),
read in batches. Custom fields become columns of their own, typed by their field type; the users
and records they point to are looked up once per batch, not per row."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from customization.fields.choices import FieldType
from customization.fields.entities import NAME_FIELDS, visible_records
from customization.fields.listing import ListState
from customization.fields.models import CustomFieldDefinition
from identity.models import User
from modules.dataio.exports.sources import ListSource

BATCH_SIZE = 1000


@dataclass
class Table:
    """Headers, then rows in batches (each batch a list of rows, each row a list of values)."""

    headers: list[str]
    batches: Iterator[list[list[Any]]]


@dataclass
class _Lookups:
    users: dict[int, str] = field(default_factory=dict)
    records: dict[tuple[str, int], str] = field(default_factory=dict)


def _int_of(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


class CustomColumns:
    """The custom-field columns of an entity: headers, batch lookups and typed values."""

    def __init__(self, definitions: list[CustomFieldDefinition], user: User) -> None:
        self.definitions = definitions
        self.user = user

    def headers(self) -> list[str]:
        headers: list[str] = []
        for definition in self.definitions:
            headers.append(str(definition.display_label))
            if definition.field_type == FieldType.MONEY:
                headers.append(_("%(label)s (currency)") % {"label": definition.display_label})
        return headers

    def lookups(self, rows: list[Any]) -> _Lookups:
        """Names of the users (their e-mail) and visible records the rows' values point to."""
        lookups = _Lookups()
        user_ids: set[int] = set()
        record_ids: dict[str, set[int]] = {}
        for row in rows:
            custom = getattr(row, "custom", None) or {}
            for definition in self.definitions:
                pk = _int_of(custom.get(definition.key))
                if pk is None:
                    continue
                if definition.field_type == FieldType.USER:
                    user_ids.add(pk)
                elif definition.field_type == FieldType.REFERENCE:
                    record_ids.setdefault(str(definition.reference_entity), set()).add(pk)
        if user_ids:
            people = get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "email")
            lookups.users = {pk: str(email) for pk, email in people}
        for entity, ids in record_ids.items():
            names = visible_records(entity, self.user).filter(pk__in=ids).values_list("pk", NAME_FIELDS[entity])
            lookups.records.update({(entity, pk): str(name or f"#{pk}") for pk, name in names})
        return lookups

    def values(self, row: Any, lookups: _Lookups) -> list[Any]:
        custom = getattr(row, "custom", None) or {}
        values: list[Any] = []
        for definition in self.definitions:
            value = custom.get(definition.key)
            if definition.field_type == FieldType.MONEY:
                money = value if isinstance(value, dict) else {}
                amount = money.get("amount")
                values += [_decimal(amount) if amount is not None else None, money.get("currency") or None]
                continue
            values.append(self.typed(definition, value, lookups))
        return values

    @staticmethod
    def typed(definition: CustomFieldDefinition, value: Any, lookups: _Lookups) -> Any:
        if value is None or value == "" or value == []:
            return None
        kind = definition.field_type
        if kind == FieldType.NUMBER:
            return _int_of(value) if _int_of(value) is not None else _decimal(value)
        if kind == FieldType.DECIMAL:
            return _decimal(value)
        if kind == FieldType.BOOLEAN:
            return bool(value)
        if kind == FieldType.DATE:
            try:
                return date.fromisoformat(str(value))
            except ValueError:
                return str(value)
        if kind == FieldType.DATETIME:
            return parse_datetime(str(value)) or str(value)
        if kind == FieldType.MULTI_SELECT and isinstance(value, list):
            return ", ".join(str(item) for item in value)
        if kind == FieldType.USER and _int_of(value) is not None:
            return lookups.users.get(value, f"#{value}")
        if kind == FieldType.REFERENCE and _int_of(value) is not None:
            return lookups.records.get((str(definition.reference_entity), value), f"#{value}")
        return str(value)


def list_table(
    source: ListSource, queryset: QuerySet[Any], state: ListState, user: User, *, batch_size: int = BATCH_SIZE
) -> Table:
    """``source.rows`` (the list as ``user`` sees it, in its order) as a table with custom columns."""
    custom = CustomColumns(state.definitions, user)
    columns = source.columns_for(user)
    headers = [str(column.header) for column in columns] + custom.headers()

    def batches() -> Iterator[list[list[Any]]]:
        # One server-side cursor: every batch is a FETCH of the same query, not a new query.
        rows_iterator = queryset.iterator(chunk_size=batch_size)
        while rows := list(islice(rows_iterator, batch_size)):
            lookups = custom.lookups(rows)
            yield [[column.value(row) for column in columns] + custom.values(row, lookups) for row in rows]

    return Table(headers=headers, batches=batches())


def count_up_to(queryset: QuerySet[Any], *, limit: int | None) -> int:
    """How many rows ``queryset`` has, counting no further than ``limit`` (a bounded COUNT)."""
    ids = queryset.order_by().values("pk")
    return int((ids[:limit] if limit is not None else ids).count())
