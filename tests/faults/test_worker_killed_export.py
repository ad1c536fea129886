"""A Celery worker SIGKILLed in the middle of an export: the job is taken over by the next worker
once the dead one's database connection (which held the job's runner lock) is gone, and built
again from the start: one finished job, one file, every row once.

The kill is placed while the export reads its rows: the test holds a lock on the companies table,
so the first worker waits there with the job marked running."""

from __future__ import annotations

import csv
import io
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from modules.contacts.models import Company
from modules.dataio.exports import services
from modules.dataio.exports.models import ExportJob
from modules.dataio.exports.storage import export_root, private_storage
from tests import processes
from tests.factories import CompanyFactory
from tests.faults.conftest import StandbyWorker
from tests.faults.locks import table_held, waiting_client
from tests.processes import start_celery_worker, stop, wait_until
from tests.tenancy import TenantFixture

PREFIX = "fault-export"
COMPANIES = 12


@pytest.fixture
def export_cleanup(committed_alpha: TenantFixture) -> Iterator[None]:
    yield
    with tenant_context(committed_alpha.tenant):
        for job in ExportJob.objects.filter(entity="company", query__contains=PREFIX):
            if job.file_path:
                private_storage().delete(job.file_path)
            job.delete()
        Company.objects.filter(name__startswith=PREFIX).delete()
    connection.set_schema_to_public()


def files_of(schema: str) -> set[Path]:
    return {path for path in (export_root() / schema).glob("*") if path.is_file()}


@pytest.mark.worker
def test_an_export_whose_worker_is_killed_is_built_once_by_the_next_worker(
    committed_alpha: TenantFixture, export_cleanup: None, tmp_path: Path, standby_worker: StandbyWorker
) -> None:
    schema = committed_alpha.tenant.schema_name
    files_before = files_of(schema)
    environment = processes.test_process_environment(tmp_path)
    with committed_alpha.active():
        for index in range(COMPANIES):
            CompanyFactory(name=f"{PREFIX} {index:02}")
        admin = committed_alpha.user()
    first = start_celery_worker(environment, tmp_path / "first.log")
    try:
        with table_held(schema, Company._meta.db_table) as holder:
            with committed_alpha.active():
                job = services.start_list_export(user=admin, entity="company", file_format="csv", query=f"q={PREFIX}")

            waiting_client(holder, what="the export to wait on the companies")
            with committed_alpha.active():
                job.refresh_from_db()
                assert job.status == "running"
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)

        standby_worker.take_over()  # the next worker

        def finished() -> bool:
            with committed_alpha.active():
                # What beat's resume sweep does, its two minutes already gone by.
                services.resume_unfinished(now=timezone.now() + services.RESUME_AFTER)
                job.refresh_from_db()
            return job.is_finished

        wait_until(finished, timeout=90, interval=1, what="the export to be taken over")
        assert job.status == "done", job.error
        assert files_of(schema) - files_before == {export_root() / job.file_path}
        content = private_storage().open(job.file_path).read().decode("utf-8-sig")
        names = [row["Name"] for row in csv.DictReader(io.StringIO(content))]
        assert sorted(names) == [f"{PREFIX} {index:02}" for index in range(COMPANIES)]
        assert job.row_count == COMPANIES
        with committed_alpha.active():
            assert ExportJob.objects.filter(entity="company", query__contains=PREFIX).count() == 1
    finally:
        if first.poll() is None:
            stop(first)
