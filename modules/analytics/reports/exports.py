"""A report as a file: CSV streamed as it is read, XLSX (openpyxl's write-only workbook, spooled to a
temporary file) — both through the list exports' writers and so the formula-injection guard
(``core/spreadsheet_cells``) — or PDF (``pdf.py``: chart, filters in words, the table of groups).

A grouped report has at most ``MAX_GROUPS`` rows; a list of records streams up to a spreadsheet's
1,048,576 rows (the header included) through a server-side cursor, never held in memory whole. A
list longer than that says so in its last row instead of ending silently short.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from itertools import islice
from typing import Any

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from identity.models import User
from modules.analytics.reports import execution
from modules.analytics.reports.execution import current_context, list_rows, run_report
from modules.analytics.reports.models import Report
from modules.analytics.reports.pdf import CONTENT_TYPE as PDF
from modules.analytics.reports.pdf import render_report_pdf
from modules.analytics.reports.running import prepared, run_saved
from modules.dataio.exports.tables import Table
from modules.dataio.exports.writers import csv_chunks, write_xlsx
from modules.record_access import RecordAccess

BATCH = 2000
FORMATS = ("csv", "xlsx", "pdf")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _batches(rows: Iterator[list[Any]]) -> Iterator[list[list[Any]]]:
    while batch := list(islice(rows, BATCH)):
        yield batch


def _capped(rows: Iterator[list[Any]], room: int) -> Iterator[list[Any]]:
    """At most ``room`` rows; when more come (``rows`` holds at most ``room + 1``), the last one is a
    line saying the list was cut there."""
    for index, row in enumerate(rows):
        if index == room - 1:
            if next(rows, None) is None:
                yield row
            else:
                yield [
                    _("The list stops here: a file holds at most %(count)s rows.")
                    % {"count": formats.number_format(room - 1, 0, force_grouping=True)}
                ]
            return
        yield row


def report_table(report: Report, user: User, access: RecordAccess, params: Mapping[str, Any]) -> Table:
    """The report's rows as a table; checked before anything is read (a ``ValidationError``
    naming the wrong part)."""
    source, spec = prepared(report, access, params)
    context = current_context()
    if spec.columns:
        room = execution.MAX_LIST_ROWS - 1  # the header takes one row
        rows = list_rows(source, spec, user, context, limit=room + 1)
        headers = [column.label for column in spec.columns]
        return Table(headers=headers, batches=_batches(_capped((list(row.labels) for row in rows), room)))
    result = run_report(source, spec, user, context)
    lines = [[*row.labels, *row.values] for row in result.rows]
    return Table(headers=result.headers, batches=iter([lines]))


def file_name(report: Report, extension: str) -> str:
    return f"{slugify(report.name) or 'report'}.{extension}"


def report_pdf(report: Report, user: User, access: RecordAccess, params: Mapping[str, Any] | None = None) -> bytes:
    """``report`` run for ``user`` as a PDF in the active language."""
    result = run_saved(report, user, access, params)
    return render_report_pdf(report, result, run_at=timezone.now())


def export_response(
    report: Report, user: User, access: RecordAccess, file_format: str, params: Mapping[str, Any]
) -> HttpResponseBase:
    if file_format == "pdf":
        response = HttpResponse(report_pdf(report, user, access, params), content_type=PDF)
        response["Content-Disposition"] = f'attachment; filename="{file_name(report, "pdf")}"'
        return response
    table = report_table(report, user, access, params)
    if file_format == "csv":
        streamed = StreamingHttpResponse(csv_chunks(table), content_type="text/csv; charset=utf-8")
        streamed["Content-Disposition"] = f'attachment; filename="{file_name(report, "csv")}"'
        return streamed
    target = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    write_xlsx(table, target, title=report.name)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=file_name(report, "xlsx"), content_type=XLSX)
