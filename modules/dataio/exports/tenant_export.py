"""The full tenant export: every record table of the current schema as ``<table>.json`` (an array of
objects, exact values) and ``<table>.csv`` (same columns) in one zip, plus ``manifest.json``.

Rows are read per table through a server-side cursor and written straight into the zip members,
so memory stays bounded whatever the tenant's size. Secrets never leave: users go without their
password hash, and tables that only hold secrets or machinery (sessions, API keys, the event
outbox, calendar-feed tokens, invitation tokens) are not exported.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from modules.dataio.exports.storage import current_schema
from modules.dataio.exports.writers import csv_value

FORMAT_VERSION = 1
BATCH_SIZE = 2000
# Columns that must never be exported, by model label.
SECRET_FIELDS: dict[str, frozenset[str]] = {
    "identity.User": frozenset({"password"}),
    # A quote link's token hash would let whoever reads the export look the link up.
    "sales.QuoteShare": frozenset({"token_hash"}),
}
# Generated search columns are derived data, not the tenant's.
DERIVED_FIELDS = frozenset({"search_vector"})
# The record tables, in dependency order (people first, then what refers to them).
MODELS: tuple[str, ...] = (
    "identity.Role",
    "identity.Team",
    "identity.User",
    "contacts.Tag",
    "contacts.Company",
    "contacts.Contact",
    "contacts.TimelineEntry",
    "contacts.SavedView",
    "contacts.ExchangeRate",
    "sales.Pipeline",
    "sales.Stage",
    "sales.LostReason",
    "sales.Lead",
    "sales.Deal",
    "sales.DealStageChange",
    "sales.Product",
    "sales.PriceList",
    "sales.PriceListItem",
    "sales.Quote",
    "sales.QuoteLine",
    "sales.QuoteShare",
    "sales.Order",
    "sales.OrderLine",
    "sales.Quota",
    "activities.Activity",
    "custom_fields.CustomFieldDefinition",
    "workflows.WorkflowRule",
    "workflows.WorkflowRuleVersion",
    "workflows.EmailTemplate",
    "workspace.WorkspaceProfile",
    "analytics_reports.Report",
)


@dataclass(frozen=True)
class ExportTable:
    """One file pair of the zip: its name, the rows' queryset and the columns (attnames)."""

    name: str
    queryset: models.QuerySet[Any]
    columns: tuple[str, ...]


def _columns(model: type[models.Model]) -> tuple[str, ...]:
    secret = SECRET_FIELDS.get(model._meta.label, frozenset())
    return tuple(
        field.attname
        for field in model._meta.concrete_fields
        if field.name not in secret and field.name not in DERIVED_FIELDS
    )


def tables() -> list[ExportTable]:
    """Every exported table: each model, then each of its many-to-many link tables."""
    found: list[ExportTable] = []
    for label in MODELS:
        model = apps.get_model(label)
        name = f"{model._meta.app_label}_{model._meta.model_name}"
        columns = _columns(model)
        found.append(ExportTable(name, model._default_manager.order_by("pk").values(*columns), columns))
        for field in model._meta.many_to_many:
            through: type[models.Model] = field.remote_field.through  # type: ignore[union-attr,assignment]
            link_columns = tuple(f.attname for f in through._meta.concrete_fields)
            found.append(
                ExportTable(
                    f"{name}_{field.name}", through._default_manager.order_by("pk").values(*link_columns), link_columns
                )
            )
    return found


def _rows(table: ExportTable) -> Iterator[dict[str, Any]]:
    return table.queryset.iterator(chunk_size=BATCH_SIZE)  # type: ignore[no-any-return]


def _write_table(archive: zipfile.ZipFile, table: ExportTable) -> int:
    """Both files of one table from one pass over the rows; returns the row count. (A zip takes one
    member at a time, so the CSV goes to a temporary file first and is copied in after the JSON.)"""
    count = 0
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as csv_file:
        writer = csv.writer(csv_file)
        writer.writerow(table.columns)
        with archive.open(f"{table.name}.json", "w", force_zip64=True) as json_member:
            json_out = io.TextIOWrapper(json_member, encoding="utf-8")
            json_out.write("[")
            for row in _rows(table):
                text = json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False)
                json_out.write(("," if count else "") + "\n" + text)
                writer.writerow([_csv_cell(row[column]) for column in table.columns])
                count += 1
            json_out.write("\n]\n")
            json_out.flush()
            json_out.detach()
        csv_file.seek(0)
        with archive.open(f"{table.name}.csv", "w", force_zip64=True) as csv_member:
            csv_out = io.TextIOWrapper(csv_member, encoding="utf-8", newline="")
            shutil.copyfileobj(csv_file, csv_out)
            csv_out.flush()
            csv_out.detach()
    return count


def _csv_cell(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return csv_value(value)


def build_tenant_zip(target: IO[bytes], *, on_table: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """The current tenant's data as a zip written to ``target``; returns the manifest it contains."""
    tenant = getattr(connection, "tenant", None)
    counts: dict[str, int] = {}
    all_tables = tables()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for index, table in enumerate(all_tables, start=1):
            counts[table.name] = _write_table(archive, table)
            if on_table is not None:
                on_table(index, len(all_tables))
        manifest = {
            "format_version": FORMAT_VERSION,
            "tenant": {
                "schema": current_schema(),
                "slug": getattr(tenant, "slug", ""),
                "name": getattr(tenant, "name", ""),
            },
            "generated_at": timezone.now().isoformat(),
            "files": {"json": "<table>.json", "csv": "<table>.csv"},
            "counts": counts,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest
