"""Writing a warehouse export: each table read through a server-side cursor in batches and written
as row groups of one Parquet file (zstd), the files gathered in a zip with ``manifest.json`` (the
tables, their row counts and column types). Memory stays bounded by one batch whatever the size.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Callable
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.db import connection
from django.utils import timezone

from modules.analytics.warehouse.tables import Table, tables_for

FORMAT_VERSION = 1
BATCH_SIZE = 10_000


def write_table(table: Table, target: IO[bytes]) -> int:
    """``table`` as one Parquet file written to ``target``; returns its row count."""
    schema = table.schema
    count = 0
    with pq.ParquetWriter(target, schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for row in table.queryset.iterator(chunk_size=BATCH_SIZE):
            batch.append(row)
            if len(batch) == BATCH_SIZE:
                writer.write_batch(_record_batch(table, schema, batch))
                count += len(batch)
                batch = []
        if batch or not count:
            writer.write_batch(_record_batch(table, schema, batch))
            count += len(batch)
    return count


def _record_batch(table: Table, schema: pa.Schema, rows: list[dict[str, Any]]) -> pa.RecordBatch:
    arrays = [pa.array([column.value(row) for row in rows], type=column.type) for column in table.columns]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def build_export(target: IO[bytes], *, on_table: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """The current tenant's export as a zip written to ``target``; returns its manifest."""
    tenant = getattr(connection, "tenant", None)
    tables = tables_for(tenant)
    manifest: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "tenant": {"slug": getattr(tenant, "slug", ""), "name": getattr(tenant, "name", "")},
        "generated_at": timezone.now().isoformat(),
        "tables": {},
    }
    # Parquet is already compressed: the zip only stores the files.
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for index, table in enumerate(tables, start=1):
            with tempfile.TemporaryFile() as parquet:
                rows = write_table(table, parquet)
                parquet.seek(0)
                with archive.open(f"{table.spec.name}.parquet", "w", force_zip64=True) as member:
                    while chunk := parquet.read(1 << 20):
                        member.write(chunk)
            manifest["tables"][table.spec.name] = {
                "file": f"{table.spec.name}.parquet",
                "rows": rows,
                "columns": {field.name: str(field.type) for field in table.schema},
            }
            if on_table is not None:
                on_table(index, len(tables))
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest
