"""A report as a file: CSV streamed as it is read, or XLSX (openpyxl's write-only workbook), both
through the list exports' writers and so the formula-injection guard (``core/spreadsheet_cells``).

A grouped report has at most ``MAX_GROUPS`` rows; a list of records streams up to a spreadsheet's
1,048,576 rows (the header included) through a server-side cursor, never held in memory whole.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from itertools import islice
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.text import slugify

from identity.models import User
from modules.analytics.reports.execution import MAX_LIST_ROWS, current_context, list_rows, run_report
from modules.analytics.reports.models import Report
from modules.analytics.reports.running import prepared
from modules.dataio.exports.tables import Table
from modules.dataio.exports.writers import csv_chunks, write_xlsx
from modules.record_access import RecordAccess

BATCH = 2000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _batches(rows: Iterator[list[Any]]) -> Iterator[list[list[Any]]]:
    while batch := list(islice(rows, BATCH)):
        yield batch


def report_table(report: Report, user: User, access: RecordAccess, params: Mapping[str, Any]) -> Table:
    """The report's rows as a table; checked before anything is read (a ``ValidationError``
    naming the wrong part)."""
    source, spec = prepared(report, access, params)
    context = current_context()
    if spec.columns:
        rows = list_rows(source, spec, user, context, limit=MAX_LIST_ROWS - 1)
        headers = [column.label for column in spec.columns]
        return Table(headers=headers, batches=_batches(list(row.labels) for row in rows))
    result = run_report(source, spec, user, context)
    lines = [[*row.labels, *row.values] for row in result.rows]
    return Table(headers=result.headers, batches=iter([lines]))


def file_name(report: Report, extension: str) -> str:
    return f"{slugify(report.name) or 'report'}.{extension}"


def export_response(
    report: Report, user: User, access: RecordAccess, file_format: str, params: Mapping[str, Any]
) -> HttpResponseBase:
    table = report_table(report, user, access, params)
    if file_format == "csv":
        response = StreamingHttpResponse(csv_chunks(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{file_name(report, "csv")}"'
        return response
    target = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    write_xlsx(table, target, title=report.name)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=file_name(report, "xlsx"), content_type=XLSX)
