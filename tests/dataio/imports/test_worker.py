"""The import run in a real Celery worker: queued after commit, in the tenant's schema, to the end;
the same task id-for-id queued from beta, while alpha's job waits to run, finds nothing there and
changes nothing in either tenant."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import tenant_context

from modules.contacts.models import Contact
from modules.dataio.imports.choices import DedupeRule, ImportStatus
from modules.dataio.imports.models import ImportJob
from modules.dataio.imports.services import set_mapping, start_import, undo_import, upload_file
from modules.dataio.imports.tasks import run_import_job
from tenants.models import Tenant
from tests.dataio.imports.conftest import csv_bytes
from tests.processes import wait_for_idle_worker, wait_until
from tests.tenancy import TenantFixture, schema_snapshot


@pytest.fixture
def committed(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[TenantFixture, TenantFixture, str]]:
    """Alpha and beta outside a test transaction (the worker sees only committed rows); the test's
    contacts and jobs are removed afterwards."""
    marker = uuid.uuid4().hex[:8]
    with django_db_blocker.unblock():
        alpha = TenantFixture(Tenant.objects.get(slug="alpha"))
        beta = TenantFixture(Tenant.objects.get(slug="beta"))
        yield alpha, beta, marker
        with tenant_context(alpha.tenant):
            Contact.objects.filter(email__endswith=f"@{marker}.example").delete()
            for job in ImportJob.objects.filter(original_name=f"{marker}.csv"):
                job.file.delete(save=False)
                job.delete()
        connection.set_schema_to_public()


@pytest.mark.worker
def test_a_worker_imports_the_file_in_the_tenants_schema(committed, celery_worker) -> None:
    alpha, beta, marker = committed
    rows = [["First name", "Last name", "E-mail"]]
    rows += [[f"P{n}", "Worker", f"p{n}@{marker}.example"] for n in range(40)] + [["Bad", "Row", "nope"]]
    with alpha.active():
        job = upload_file(
            entity="contact", upload=SimpleUploadedFile(f"{marker}.csv", csv_bytes(rows)), by=alpha.user()
        )
        job = set_mapping(job, mapping=job.mapping, dedupe=DedupeRule.SKIP)
        # Given alpha's job ready to run, as a started one is, but not queued yet: a task run in
        # alpha's schema would import it.
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    beta_before = schema_snapshot(beta.tenant)
    worker_log = celery_worker.parent / "worker.log"

    # When beta queues the task with alpha's job id,
    with beta.active():
        beta_result = run_import_job.apply_async((job.pk,))
    wait_until(lambda: f"run_import_job[{beta_result.id}] succeeded" in worker_log.read_text(), timeout=30,
               what="beta's task to run")  # fmt: skip
    wait_for_idle_worker()

    # then it runs in beta's schema, where that job does not exist: alpha's job is untouched.
    assert f"run_import_job[{beta_result.id}] succeeded" in worker_log.read_text()
    beta_line = next(
        line for line in worker_log.read_text().splitlines() if beta_result.id in line and "succeeded" in line
    )
    assert "'nothing-to-do'" in beta_line
    with alpha.active():
        untouched = ImportJob.objects.get(pk=job.pk)
        assert (untouched.status, untouched.processed_rows) == (ImportStatus.QUEUED, 0)
        assert not Contact.objects.filter(email__endswith=f"@{marker}.example").exists()
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.MAPPING)
    assert schema_snapshot(beta.tenant) == beta_before

    # When alpha starts its import, the worker runs it in alpha's schema to the end.
    with alpha.active():
        start_import(job, by=alpha.user())  # autocommit: queued at once

    def finished() -> bool:
        with alpha.active():
            return ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE

    wait_until(finished, timeout=60, what="the import to finish in the worker")

    with alpha.active():
        done = ImportJob.objects.get(pk=job.pk)
        imported = Contact.objects.filter(email__endswith=f"@{marker}.example").count()
        assert (done.created_count, done.failed_count, done.processed_rows, imported) == (40, 1, 41, 40)
        undo_import(done, by=alpha.user())
        assert not Contact.objects.filter(email__endswith=f"@{marker}.example").exists()
    assert schema_snapshot(beta.tenant) == beta_before
