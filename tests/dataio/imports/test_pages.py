"""The import pages: upload → mapping → preview → start → progress → result, error report, undo;
bad input answered with field-named errors; permissions; beta never reaches alpha's jobs."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from modules.contacts.models import Contact
from modules.dataio.imports.choices import ImportStatus
from modules.dataio.imports.models import ImportJob
from modules.dataio.imports.processing import run_import
from tests.dataio.imports.conftest import csv_bytes, imported, job_requests, uploaded_job
from tests.factories import CompanyFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail

ROWS = [["First name", "Last name", "E-mail"], ["Ana", "Pop", "ana@page.example"], ["Ion", "Rus", "broken"]]


def _upload(client, content: bytes, *, name: str = "people.csv", entity: str = "contact"):  # type: ignore[no-untyped-def]
    return client.post("/imports/new/", {"entity": entity, "file": SimpleUploadedFile(name, content)})


def test_an_admin_imports_a_file_from_upload_to_undo(alpha: TenantFixture, django_capture_on_commit_callbacks) -> None:
    client = alpha.client()

    uploaded = _upload(client, csv_bytes(ROWS))
    with alpha.active():
        job = ImportJob.objects.get(original_name="people.csv")
    assert uploaded.status_code == 302
    assert uploaded["Location"] == f"/imports/{job.pk}/mapping/"
    mapping_page = client.get(f"/imports/{job.pk}/mapping/")
    assert mapping_page.status_code == 200
    assert 'value="email" selected' in mapping_page.content.decode()

    mapped = client.post(
        f"/imports/{job.pk}/mapping/",
        {"column_0": "first_name", "column_1": "last_name", "column_2": "email", "dedupe": "skip"},
    )
    assert mapped["Location"] == f"/imports/{job.pk}/preview/"
    preview = client.get(f"/imports/{job.pk}/preview/").content.decode()
    assert preview.count('data-testid="preview-row"') == 2
    assert 'data-state="error"' in preview
    assert "Enter a valid email address." in preview

    with django_capture_on_commit_callbacks(execute=False) as queued:
        started = client.post(f"/imports/{job.pk}/start/")
    assert (started.status_code, len(queued)) == (302, 1)
    running = client.get(f"/imports/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in running
    with alpha.active():
        run_import(job.pk)

    done = client.get(f"/imports/{job.pk}/").content.decode()
    assert 'data-status="done"' in done
    assert 'hx-trigger="every 1s"' not in done
    assert 'data-testid="count-created">1<' in done
    report = client.get(f"/imports/{job.pk}/errors.csv")
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(report.streaming_content).decode()
    assert text.splitlines()[1] == "Ion,Rus,broken,3,E-mail: Enter a valid email address."
    original = client.get(f"/imports/{job.pk}/file/")
    assert b"".join(original.streaming_content) == csv_bytes(ROWS)

    confirm = client.get(f"/imports/{job.pk}/undo/")
    assert "1 record the import created will be deleted." in confirm.content.decode()
    undone = client.post(f"/imports/{job.pk}/undo/")
    assert undone.status_code == 302
    with alpha.active():
        assert not Contact.objects.filter(email="ana@page.example").exists()
        assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.UNDONE


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.pdf", b"%PDF-1.4 ...", "Upload a .csv or .xlsx file."),
        ("people.csv", b"", "The submitted file is empty."),
        ("people.csv", b"First name,E-mail\r\n", "The file has a header but no rows to import."),
        ("people.csv", b"\r\n\r\n", "The file is empty."),
        ("people.xlsx", b"not a workbook", "This is not a valid .xlsx file."),
    ],
)
def test_bad_files_are_refused_naming_the_field(alpha: TenantFixture, name: str, content: bytes, message: str):
    response = _upload(alpha.client(), content, name=name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'data-testid="error-file"' in response.content.decode()
    with alpha.active():
        assert not ImportJob.objects.exists()


def test_a_file_over_the_size_limit_is_refused(alpha: TenantFixture, settings) -> None:
    settings.IMPORT_MAX_FILE_BYTES = 2 * 1024 * 1024
    content = csv_bytes([ROWS[0], *([["A", "B", "c@example.test"]] * 150_000)])

    response = _upload(alpha.client(), content)

    assert response.status_code == 400
    assert "The file is larger than 2 MB." in response.content.decode()


def test_a_mapping_without_a_name_column_is_refused_on_the_page(alpha: TenantFixture) -> None:
    client = alpha.client()
    _upload(client, csv_bytes(ROWS))
    with alpha.active():
        job = ImportJob.objects.get()

    response = client.post(f"/imports/{job.pk}/mapping/", {"column_2": "email", "dedupe": "create"})

    assert response.status_code == 400
    assert "Map a column to First name / Last name." in response.content.decode()
    with alpha.active():
        stored = ImportJob.objects.get()
    assert (stored.status, stored.mapping) == (ImportStatus.MAPPING, ["first_name", "last_name", "email"])


def test_importing_needs_the_import_and_the_module_change_permissions(alpha: TenantFixture) -> None:
    rep = alpha.client(REP_EMAIL)
    with alpha.active():
        job = uploaded_job("contact", csv_bytes(ROWS), by=alpha.user())

    assert rep.get("/imports/").status_code == 403
    assert rep.get(f"/imports/{job.pk}/").status_code == 403
    assert _upload(rep, csv_bytes(ROWS)).status_code == 403


def test_the_history_costs_the_same_queries_for_many_jobs(alpha: TenantFixture, django_assert_max_num_queries):
    client = alpha.client()
    with alpha.active():
        for _ in range(3):
            uploaded_job("contact", csv_bytes(ROWS), by=alpha.user())
    with django_assert_max_num_queries(12) as few:
        assert client.get("/imports/").status_code == 200
    with alpha.active():
        for _ in range(20):
            uploaded_job("contact", csv_bytes(ROWS), by=alpha.user())
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/imports/")
    assert page.content.decode().count('data-testid="import-row"') == 23


def test_beta_cannot_see_download_start_or_undo_alphas_jobs(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        CompanyFactory(name="Acme")
        mapped = uploaded_job("contact", csv_bytes(ROWS), by=alpha.user())
        done = imported(uploaded_job("contact", csv_bytes(ROWS), by=alpha.user()))

    assert_cross_tenant_requests_fail(alpha, beta, job_requests(done, mapped))


@pytest.mark.parametrize(
    ("url_name", "entity"),
    [
        ("contacts:company-list", "company"),
        ("contacts:contact-list", "contact"),
        ("sales:lead-list", "lead"),
        ("sales:deal-list", "deal"),
    ],
)
def test_list_pages_offer_the_import_to_those_who_may_import(alpha: TenantFixture, url_name: str, entity: str):
    from django.urls import reverse

    with alpha.active():
        url = reverse(url_name)

    admin_page = alpha.client().get(url).content.decode()
    rep_page = alpha.client(REP_EMAIL).get(url).content.decode()

    assert f'href="/imports/new/?entity={entity}" data-testid="import-records"' in admin_page
    assert 'data-testid="import-records"' not in rep_page


def test_the_upload_page_preselects_the_record_type_from_the_list(alpha: TenantFixture) -> None:
    page = alpha.client().get("/imports/new/?entity=deal").content.decode()

    assert '<option value="deal" selected>' in page
