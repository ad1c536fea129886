"""Warehouse-export fixtures: a private file root per test, and an export run to its end."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from modules.analytics.warehouse.models import WarehouseExport
from modules.analytics.warehouse.services import run_export
from tests.tenancy import TenantFixture


@pytest.fixture(autouse=True)
def private_files(settings: Any, tmp_path: Path) -> Path:
    """Export files of this test go to a directory of its own."""
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    return Path(settings.PRIVATE_FILES_ROOT)


def body_of(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def finished_export(tenant: TenantFixture, django_capture_on_commit_callbacks: Any) -> WarehouseExport:
    """An export started on the page by the tenant's admin and built as the worker would."""
    client = tenant.client()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/analytics/warehouse/")
    assert response.status_code == 302
    assert len(callbacks) == 1  # the task is queued once the export is committed
    with tenant.active():
        export = WarehouseExport.objects.latest("id")
        finished = run_export(export.pk)
    assert finished is not None
    assert finished.status == "done"
    return finished


def archive_of(content: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(content))
