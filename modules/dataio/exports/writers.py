"""Tables written as CSV (streamed piece by piece, or to a file) and XLSX (openpyxl's write-only
workbook, typed cells). Date-times are shown in the active time zone (the exporting user's)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.spreadsheet_cells import safe_text
from modules.dataio.exports.tables import Table

SHEET_TITLE_FORBIDDEN = re.compile(r"[\\*?:/\[\]]")
BOM = "\ufeff"  # so spreadsheet programs read the CSV as UTF-8

Progress = Callable[[int], None]


def local(moment: datetime) -> datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return local(value).isoformat()
    if isinstance(value, date | int | Decimal | float):
        return value.isoformat() if isinstance(value, date) else str(value)
    return safe_text(str(value))


def _csv_lines(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([[csv_value(value) for value in row] for row in rows])
    return buffer.getvalue()


def csv_chunks(table: Table, on_batch: Progress | None = None) -> Iterator[str]:
    """The CSV text in pieces: the header line, then one piece per batch of rows."""
    yield BOM + _csv_lines([[str(header) for header in table.headers]])
    done = 0
    for batch in table.batches:
        done += len(batch)
        yield _csv_lines(batch)
        if on_batch is not None:
            on_batch(done)


def write_csv(table: Table, target: IO[str], on_batch: Progress | None = None) -> None:
    for chunk in csv_chunks(table, on_batch):
        target.write(chunk)


def xlsx_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return local(value).replace(tzinfo=None)  # Excel has no time zones: the user's wall clock
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _cell(sheet: Any, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=xlsx_value(value))
    if isinstance(cell.value, str):
        # openpyxl would store text beginning with "=" as a formula; it stays text.
        cell.data_type = "s"
    return cell


def write_xlsx(table: Table, target: IO[bytes], *, title: str, on_batch: Progress | None = None) -> None:
    """The table as one worksheet; rows go to a temporary file as they come (write-only mode)."""
    workbook = Workbook(write_only=True)
    # A sheet's name cannot hold \ * ? : / [ ] (openpyxl refuses them), and a report's name may.
    sheet = workbook.create_sheet(title=SHEET_TITLE_FORBIDDEN.sub(" ", title)[:31].strip() or "Export")
    sheet.append([_cell(sheet, header) for header in table.headers])
    done = 0
    for batch in table.batches:
        for row in batch:
            sheet.append([_cell(sheet, value) for value in row])
        done += len(batch)
        if on_batch is not None:
            on_batch(done)
    workbook.save(target)
