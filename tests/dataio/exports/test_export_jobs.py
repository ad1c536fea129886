"""Long list exports as jobs: queued after commit, built into a private file of the tenant's own,
downloaded only by their creator or an admin of the same tenant, purged when expired."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from modules.dataio.exports.choices import ExportStatus
from modules.dataio.exports.models import ExportJob
from modules.dataio.exports.services import purge_expired, run_export, start_list_export
from modules.dataio.exports.tasks import purge_exports
from modules.dataio.exports.tasks import run_export as run_export_task
from tests.dataio.exports.conftest import body_of, xlsx_rows
from tests.factories import CompanyFactory
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, grant


def _long_list(alpha: TenantFixture, settings: Any, count: int = 5) -> None:
    settings.EXPORT_SYNC_ROWS = 3
    with alpha.active():
        for index in range(count):
            CompanyFactory(name=f"Row {index:02}", lifecycle_stage="customer" if index % 2 == 0 else "lead")


def _finished_job(alpha: TenantFixture, settings: Any, file_format: str = "csv") -> ExportJob:
    _long_list(alpha, settings)
    with alpha.active():
        job = start_list_export(user=alpha.user(), entity="company", file_format=file_format, query="sort=-name")
        finished = run_export(job.pk)
    assert finished is not None
    return finished


def _run_as(alpha: TenantFixture, email: str) -> ExportJob:
    with alpha.active():
        job = start_list_export(user=alpha.user(email), entity="company", file_format="csv", query="")
        finished = run_export(job.pk)
    assert finished is not None
    return finished


def test_a_long_list_becomes_a_job_queued_after_commit(
    alpha: TenantFixture, settings: Any, django_capture_on_commit_callbacks: Any
):
    _long_list(alpha, settings)

    with django_capture_on_commit_callbacks() as callbacks:
        response = alpha.client().get("/exports/list/company/xlsx/?lifecycle_stage=customer&sort=-name&after=abc")
    # three customers are not more than the limit: streamed at once, no job
    assert response.status_code == 200
    assert callbacks == []

    with django_capture_on_commit_callbacks() as callbacks:
        response = alpha.client().get("/exports/list/company/xlsx/?sort=-name&after=abc")

    with alpha.active():
        job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/exports/{job.pk}/"
    assert len(callbacks) == 1
    assert (job.entity, job.file_format, job.query, job.status) == ("company", "xlsx", "sort=-name", "queued")
    assert job.created_by == alpha.user()


def test_the_job_writes_the_file_and_its_page_offers_the_download(
    alpha: TenantFixture, settings: Any, private_files: Path
):
    job = _finished_job(alpha, settings, "xlsx")

    assert job.status == ExportStatus.DONE
    assert job.row_count == 5
    assert job.progress == 100
    assert job.file_path.startswith(f"{alpha.tenant.schema_name}/")
    assert (private_files / job.file_path).is_file()
    assert job.expires_at is not None
    assert job.expires_at - job.finished_at == timedelta(days=7)  # type: ignore[operator]

    page = alpha.client().get(f"/exports/{job.pk}/")
    fragment = alpha.client().get(f"/exports/{job.pk}/", HTTP_HX_REQUEST="true")
    download = alpha.client().get(f"/exports/{job.pk}/download/")

    assert f'href="/exports/{job.pk}/download/"'.encode() in page.content
    assert b'data-status="done"' in fragment.content
    assert b"hx-trigger" not in fragment.content  # finished: no more polling
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="company-export-{job.pk}.xlsx"'
    headers, rows = xlsx_rows(body_of(download))
    assert [row[headers.index("Name")] for row in rows] == ["Row 04", "Row 03", "Row 02", "Row 01", "Row 00"]


def test_a_running_job_page_polls_its_progress(alpha: TenantFixture):
    with alpha.active():
        job = start_list_export(user=alpha.user(), entity="contact", file_format="csv", query="")
        ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress=40)

    fragment = alpha.client().get(f"/exports/{job.pk}/", HTTP_HX_REQUEST="true")

    assert b'hx-trigger="every 2s"' in fragment.content
    assert b'aria-valuenow="40"' in fragment.content
    assert alpha.client().get(f"/exports/{job.pk}/download/").status_code == 404


def test_the_job_list_shows_only_the_users_own_jobs(alpha: TenantFixture, settings: Any):
    job = _finished_job(alpha, settings)
    grant(alpha, "sales_rep", "data.export")

    mine = alpha.client().get("/exports/")
    theirs = alpha.client(REP_EMAIL).get("/exports/")

    assert f"/exports/{job.pk}/download/".encode() in mine.content
    assert f"/exports/{job.pk}/".encode() not in theirs.content


def test_another_user_cannot_download_but_an_admin_can(alpha: TenantFixture, settings: Any):
    grant(alpha, "sales_rep", "data.export")
    _long_list(alpha, settings)
    job = _run_as(alpha, REP_EMAIL)
    admins_job = _run_as(alpha, ADMIN_EMAIL)

    assert alpha.client(REP_EMAIL).get(f"/exports/{admins_job.pk}/download/").status_code == 404
    assert alpha.client(REP_EMAIL).get(f"/exports/{admins_job.pk}/").status_code == 404
    assert alpha.client(REP_EMAIL).get(f"/exports/{job.pk}/download/").status_code == 200
    assert alpha.client().get(f"/exports/{job.pk}/download/").status_code == 200


def test_a_job_runs_as_its_creator_sees_the_records(alpha: TenantFixture, settings: Any):
    grant(alpha, "sales_rep", "data.export")
    with alpha.active():
        CompanyFactory(name="Rep's", owner=alpha.user(REP_EMAIL))
        CompanyFactory(name="Admin's", owner=alpha.user())
    job = _run_as(alpha, REP_EMAIL)

    content = body_of(alpha.client(REP_EMAIL).get(f"/exports/{job.pk}/download/")).decode("utf-8-sig")

    assert "Rep's" in content
    assert "Admin's" not in content


def test_beta_cannot_reach_alphas_job_by_id_or_path(alpha: TenantFixture, beta: TenantFixture, settings: Any):
    job = _finished_job(alpha, settings)

    assert_cross_tenant_requests_fail(
        alpha, beta, [("get", f"/exports/{job.pk}/download/", {}), ("get", f"/exports/{job.pk}/", {})]
    )
    for guess in (f"/media/{job.file_path}", f"/exports/{job.file_path}", f"/private/exports/{job.file_path}"):
        assert beta.client().get(guess).status_code == 404
        assert alpha.client().get(guess).status_code == 404
    # A job row in beta pointing at alpha's file (a forged path) is refused too.
    with beta.active():
        forged = ExportJob.objects.create(
            entity="company", file_format="csv", status=ExportStatus.DONE, file_path=job.file_path,
            created_by=beta.user(),
        )  # fmt: skip
    assert beta.client().get(f"/exports/{forged.pk}/download/").status_code == 404


def test_a_task_queued_in_alpha_writes_only_alphas_data(alpha: TenantFixture, beta: TenantFixture, settings: Any):
    with beta.active():
        CompanyFactory(name="Beta secret Ltd")
        beta_jobs_before = list(ExportJob.objects.values_list("pk", "status"))
    with alpha.active():
        CompanyFactory(name="Alpha visible Ltd")
        job = start_list_export(user=alpha.user(), entity="company", file_format="csv", query="")
        result = run_export_task.apply(args=[job.pk]).get()
        job.refresh_from_db()

    assert result == "done"
    content = body_of(alpha.client().get(f"/exports/{job.pk}/download/")).decode("utf-8-sig")
    assert "Alpha visible Ltd" in content
    assert "Beta secret Ltd" not in content
    with beta.active():
        assert list(ExportJob.objects.values_list("pk", "status")) == beta_jobs_before


def test_a_job_runs_once_even_when_delivered_twice(alpha: TenantFixture, settings: Any):
    job = _finished_job(alpha, settings)

    with alpha.active():
        assert run_export(job.pk) is None
        job_after = ExportJob.objects.get(pk=job.pk)
    assert job_after.file_path == job.file_path


def test_expired_files_are_purged(alpha: TenantFixture, settings: Any, private_files: Path):
    job = _finished_job(alpha, settings)
    fresh = _finished_job(alpha, settings)
    old_file = private_files / job.file_path
    assert old_file.is_file()
    with alpha.active():
        ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        purged = purge_exports.apply().get()
        job.refresh_from_db()
        fresh.refresh_from_db()

    assert purged == 1
    assert job.status == ExportStatus.EXPIRED
    assert job.file_path == ""
    assert not old_file.exists()
    assert list(private_files.glob(f"{alpha.tenant.schema_name}/*")) == [private_files / fresh.file_path]
    assert alpha.client().get(f"/exports/{job.pk}/download/").status_code == 404
    assert b"expired" in alpha.client().get(f"/exports/{job.pk}/").content
    with alpha.active():
        assert purge_expired() == 0
