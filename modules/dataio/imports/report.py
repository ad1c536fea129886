"""Showing a job's refused rows: messages per cell for the preview, and the downloadable error report
(the original row plus a column with what was wrong)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from core.spreadsheet_cells import safe_text
from modules.dataio.imports.models import ImportJob
from modules.dataio.imports.targets import targets_for

Errors = dict[str, list[str]]


class ErrorLabels:
    """Places an error key (``email``, ``custom.region``, ``__all__``) on a column of the job's file."""

    def __init__(self, job: ImportJob) -> None:
        self.columns = {key: index for index, key in enumerate(job.mapping) if key}
        self.header = job.header
        self.labels = {target.key: target.label for target in targets_for(job.entity)}

    def column(self, key: str) -> int | None:
        return self.columns.get(key)

    def label(self, key: str) -> str:
        index = self.column(key)
        if index is not None:
            return str(self.header[index])
        return self.labels.get(key, key.removeprefix("custom."))

    def by_cell(self, errors: Errors) -> tuple[dict[int, list[str]], list[str]]:
        """Messages of columns in the file, and the rest (each prefixed with the field it is about)."""
        cells: dict[int, list[str]] = {}
        rest: list[str] = []
        for key, messages in errors.items():
            index = self.column(key)
            if index is not None:
                cells.setdefault(index, []).extend(messages)
            elif key == "__all__":
                rest.extend(messages)
            else:
                rest.extend(f"{self.label(key)}: {message}" for message in messages)
        return cells, rest

    def text(self, errors: Errors) -> str:
        parts: list[str] = []
        for key, messages in errors.items():
            prefix = "" if key == "__all__" else f"{self.label(key)}: "
            parts.extend(f"{prefix}{message}" for message in messages)
        return "; ".join(parts)


def error_report_lines(job: ImportJob) -> Iterator[str]:
    """The report as CSV lines: the file's columns, then the row number and the errors. The cells
    come from the uploaded file, so text a spreadsheet would run as a formula is neutralised."""
    labels = ErrorLabels(job)
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: list[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_text(cell) if isinstance(cell, str) else cell for cell in cells])
        return buffer.getvalue()

    yield "\ufeff" + line([*job.header, _("Row"), _("Errors")])  # BOM: spreadsheet apps then read UTF-8
    for row_error in job.row_errors.order_by("row_number").iterator(chunk_size=2000):
        yield line([*row_error.values, row_error.row_number, labels.text(row_error.errors)])
