"""Export fixtures: permissions granted per test, CSV/XLSX readers and a private file root per test."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from identity.models import Role
from tests.tenancy import TenantFixture


@pytest.fixture(autouse=True)
def private_files(settings: Any, tmp_path: Path) -> Path:
    """Export files of this test go to a directory of its own."""
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    return Path(settings.PRIVATE_FILES_ROOT) / "exports"


def grant(tenant: TenantFixture, role_key: str, *codes: str) -> None:
    """Add permission codes to a role of ``tenant`` (the test transaction rolls it back)."""
    with tenant.active():
        role = Role.objects.get(key=role_key)
        role.permissions = sorted({*role.permissions, *codes})
        role.save(update_fields=["permissions"])


def revoke(tenant: TenantFixture, role_key: str, *codes: str) -> None:
    with tenant.active():
        role = Role.objects.get(key=role_key)
        role.permissions = [code for code in role.permissions if code not in codes]
        role.save(update_fields=["permissions"])


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
