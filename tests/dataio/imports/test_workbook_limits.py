"""A workbook is parsed by the worker, never in the upload request, and only within the limits: a
small file that unpacks to far more (a zip bomb, huge shared strings) is refused naming the limit."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from modules.dataio.imports.choices import ImportStatus
from modules.dataio.imports.models import ImportJob
from modules.dataio.imports.services import upload_file
from modules.dataio.imports.tasks import read_import_file
from tests.dataio.imports.conftest import xlsx_bytes
from tests.tenancy import TenantFixture

ROWS = [["First name", "Last name", "E-mail"], ["Ana", "Pop", "ana@book.example"], ["Ion", "Rus", "ion@book.example"]]


def with_shared_strings(workbook: bytes, count: int) -> bytes:
    """``workbook`` with its shared-strings part swapped for one of ``count`` strings: it unpacks to
    many megabytes and packs to a few kilobytes."""
    strings = b"<si><t>x</t></si>" * count
    shared = (
        (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
            % (count, count)
        )
        + strings
        + b"</sst>"
    )
    source = zipfile.ZipFile(io.BytesIO(workbook))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for member in source.infolist():
            if member.filename != "xl/sharedStrings.xml":
                target.writestr(member, source.read(member))
        target.writestr("xl/sharedStrings.xml", shared)
    return buffer.getvalue()


def _upload(client, name: str, content: bytes):  # type: ignore[no-untyped-def]
    return client.post("/imports/new/", {"entity": "contact", "file": SimpleUploadedFile(name, content)})


def _read(alpha: TenantFixture, job: ImportJob) -> ImportJob:
    with alpha.active():
        assert read_import_file.run(job.pk) in (ImportStatus.MAPPING, "failed")
        return ImportJob.objects.get(pk=job.pk)


def test_a_workbook_is_only_stored_at_upload_and_read_by_the_worker(
    alpha: TenantFixture, django_capture_on_commit_callbacks
) -> None:
    client = alpha.client()
    # given a workbook uploaded on the page
    with django_capture_on_commit_callbacks(execute=False) as queued:
        uploaded = _upload(client, "people.xlsx", xlsx_bytes(ROWS))
    with alpha.active():
        job = ImportJob.objects.get(original_name="people.xlsx")
    # then the request stored it unread and queued the worker's reading
    assert (uploaded.status_code, uploaded["Location"]) == (302, f"/imports/{job.pk}/")
    assert (job.status, job.header, job.sample_rows, len(queued)) == (ImportStatus.READING, [], [], 1)
    assert 'data-status="reading"' in client.get(f"/imports/{job.pk}/progress/").content.decode()

    # when the worker reads it
    job = _read(alpha, job)

    # then the job waits for its mapping with the header, first rows and suggestion, and the pages
    # show them without opening the file again
    assert (job.status, job.header, job.total_rows) == (ImportStatus.MAPPING, ["First name", "Last name", "E-mail"], 2)
    assert job.mapping == ["first_name", "last_name", "email"]
    with alpha.active():
        job.file.delete(save=False)
    mapping_page = client.get(f"/imports/{job.pk}/mapping/")
    assert mapping_page.status_code == 200
    assert "ana@book.example" in mapping_page.content.decode()
    client.post(
        f"/imports/{job.pk}/mapping/",
        {"column_0": "first_name", "column_1": "last_name", "column_2": "email", "dedupe": "skip"},
    )
    preview = client.get(f"/imports/{job.pk}/preview/").content.decode()
    assert preview.count('data-testid="preview-row"') == 2


def test_huge_shared_strings_in_a_small_workbook_are_refused_by_the_worker_naming_the_limit(
    alpha: TenantFixture, settings, django_capture_on_commit_callbacks
) -> None:
    # given a 3-row workbook carrying 200,000 shared strings (3.4 MB unpacked) and a limit of 1,000 cells
    settings.IMPORT_XLSX_MAX_CELLS = 1000
    bomb = with_shared_strings(xlsx_bytes(ROWS), 200_000)
    assert len(bomb) < 20_000
    client = alpha.client()
    with django_capture_on_commit_callbacks(execute=False):
        assert _upload(client, "bomb.xlsx", bomb).status_code == 302
    with alpha.active():
        job = ImportJob.objects.get(original_name="bomb.xlsx")

    # when the worker reads it
    job = _read(alpha, job)

    # then the job failed with the limit named, nothing was read, and the page says so
    message = "The workbook has more than 1,000 cells; split it or save it as CSV."
    assert (job.status, job.error, job.header, job.sample_rows) == (ImportStatus.FAILED, message, [], [])
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert message in page
    assert 'data-testid="undo-import"' not in page


def test_a_workbook_unpacking_past_the_size_limit_is_refused_on_the_form(alpha: TenantFixture, settings) -> None:
    # given a limit of 1 MB unpacked and a small workbook whose parts declare 3.4 MB
    settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    bomb = with_shared_strings(xlsx_bytes(ROWS), 200_000)
    with alpha.active():
        jobs = ImportJob.objects.count()

    # when it is uploaded
    response = _upload(alpha.client(), "bomb.xlsx", bomb)

    # then the form names the limit and no job exists
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "The workbook unpacks to more than 1 MB; split it or save it as CSV."
    ]
    with alpha.active():
        assert ImportJob.objects.count() == jobs


def test_a_workbook_with_more_cells_than_the_limit_is_refused_by_the_worker(alpha: TenantFixture, settings) -> None:
    # given a limit of 10 cells and a workbook of 4 rows of 3 numbers under its header
    settings.IMPORT_XLSX_MAX_CELLS = 10
    content = xlsx_bytes([["A", "B", "C"], *[[row, row + 1, row + 2] for row in range(4)]])
    with alpha.active():
        job = upload_file(entity="contact", upload=SimpleUploadedFile("cells.xlsx", content), by=None)

    # when the worker reads it
    job = _read(alpha, job)

    # then it is refused with the limit named
    assert (job.status, job.error, job.header) == (
        ImportStatus.FAILED,
        "The workbook has more than 10 cells; split it or save it as CSV.",
        [],
    )


def test_a_zip_without_a_workbook_is_refused_at_upload(alpha: TenantFixture) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    with alpha.active():
        jobs = ImportJob.objects.count()

    response = _upload(alpha.client(), "archive.xlsx", buffer.getvalue())

    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["This is not a valid .xlsx file."]
    with alpha.active():
        assert ImportJob.objects.count() == jobs
