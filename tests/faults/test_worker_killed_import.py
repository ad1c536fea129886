"""A Celery worker SIGKILLed in the middle of an import: the batch it was writing is rolled back
with its connection, the next worker goes on from the last batch that committed, and every row
is imported exactly once.

The kill is placed inside a batch: once the first batch has committed, the test holds a lock that
lets the worker read but not write contacts, so the worker waits with a batch half done."""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from modules.contacts.models import Contact
from modules.dataio.imports import processing
from modules.dataio.imports.choices import DedupeRule
from modules.dataio.imports.models import ImportJob
from modules.dataio.imports.services import set_mapping, start_import, upload_file
from tests import processes
from tests.dataio.imports.conftest import csv_bytes
from tests.faults.conftest import StandbyWorker
from tests.faults.locks import table_held, waiting_client
from tests.processes import start_celery_worker, stop, wait_until
from tests.tenancy import TenantFixture

ROWS = 4 * processing.BATCH_SIZE


@pytest.fixture
def marker(committed_alpha: TenantFixture) -> Iterator[str]:
    marker = uuid.uuid4().hex[:8]
    yield marker
    with tenant_context(committed_alpha.tenant):
        Contact.objects.filter(email__endswith=f"@{marker}.example").delete()
        for job in ImportJob.objects.filter(original_name=f"{marker}.csv"):
            job.file.delete(save=False)
            job.delete()
    connection.set_schema_to_public()


@pytest.mark.worker
def test_an_import_whose_worker_is_killed_mid_batch_goes_on_without_duplicates(
    committed_alpha: TenantFixture, marker: str, tmp_path: Path, standby_worker: StandbyWorker
) -> None:
    schema = committed_alpha.tenant.schema_name
    rows = [["First name", "Last name", "E-mail"]]
    rows += [[f"P{n}", "Killed", f"p{n}@{marker}.example"] for n in range(ROWS)]
    environment = processes.test_process_environment(tmp_path)
    first = start_celery_worker(environment, tmp_path / "first.log")
    try:
        with committed_alpha.active():
            job = upload_file(
                entity="contact", upload=SimpleUploadedFile(f"{marker}.csv", csv_bytes(rows)), by=committed_alpha.user()
            )
            job = set_mapping(job, mapping=job.mapping, dedupe=DedupeRule.SKIP)
            start_import(job, by=committed_alpha.user())  # autocommit: queued at once

        def processed() -> int:
            with committed_alpha.active():
                return int(ImportJob.objects.values_list("processed_rows", flat=True).get(pk=job.pk))

        wait_until(lambda: processed() >= processing.BATCH_SIZE, timeout=120, interval=0.05, what="a first batch")
        with table_held(schema, Contact._meta.db_table, mode="EXCLUSIVE") as holder:
            waiting_client(holder, what="the worker to wait inside a batch")
            committed_before_the_kill = processed()
            assert processing.BATCH_SIZE <= committed_before_the_kill < ROWS
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)

        with committed_alpha.active():
            # The batch the worker was writing is gone with its connection.
            imported = Contact.objects.filter(email__endswith=f"@{marker}.example").count()
            assert imported == committed_before_the_kill

        standby_worker.take_over()  # the next worker

        def finished() -> bool:
            with committed_alpha.active():
                # What beat's resume sweep does, its two minutes already gone by.
                processing.resume_unfinished(now=timezone.now() + processing.RESUME_AFTER)
                job.refresh_from_db()
            return job.status == "done"

        wait_until(finished, timeout=180, interval=1, what="the import to be taken over")
        with committed_alpha.active():
            emails = list(Contact.objects.filter(email__endswith=f"@{marker}.example").values_list("email", flat=True))
        assert len(emails) == ROWS
        assert set(emails) == {f"p{n}@{marker}.example" for n in range(ROWS)}
        assert (job.created_count, job.processed_rows, job.failed_count) == (ROWS, ROWS, 0)
    finally:
        if first.poll() is None:
            stop(first)
