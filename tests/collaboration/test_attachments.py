"""Files on records: stored privately (filesystem, or an S3-compatible bucket — moto's real server
here), served only by the download view as attachments, refused when broken, huge or unnamed
rightly, removed with their record, and out of reach of other tenants and users."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customization.events.models import DomainEvent
from modules.collaboration.models import Attachment
from modules.collaboration.services.attachments import add_attachment, clean_filename
from modules.contacts.models import TimelineEntry
from modules.contacts.services.companies import delete_company
from tests.factories import CompanyFactory, DealFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail

from .conftest import BUCKET, OTHER_REP_EMAIL, VIEWER_EMAIL

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def download_body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_upload_and_download_through_the_s3_server(alpha: TenantFixture, s3_bucket):
    with alpha.active():
        deal = DealFactory(owner=alpha.user())
    client = alpha.client()

    uploaded = client.post(
        f"/records/deal/{deal.pk}/attachments/", {"file": SimpleUploadedFile("../../Offer <v2>.pdf", PDF)}
    )

    assert uploaded.status_code == 302
    with alpha.active():
        attachment = Attachment.objects.get(deal=deal)
        entry = TimelineEntry.objects.get(deal=deal, kind="attachment")
        event = DomainEvent.objects.get(type="attachment.created", record_id=attachment.pk)
    assert (attachment.name, attachment.content_type, attachment.size) == (
        "Offer _v2_.pdf",
        "application/pdf",
        len(PDF),
    )
    assert attachment.storage_key.startswith(f"attachments/{alpha.tenant.schema_name}/")
    stored = s3_bucket.get_object(Bucket=BUCKET, Key=attachment.storage_key)
    assert stored["Body"].read() == PDF
    assert entry.data == {"attachment_id": attachment.pk, "name": "Offer _v2_.pdf", "size": len(PDF)}
    assert event.data["record"] == {"entity": "deal", "id": deal.pk}

    response = client.get(f"/attachments/{attachment.pk}/")

    assert response.status_code == 200
    assert download_body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Offer _v2_.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_upload_and_download_on_the_filesystem(alpha: TenantFixture, private_root):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
    client = alpha.client()

    client.post(
        f"/records/company/{company.pk}/attachments/", {"file": SimpleUploadedFile("notes.txt", b"plain words\n")}
    )

    with alpha.active():
        attachment = Attachment.objects.get(company=company)
    assert (private_root / attachment.storage_key).read_bytes() == b"plain words\n"
    response = client.get(f"/attachments/{attachment.pk}/")
    assert download_body(response) == b"plain words\n"
    assert response["Content-Type"] == "text/plain"


def test_a_page_that_could_run_is_served_as_plain_bytes(alpha: TenantFixture, private_root):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
    client = alpha.client()
    html = b"<!DOCTYPE html><html><script>alert(1)</script></html>"

    client.post(f"/records/company/{company.pk}/attachments/", {"file": SimpleUploadedFile("page.html", html)})

    with alpha.active():
        attachment = Attachment.objects.get(company=company)
    response = client.get(f"/attachments/{attachment.pk}/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("offer.pdf", b"this is not a pdf at all", "not what its name says"),
        ("photo.png", b"\x89PNX broken", "not what its name says"),
        ("empty.txt", b"", "empty"),
        ("big.bin", b"x" * 2049, "larger than"),
    ],
)
def test_broken_empty_and_huge_files_are_refused_naming_the_field(
    alpha: TenantFixture, private_root, settings, name, content, message
):
    settings.ATTACHMENT_MAX_BYTES = 2048
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())

    response = alpha.client().post(
        f"/records/company/{company.pk}/attachments/", {"file": SimpleUploadedFile(name, content)}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="upload-errors"' in html
    assert "File</span>:" in html
    assert message in html
    with alpha.active():
        assert not Attachment.objects.exists()
    assert not any(private_root.rglob("*.*"))


def test_an_upload_without_a_file_is_refused_naming_the_field(alpha: TenantFixture, private_root):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())

    response = alpha.client().post(f"/records/company/{company.pk}/attachments/", {})

    assert response.status_code == 400
    assert "Choose a file" in response.content.decode()


def test_file_names_lose_paths_and_reserved_characters():
    assert clean_filename("C:\\Users\\x\\..\\report.pdf") == "report.pdf"
    assert clean_filename("a\x00b?.txt") == "ab_.txt"
    assert clean_filename("...") == "file"
    long_name = clean_filename("n" * 300 + ".xlsx")
    assert len(long_name) == 200
    assert long_name.endswith(".xlsx")


def test_deleting_the_record_deletes_its_files_once_committed(
    alpha: TenantFixture, s3_bucket, django_capture_on_commit_callbacks
):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        attachment = add_attachment(record=company, upload=SimpleUploadedFile("a.txt", b"a"), by=alpha.user())
        key = attachment.storage_key
        with django_capture_on_commit_callbacks(execute=False) as pending:
            delete_company(company, by=alpha.user())
        assert s3_bucket.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 1  # not before the commit
        for callback in pending:
            callback()
        assert not Attachment.objects.filter(storage_key=key).exists()
    assert s3_bucket.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0


def test_a_failed_write_leaves_no_file_behind(alpha: TenantFixture, private_root, monkeypatch):
    from modules.collaboration.services import attachments

    def broken(*args, **kwargs):
        raise ValidationError({"file": ["no"]})

    monkeypatch.setattr(attachments, "record_entry", broken)
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        with pytest.raises(ValidationError):
            add_attachment(record=company, upload=SimpleUploadedFile("a.txt", b"a"), by=alpha.user())
        assert not Attachment.objects.exists()
    assert not any(path.is_file() for path in private_root.rglob("*"))


def test_files_follow_the_records_visibility_and_permissions(alpha: TenantFixture, private_root, other_rep, viewer):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        attachment = add_attachment(record=company, upload=SimpleUploadedFile("a.txt", b"secret"), by=alpha.user())

    as_other = alpha.client(OTHER_REP_EMAIL)  # a rep who does not own the company
    assert as_other.get(f"/attachments/{attachment.pk}/").status_code == 404
    assert as_other.post(f"/attachments/{attachment.pk}/delete/").status_code == 404
    upload = {"file": SimpleUploadedFile("b.txt", b"b")}
    assert as_other.post(f"/records/company/{company.pk}/attachments/", upload).status_code == 404
    as_viewer = alpha.client(VIEWER_EMAIL)  # sees it, may not change it
    assert as_viewer.get(f"/attachments/{attachment.pk}/").status_code == 200
    upload = {"file": SimpleUploadedFile("b.txt", b"b")}
    assert as_viewer.post(f"/records/company/{company.pk}/attachments/", upload).status_code == 403
    assert as_viewer.post(f"/attachments/{attachment.pk}/delete/").status_code == 403
    with alpha.active():
        assert list(Attachment.objects.values_list("name", flat=True)) == ["a.txt"]


def test_only_the_uploader_or_an_administrator_removes_a_file(alpha: TenantFixture, private_root):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        company = CompanyFactory(owner=rep)
        attachment = add_attachment(record=company, upload=SimpleUploadedFile("a.txt", b"a"), by=alpha.user())

    assert alpha.client(REP_EMAIL).post(f"/attachments/{attachment.pk}/delete/").status_code == 403
    assert alpha.client().post(f"/attachments/{attachment.pk}/delete/").status_code == 302
    with alpha.active():
        assert not Attachment.objects.exists()
        assert TimelineEntry.objects.get(company=company, kind="attachment").data["removed"] is True


def test_files_of_another_tenant_cannot_be_reached(alpha: TenantFixture, beta: TenantFixture, private_root):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        attachment = add_attachment(record=company, upload=SimpleUploadedFile("a.txt", b"alpha"), by=alpha.user())

    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/attachments/{attachment.pk}/", {}),
            ("post", f"/attachments/{attachment.pk}/delete/", {}),
            ("post", f"/records/company/{company.pk}/attachments/", {}),
        ],
    )


def test_the_files_list_costs_the_same_for_5_and_50_files(alpha: TenantFixture, private_root):
    admin = alpha.user()
    with alpha.active():
        few, many = CompanyFactory(owner=admin), CompanyFactory(owner=admin)
        for record, count in ((few, 5), (many, 50)):
            for index in range(count):
                add_attachment(record=record, upload=SimpleUploadedFile(f"f{index}.txt", b"x"), by=admin)
    client = alpha.client()
    client.get(f"/records/company/{few.pk}/panel/")

    with CaptureQueriesContext(connection) as small:
        first = client.get(f"/records/company/{few.pk}/panel/").content.decode()
    with CaptureQueriesContext(connection) as large:
        second = client.get(f"/records/company/{many.pk}/panel/").content.decode()

    assert len(small) == len(large)
    assert first.count('data-testid="attachment-link"') == 5
    assert second.count('data-testid="attachment-link"') == 50
