"""Reading import files: CSV (encoding and delimiter detected) and XLSX (first sheet, streamed,
at most ``IMPORT_XLSX_MAX_CELLS`` cells; ``workbook`` bounds the package before this reads it).

Every reader yields rows as lists of strings; the first non-empty row is the header. Data rows are
numbered as a spreadsheet shows them (the header is row 1), blank rows included, so the numbers in
the error report point at the right line of the user's file.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from itertools import islice
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.input_bounds import without_control_characters
from modules.dataio.imports.choices import FileFormat
from modules.dataio.imports.workbook import max_cells, too_many_cells

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024
MAX_COLUMNS = 200
MAX_CELL = 10_000
SAMPLE_ROWS = 20  # the rows the mapping and preview pages show
XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class FileInfo:
    """What reading a file needs to know, found once at upload."""

    file_format: str
    encoding: str = ""
    delimiter: str = ""


def detect_format(name: str, head: bytes) -> str:
    """CSV or XLSX from the name and the first bytes; anything else is refused."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        if not head.startswith(XLSX_MAGIC):
            raise ValidationError({"file": [_("This is not a valid .xlsx file.")]})
        return FileFormat.XLSX
    if lower.endswith((".csv", ".txt", ".tsv")):
        if head.startswith(XLSX_MAGIC) or b"\x00" in head[:4096]:
            raise ValidationError({"file": [_("This file is not text: upload a .csv or .xlsx file.")]})
        return FileFormat.CSV
    raise ValidationError({"file": [_("Upload a .csv or .xlsx file.")]})


def detect_encoding(stream: IO[bytes]) -> str:
    """The first of UTF-8 (with or without BOM), Windows-1252 and Latin-1 that decodes the whole file."""
    for encoding in ENCODINGS:
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := stream.read(1024 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"  # pragma: no cover - latin-1 decodes every byte


def detect_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {delimiter: sample.split("\n", 1)[0].count(delimiter) for delimiter in DELIMITERS}
        best = max(counts, key=lambda delimiter: counts[delimiter])
        return best if counts[best] else ","


def inspect(name: str, stream: IO[bytes]) -> FileInfo:
    """Format, encoding and delimiter of an uploaded file."""
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    file_format = detect_format(name, head)
    if file_format == FileFormat.XLSX:
        return FileInfo(file_format)
    encoding = detect_encoding(stream)
    sample = head.decode(encoding, errors="ignore")
    # A sample cut mid-line confuses the sniffer: give it whole lines only.
    if len(head) == SNIFF_BYTES and "\n" in sample:
        sample = sample.rsplit("\n", 1)[0]
    return FileInfo(file_format, encoding, detect_delimiter(sample))


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _csv_rows(stream: IO[bytes], info: FileInfo) -> Iterator[list[str]]:
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=info.encoding or "utf-8-sig", newline="")
    try:
        csv.field_size_limit(MAX_CELL * 10)
        yield from csv.reader(text, delimiter=info.delimiter or ",")
    except csv.Error as error:
        raise ValidationError({"file": [_("The file is not valid CSV: %(error)s") % {"error": error}]}) from None
    finally:
        text.detach()


def _xlsx_rows(stream: IO[bytes]) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    stream.seek(0)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ValidationError({"file": [_("This is not a valid .xlsx file.")]}) from None
    limit, cells = max_cells(), 0
    try:
        sheet = workbook.worksheets[0]
        # The sheet's declared size is not trusted: rows come as stored, not padded to it.
        sheet.reset_dimensions()  # type: ignore[union-attr]
        for row in sheet.iter_rows(values_only=True):
            cells += len(row)
            if cells > limit:
                raise too_many_cells()
            yield [cell_text(value) for value in row]
    finally:
        workbook.close()


def read_rows(stream: IO[bytes], info: FileInfo) -> Iterator[list[str]]:
    """Every row of the file, the header first, cells stripped and bounded. Control characters
    another program left in a cell are dropped (core.input_bounds), so the rest of the row imports."""
    rows = _xlsx_rows(stream) if info.file_format == FileFormat.XLSX else _csv_rows(stream, info)
    for row in rows:
        yield [without_control_characters(cell).strip()[:MAX_CELL] for cell in row[:MAX_COLUMNS]]


def is_blank(row: list[str]) -> bool:
    return not any(row)


def header_and_rows(stream: IO[bytes], info: FileInfo) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header (the first non-blank row) and the data rows as ``(row number, cells)``, each row
    padded or cut to the header's width; blank rows are counted but not yielded."""
    rows = read_rows(stream, info)
    number = 0
    header: list[str] = []
    for row in rows:
        number += 1
        if not is_blank(row):
            header = row
            break
    while header and not header[-1]:
        header.pop()
    width = len(header)
    first = number

    def data() -> Iterator[tuple[int, list[str]]]:
        for offset, row in enumerate(rows, start=1):
            if not is_blank(row):
                yield first + offset, (row + [""] * width)[:width]

    return header, data()


def column_titles(header: list[str]) -> list[str]:
    """Headers as shown: a blank one becomes ``Column 3``."""
    return [title or _("Column %(number)d") % {"number": index} for index, title in enumerate(header, start=1)]


def first_rows(header: list[str], rows: Iterator[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The first ``SAMPLE_ROWS`` data rows; refuses a file without a usable header or rows."""
    if not header:
        raise ValidationError({"file": [_("The file is empty.")]})
    if len(header) >= MAX_COLUMNS:
        raise ValidationError({"file": [_("The file has more than %(limit)d columns.") % {"limit": MAX_COLUMNS - 1}]})
    samples = list(islice(rows, SAMPLE_ROWS))
    if not samples:
        raise ValidationError({"file": [_("The file has a header but no rows to import.")]})
    return samples
