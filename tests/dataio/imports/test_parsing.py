"""Reading import files: CSV encodings and delimiters, XLSX, and files that are refused."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError

from modules.dataio.imports.choices import FileFormat
from modules.dataio.imports.parsing import header_and_rows, inspect
from tests.dataio.imports.conftest import csv_bytes, xlsx_bytes

ROWS = [["First name", "Last name", "E-mail", "City"], ["Zoë", "Brâncuși", "zoe@example.test", "Târgu Jiu"]]


def _read(name: str, content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    stream = io.BytesIO(content)
    info = inspect(name, stream)
    header, rows = header_and_rows(stream, info)
    return header, list(rows)


@pytest.mark.parametrize(
    ("encoding", "prefix", "expected"),
    [("utf-8", b"", "utf-8-sig"), ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"), ("cp1252", b"", "cp1252")],
)
def test_csv_encodings_are_detected(encoding: str, prefix: bytes, expected: str) -> None:
    rows = [["Name", "City"], ["Zoë Müller", "Köln"], ["Renée", "Orléans"]]
    content = prefix + csv_bytes(rows, encoding=encoding)

    info = inspect("people.csv", io.BytesIO(content))
    header, data = _read("people.csv", content)

    assert info.encoding == expected
    assert header == ["Name", "City"]
    assert data == [(2, ["Zoë Müller", "Köln"]), (3, ["Renée", "Orléans"])]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiters_are_detected(delimiter: str) -> None:
    content = csv_bytes([*ROWS, ["Ana", "Pop, Jr.", "ana@example.test", "Cluj"]], delimiter=delimiter)

    info = inspect("people.csv", io.BytesIO(content))
    header, data = _read("people.csv", content)

    assert info.delimiter == delimiter
    assert header == ROWS[0]
    assert data[1] == (3, ["Ana", "Pop, Jr.", "ana@example.test", "Cluj"])


def test_blank_rows_are_counted_but_not_read_and_short_rows_are_padded() -> None:
    content = b"\r\nName,City,Country\r\nAna,Cluj\r\n,,\r\nIon,Iasi,RO,extra\r\n"

    header, data = _read("people.csv", content)

    assert header == ["Name", "City", "Country"]
    assert data == [(3, ["Ana", "Cluj", ""]), (5, ["Ion", "Iasi", "RO"])]


def test_xlsx_cells_are_read_as_text() -> None:
    content = xlsx_bytes(
        [
            ["Name", "Employees", "Founded", "Updated", "Active"],
            ["Acme", 120, date(1999, 5, 1), datetime(2024, 1, 2, 3, 4, 5), True],  # noqa: DTZ001 (cells have no zone)
            [None, None, None, None, None],
            ["Globex", 7.5, None, None, False],
        ]
    )

    info = inspect("companies.xlsx", io.BytesIO(content))
    header, data = _read("companies.xlsx", content)

    assert info.file_format == FileFormat.XLSX
    assert header == ["Name", "Employees", "Founded", "Updated", "Active"]
    assert data == [
        (2, ["Acme", "120", "1999-05-01", "2024-01-02T03:04:05", "true"]),
        (4, ["Globex", "7.5", "", "", "false"]),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file."),
        ("people.xlsx", b"Name,City\r\n", "This is not a valid .xlsx file."),
        ("people.csv", b"PK\x03\x04rest-of-a-zip", "This file is not text: upload a .csv or .xlsx file."),
    ],
)
def test_files_of_another_type_are_refused(name: str, content: bytes, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        inspect(name, io.BytesIO(content))

    assert refused.value.message_dict == {"file": [message]}


def test_a_broken_xlsx_is_refused_when_read() -> None:
    content = b"PK\x03\x04" + b"\x00" * 200

    with pytest.raises(ValidationError) as refused:
        _read("broken.xlsx", content)

    assert refused.value.message_dict == {"file": ["This is not a valid .xlsx file."]}
