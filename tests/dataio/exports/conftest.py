"""Export fixtures: CSV/XLSX readers and a private file root per test."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook


@pytest.fixture(autouse=True)
def private_files(settings: Any, tmp_path: Path) -> Path:
    """Export files of this test go to a directory of its own."""
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    return Path(settings.PRIVATE_FILES_ROOT) / "exports"


def body_of(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def csv_rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body_of(response).decode("utf-8-sig"))))


def xlsx_rows(content: bytes) -> tuple[list[str], list[tuple[Any, ...]]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return [str(header) for header in rows[0]], rows[1:]
