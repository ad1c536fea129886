"""What a warehouse export holds: the main record types, each one Parquet file whose columns are the
model's own (links as ``<name>_id``) and then one per active custom field (``custom_<key>``; a
money field adds ``custom_<key>_currency``), with Arrow types a warehouse loads without guessing:
integers, exact decimals, dates, UTC timestamps, booleans, text, and lists for multi-selects.

A record type appears when its module is in the tenant's plan. Generated search columns are
derived data and stay out; so does the raw ``custom`` JSON, which the typed columns replace.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa
from django.apps import apps
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime

from customization.fields.choices import FieldType
from customization.fields.models import CustomFieldDefinition
from customization.fields.types import DECIMAL_MAX_DIGITS, DECIMAL_PLACES
from customization.fields.validation import definitions_for
from modules.registry import enabled_module_keys

MONEY_TYPE = pa.decimal128(DECIMAL_MAX_DIGITS - DECIMAL_PLACES + 2, 2)


@dataclass(frozen=True)
class TableSpec:
    """A record type of the export: its file name, model, owning module and custom-field entity."""

    name: str
    model: str
    module: str
    entity: str | None = None


TABLES: tuple[TableSpec, ...] = (
    TableSpec("companies", "contacts.Company", "contacts", "company"),
    TableSpec("contacts", "contacts.Contact", "contacts", "contact"),
    TableSpec("leads", "sales.Lead", "sales", "lead"),
    TableSpec("deals", "sales.Deal", "sales", "deal"),
    TableSpec("deal_stage_history", "sales.DealStageChange", "sales"),
    TableSpec("activities", "activities.Activity", "activities", "activity"),
    TableSpec("orders", "sales.Order", "sales", "order"),
    TableSpec("order_lines", "sales.OrderLine", "sales"),
    TableSpec("products", "sales.Product", "sales"),
)


@dataclass(frozen=True)
class Column:
    """One column: its name in the file, its Arrow type, and how a row's value becomes it."""

    name: str
    type: pa.DataType
    value: Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class Table:
    spec: TableSpec
    queryset: models.QuerySet[Any]
    columns: tuple[Column, ...]

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(column.name, column.type) for column in self.columns])


def arrow_type(field: models.Field[Any, Any]) -> pa.DataType:
    """The Arrow type of a model field's values."""
    if isinstance(field, models.ForeignKey | models.AutoField | models.IntegerField):
        return pa.int64()  # big, small and positive integers alike; links hold the target's id
    if isinstance(field, models.DecimalField):
        return pa.decimal128(field.max_digits or 38, field.decimal_places or 0)
    if isinstance(field, models.FloatField):
        return pa.float64()
    if isinstance(field, models.BooleanField):
        return pa.bool_()
    if isinstance(field, models.DateTimeField):
        return pa.timestamp("us", tz="UTC")
    if isinstance(field, models.DateField):
        return pa.date32()
    if isinstance(field, models.DurationField):
        return pa.duration("us")
    if isinstance(field, ArrayField):
        return pa.list_(arrow_type(field.base_field))
    return pa.string()  # text of every kind, JSON as its text, UUIDs


def _standard(field: models.Field[Any, Any]) -> Column:
    name = field.attname
    if isinstance(field, models.JSONField):
        return Column(name, pa.string(), lambda row: None if row[name] is None else json.dumps(row[name]))
    if isinstance(field, models.UUIDField):
        return Column(name, pa.string(), lambda row: None if row[name] is None else str(row[name]))
    return Column(name, arrow_type(field), lambda row: row[name])


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _date(value: Any) -> date | None:
    return parse_date(value) if isinstance(value, str) else None


def _moment(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


def _boolean(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _options(value: Any) -> list[str] | None:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else None


def _money_amount(value: Any) -> Decimal | None:
    return _decimal(value.get("amount")) if isinstance(value, dict) else None


def _money_currency(value: Any) -> str | None:
    return _text(value.get("currency")) if isinstance(value, dict) else None


# Stored custom values (``customization.fields.types``) to Arrow: a value that does not read as
# its field's type (written before the type changed) is empty rather than a failed export.
CUSTOM_TYPES: dict[str, tuple[pa.DataType, Callable[[Any], Any]]] = {
    FieldType.NUMBER: (pa.int64(), _integer),
    FieldType.USER: (pa.int64(), _integer),
    FieldType.REFERENCE: (pa.int64(), _integer),
    FieldType.DECIMAL: (pa.decimal128(DECIMAL_MAX_DIGITS, DECIMAL_PLACES), _decimal),
    FieldType.MONEY: (MONEY_TYPE, _money_amount),
    FieldType.DATE: (pa.date32(), _date),
    FieldType.DATETIME: (pa.timestamp("us", tz="UTC"), _moment),
    FieldType.BOOLEAN: (pa.bool_(), _boolean),
    FieldType.MULTI_SELECT: (pa.list_(pa.string()), _options),
}


def custom_columns(definition: CustomFieldDefinition) -> list[Column]:
    """The column (two for money: amount and currency) of one custom field."""
    key = definition.key
    arrow, read = CUSTOM_TYPES.get(definition.field_type, (pa.string(), _text))

    def value(row: dict[str, Any], read: Callable[[Any], Any] = read) -> Any:
        stored = (row["custom"] or {}).get(key)
        return None if stored is None else read(stored)

    columns = [Column(f"custom_{key}", arrow, value)]
    if definition.field_type == FieldType.MONEY:
        columns.append(
            Column(f"custom_{key}_currency", pa.string(), lambda row: _money_currency((row["custom"] or {}).get(key)))
        )
    return columns


def build_table(spec: TableSpec) -> Table:
    model = apps.get_model(spec.model)
    fields = [
        field
        for field in model._meta.concrete_fields
        if not isinstance(field, models.GeneratedField) and field.name != "custom"
    ]
    columns = [_standard(field) for field in fields]
    read = [field.attname for field in fields]
    if spec.entity is not None:
        for definition in definitions_for(spec.entity):
            columns += custom_columns(definition)
        read.append("custom")
    queryset = model._base_manager.order_by("pk").values(*read)
    return Table(spec, queryset, tuple(columns))


def tables_for(tenant: object) -> list[Table]:
    """The export's tables for ``tenant``: the record types of the modules in its plan."""
    enabled = enabled_module_keys(tenant)
    return [build_table(spec) for spec in TABLES if spec.module in enabled]
