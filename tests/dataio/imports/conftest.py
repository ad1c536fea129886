"""Helpers of the import tests: files built in memory, jobs uploaded and mapped through the services."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from identity.models import User
from modules.dataio.imports.choices import DedupeRule, ImportStatus
from modules.dataio.imports.models import ImportJob
from modules.dataio.imports.processing import BATCH_SIZE, read_file, run_import
from modules.dataio.imports.services import set_mapping, start_import, upload_file


def csv_bytes(rows: Sequence[Sequence[object]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def uploaded_job(
    entity: str,
    content: bytes,
    *,
    by: User | None,
    name: str = "people.csv",
    mapping: list[str] | None = None,
    dedupe: str = DedupeRule.CREATE,
) -> ImportJob:
    """A job as the upload page leaves it, then mapped (the suggestion unless ``mapping`` is given)."""
    job = upload_file(entity=entity, upload=SimpleUploadedFile(name, content), by=by)
    if job.status == ImportStatus.READING:  # a workbook: what the worker does next
        job = read_file(job.pk) or job
    return set_mapping(job, mapping=mapping if mapping is not None else job.mapping, dedupe=dedupe)


def imported(job: ImportJob, *, batch_size: int = BATCH_SIZE) -> ImportJob:
    """The mapped ``job`` started by its creator and run to the end, as the start page and the worker do."""
    start_import(job, by=job.created_by)
    finished = run_import(job.pk, batch_size=batch_size)
    assert finished is not None
    return finished


def job_requests(done: ImportJob, mapped: ImportJob) -> list[tuple[str, str, dict[str, object]]]:
    """Every request on someone's jobs: ``done`` finished, ``mapped`` waiting to be started."""
    return [
        ("get", f"/imports/{done.pk}/", {}),
        ("get", f"/imports/{done.pk}/progress/", {}),
        ("get", f"/imports/{done.pk}/errors.csv", {}),
        ("get", f"/imports/{done.pk}/file/", {}),
        ("get", f"/imports/{done.pk}/undo/", {}),
        ("post", f"/imports/{done.pk}/undo/", {}),
        ("get", f"/imports/{mapped.pk}/mapping/", {}),
        ("post", f"/imports/{mapped.pk}/mapping/", {"column_0": "first_name", "dedupe": "create"}),
        ("get", f"/imports/{mapped.pk}/preview/", {}),
        ("post", f"/imports/{mapped.pk}/missing-companies/", {"create": "1"}),
        ("post", f"/imports/{mapped.pk}/start/", {}),
    ]


@pytest.fixture(autouse=True)
def _remove_uploaded_files() -> Iterator[None]:
    """Uploads of a test land under PRIVATE_FILES_ROOT/imports/<schema>/; remove those the test added."""
    import_root = Path(settings.PRIVATE_FILES_ROOT) / "imports"
    before = set(import_root.rglob("*")) if import_root.exists() else set()
    yield
    if import_root.exists():
        for path in sorted(set(import_root.rglob("*")) - before, reverse=True):
            if path.is_file():
                path.unlink(missing_ok=True)
            elif path.is_dir() and not any(path.iterdir()):
                shutil.rmtree(path, ignore_errors=True)
