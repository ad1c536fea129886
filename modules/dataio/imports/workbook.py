"""Bounds on an uploaded XLSX before anything parses it.

An XLSX is a zip: a file of a few kilobytes can unpack to gigabytes, and openpyxl loads the
shared-strings part whole even in read-only mode. So the upload request only checks that the file
is a zip holding a workbook and that the sizes its members declare stay under
``IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES``; the Celery worker then unpacks every member as a stream,
counting the bytes it actually gets against the same limit and the shared strings against
``IMPORT_XLSX_MAX_CELLS``, before openpyxl reads it (``parsing`` counts the cells as it goes).
A refusal names the limit."""

from __future__ import annotations

import zipfile
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
WORKSHEETS = "xl/worksheets/"
SHARED_STRINGS = "xl/sharedStrings.xml"
CHUNK = 1024 * 1024


def max_uncompressed_bytes() -> int:
    return int(settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES)


def max_cells() -> int:
    return int(settings.IMPORT_XLSX_MAX_CELLS)


def _invalid() -> ValidationError:
    return ValidationError({"file": [_("This is not a valid .xlsx file.")]})


def too_large() -> ValidationError:
    limit = max_uncompressed_bytes() // (1024 * 1024)
    return ValidationError(
        {"file": [_("The workbook unpacks to more than %(limit)d MB; split it or save it as CSV.") % {"limit": limit}]}
    )


def too_many_cells() -> ValidationError:
    return ValidationError(
        {
            "file": [
                _("The workbook has more than %(limit)s cells; split it or save it as CSV.")
                % {"limit": f"{max_cells():,}"}
            ]
        }
    )


def _open(stream: IO[bytes]) -> zipfile.ZipFile:
    stream.seek(0)
    try:
        package = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _invalid() from None
    names = set(package.namelist())
    if not all(part in names for part in REQUIRED_PARTS) or not any(name.startswith(WORKSHEETS) for name in names):
        raise _invalid()
    return package


def check_package(stream: IO[bytes]) -> None:
    """At upload (reads only the zip's directory): a workbook whose members declare no more than
    the limit in all."""
    package = _open(stream)
    if sum(member.file_size for member in package.infolist()) > max_uncompressed_bytes():
        raise too_large()


def check_contents(stream: IO[bytes]) -> None:
    """In the worker: the declared sizes, then every member unpacked as a stream (never held in
    memory), its actual bytes counted against the limit and the shared strings against the cells."""
    package = _open(stream)
    limit = max_uncompressed_bytes()
    if sum(member.file_size for member in package.infolist()) > limit:
        raise too_large()
    unpacked = 0
    strings = 0
    try:
        for member in package.infolist():
            tail = b""
            with package.open(member) as part:
                while chunk := part.read(CHUNK):
                    unpacked += len(chunk)
                    if unpacked > limit:
                        raise too_large()
                    if member.filename == SHARED_STRINGS:
                        window = tail + chunk  # a tag cut between two chunks is counted once
                        strings += window.count(b"<si>") + window.count(b"<si ")
                        tail = chunk[-3:]
                        if strings > max_cells():
                            raise too_many_cells()
    except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile):
        raise _invalid() from None
    stream.seek(0)
