"""A list export run by a real Celery worker: queued after commit from the request, built in
the tenant's schema, downloaded through the authorizing view."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from modules.contacts.models import Company
from modules.dataio.exports.models import ExportJob
from modules.dataio.exports.storage import export_root, private_storage
from tenants.models import Tenant
from tests.dataio.exports.conftest import csv_rows
from tests.factories import CompanyFactory
from tests.tenancy import TenantFixture

PREFIX = "Worker export"


@pytest.fixture
def private_files() -> Path:
    """The worker is another process: it and this test share the default private root."""
    return export_root()


@pytest.fixture
def committed_alpha(django_db_setup: None, django_db_blocker: Any) -> Iterator[TenantFixture]:
    """Alpha outside a test transaction, for the worker to see; this test's rows and files are removed."""
    with django_db_blocker.unblock():
        alpha = TenantFixture(Tenant.objects.get(slug="alpha"))
        yield alpha
        with tenant_context(alpha.tenant):
            for job in ExportJob.objects.filter(entity="company", query__contains="Worker"):
                if job.file_path:
                    private_storage().delete(job.file_path)
                job.delete()
            Company.objects.filter(name__startswith=PREFIX).delete()
        connection.set_schema_to_public()


@pytest.mark.worker
def test_a_long_list_is_exported_by_a_real_worker(committed_alpha: TenantFixture, celery_worker: Path, settings: Any):
    from tests.processes import wait_until

    settings.EXPORT_SYNC_ROWS = 2
    with committed_alpha.active():
        for index in range(4):
            CompanyFactory(name=f"{PREFIX} {index}")
    client = committed_alpha.client()

    response = client.get("/exports/list/company/csv/?q=Worker&sort=-name")

    with committed_alpha.active():
        job = ExportJob.objects.get(entity="company", query="q=Worker&sort=-name")
    assert response.status_code == 302

    def finished() -> bool:
        with committed_alpha.active():
            job.refresh_from_db()
        return job.is_finished

    wait_until(finished, timeout=60, what="the export job")
    assert job.status == "done", job.error
    assert job.file_path.startswith(f"{committed_alpha.tenant.schema_name}/")
    download = client.get(f"/exports/{job.pk}/download/")
    assert download.status_code == 200
    assert [row["Name"] for row in csv_rows(download)] == [f"{PREFIX} {index}" for index in (3, 2, 1, 0)]
