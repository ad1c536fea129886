"""Files over REST: ``/api/v1/<record>/<id>/files/`` lists and uploads (multipart), ``files/<id>/
download/`` streams the bytes as an attachment, ``DELETE files/<id>/`` removes one — through the
pages' service, within the record's visibility, the role's permissions and the credential's scopes."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from oauth2_provider.models import Application

from customization.events.models import DomainEvent
from modules.collaboration.models import Attachment
from modules.collaboration.services.attachments import add_attachment
from modules.contacts.models import TimelineEntry
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.access.test_oauth2 import client_credentials_token, register
from tests.api.rest_crm.helpers import api_client, assert_rest_requests_fail_across_tenants, field_names, queries_for
from tests.factories import CompanyFactory, DealFactory
from tests.sales.orders.conftest import make_order
from tests.tenancy import REP_EMAIL, TenantFixture

from .conftest import BUCKET, OTHER_REP_EMAIL, VIEWER_EMAIL

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def upload(client: Client, path: str, name: str, content: bytes):
    return client.post(path, {"file": SimpleUploadedFile(name, content)})


def download_body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_file_is_uploaded_listed_downloaded_and_removed_through_the_s3_server(
    alpha: TenantFixture, s3_bucket, django_capture_on_commit_callbacks
):
    order = make_order(alpha)
    key = bearer_client(alpha, issue_key(alpha, scopes=("sales:read", "sales:write"))[1])
    path = f"/api/v1/orders/{order.pk}/files/"

    created = upload(key, path, "Delivery note é.pdf", PDF)
    listed = key.get(path)
    attachment_id = created.json()["id"]
    downloaded = key.get(f"{path}{attachment_id}/download/")

    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["name"], body["content_type"], body["size"]) == ("Delivery note é.pdf", "application/pdf", len(PDF))
    assert body["uploaded_by"]["email"] == alpha.user().email
    assert body["download_url"] == f"http://{alpha.host}{path}{attachment_id}/download/"
    assert [item["id"] for item in listed.json()["results"]] == [attachment_id]
    assert downloaded.status_code == 200
    assert download_body(downloaded) == PDF
    assert downloaded["Content-Type"] == "application/pdf"
    assert downloaded["Content-Disposition"] == "attachment; filename*=utf-8''Delivery%20note%20%C3%A9.pdf"
    assert downloaded["X-Content-Type-Options"] == "nosniff"
    assert downloaded["Cache-Control"] == "private, no-store"
    with alpha.active():
        attachment = Attachment.objects.get(pk=attachment_id)
        assert TimelineEntry.objects.filter(order=order, kind="attachment").count() == 1
        assert DomainEvent.objects.filter(type="attachment.created", record_id=attachment_id).exists()
    assert s3_bucket.get_object(Bucket=BUCKET, Key=attachment.storage_key)["Body"].read() == PDF

    with django_capture_on_commit_callbacks(execute=True):
        removed = key.delete(f"{path}{attachment_id}/")

    assert removed.status_code == 204
    assert key.get(f"{path}{attachment_id}/download/").status_code == 404
    with alpha.active():
        assert not Attachment.objects.exists()
    assert s3_bucket.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0


def test_a_page_a_browser_would_run_downloads_as_plain_bytes(alpha: TenantFixture, private_root):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
    client = api_client(alpha)

    created = upload(client, f"/api/v1/companies/{company.pk}/files/", "page.html", b"<html><script>x</script>")
    response = client.get(
        f"/api/v1/companies/{company.pk}/files/{created.json()['id']}/download/", HTTP_ACCEPT="application/octet-stream"
    )

    assert created.json()["content_type"] == "text/html"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="page.html"'


@pytest.mark.parametrize(
    ("name", "content"),
    [("empty.txt", b""), ("report.pdf", b"not a pdf at all"), ("big.txt", b"x" * 2048)],
    ids=["empty", "broken", "too-large"],
)
def test_empty_broken_and_oversized_files_are_a_400_naming_file(
    alpha: TenantFixture, private_root, settings, name, content
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    with alpha.active():
        deal = DealFactory(owner=alpha.user())

    response = upload(api_client(alpha), f"/api/v1/deals/{deal.pk}/files/", name, content)

    assert response.status_code == 400
    assert field_names(response) == ["file"]
    with alpha.active():
        assert not Attachment.objects.exists()
    assert not list(private_root.rglob("*.*"))


def test_missing_broken_and_mistyped_bodies_are_4xx_naming_file(alpha: TenantFixture, private_root):
    with alpha.active():
        deal = DealFactory(owner=alpha.user())
    client = api_client(alpha)
    path = f"/api/v1/deals/{deal.pk}/files/"
    truncated = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("a.txt", b"abc")})[:-30]

    answers = {
        "no file": client.post(path, {"other": "x"}),
        "text, not a file": client.post(path, {"file": "just words"}),
        "broken multipart": client.post(path, truncated, content_type=f"multipart/form-data; boundary={BOUNDARY}"),
        "no boundary": client.post(path, b"--x\r\n", content_type="multipart/form-data"),
    }

    for label, response in answers.items():
        assert response.status_code == 400, (label, response.content)
        assert field_names(response) == ["file"], label
    assert client.post(path, {"file": "x"}, content_type="application/json").status_code == 415
    with alpha.active():
        assert not Attachment.objects.exists()


def test_a_name_with_control_characters_and_huge_length_is_cleaned(alpha: TenantFixture, private_root):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())

    response = upload(api_client(alpha), f"/api/v1/companies/{company.pk}/files/", "a\x00b" * 200 + ".txt", b"t")

    assert response.status_code == 201
    assert "\x00" not in response.json()["name"]
    assert 0 < len(response.json()["name"]) <= 200
    assert response.json()["name"].endswith(".txt")


def test_a_body_declared_larger_than_a_file_may_be_is_a_413_naming_file(alpha: TenantFixture, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())

    response = api_client(alpha).generic(
        "POST",
        f"/api/v1/companies/{company.pk}/files/",
        b"",
        content_type=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(10 * 1024 * 1024),
    )

    assert response.status_code == 413
    assert field_names(response) == ["file"]


def test_scopes_roles_and_visibility_decide_who_reads_and_writes_files(
    alpha: TenantFixture, private_root, other_rep, viewer
):
    with alpha.active():
        deal = DealFactory(owner=alpha.user())
        mine = add_attachment(record=deal, upload=SimpleUploadedFile("a.txt", b"a"), by=alpha.user())
    path = f"/api/v1/deals/{deal.pk}/files/"
    reader = bearer_client(alpha, issue_key(alpha, scopes=("sales:read",))[1])
    contacts_key = bearer_client(alpha, issue_key(alpha, scopes=("contacts:read", "contacts:write"), name="c")[1])
    outsider = api_client(alpha, OTHER_REP_EMAIL)
    read_only_role = api_client(alpha, VIEWER_EMAIL)

    assert reader.get(path).status_code == 200
    assert reader.get(f"{path}{mine.pk}/download/").status_code == 200
    refused = upload(reader, path, "b.txt", b"b")
    assert refused.status_code == 403
    assert "sales:write" in refused.json()["detail"]
    assert reader.delete(f"{path}{mine.pk}/").status_code == 403
    assert contacts_key.get(path).status_code == 403
    assert contacts_key.get(f"{path}{mine.pk}/download/").status_code == 403
    for response in (outsider.get(path), outsider.get(f"{path}{mine.pk}/download/"), upload(outsider, path, "c", b"c")):
        assert response.status_code == 404
    assert read_only_role.get(path).status_code == 200
    assert upload(read_only_role, path, "d.txt", b"d").status_code == 403
    assert read_only_role.delete(f"{path}{mine.pk}/").status_code == 403
    with alpha.active():
        assert list(Attachment.objects.values_list("pk", flat=True)) == [mine.pk]


def test_only_the_uploader_or_an_administrator_removes_a_file(alpha: TenantFixture, private_root):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        deal = DealFactory(owner=rep)
        admins = add_attachment(record=deal, upload=SimpleUploadedFile("a.txt", b"a"), by=alpha.user())
        reps = add_attachment(record=deal, upload=SimpleUploadedFile("r.txt", b"r"), by=rep)
    client = api_client(alpha, REP_EMAIL)

    assert client.delete(f"/api/v1/deals/{deal.pk}/files/{admins.pk}/").status_code == 403
    assert client.delete(f"/api/v1/deals/{deal.pk}/files/{reps.pk}/").status_code == 204
    assert api_client(alpha).delete(f"/api/v1/deals/{deal.pk}/files/{admins.pk}/").status_code == 204


def test_a_file_is_reached_only_through_its_own_record(alpha: TenantFixture, private_root):
    with alpha.active():
        first, second = CompanyFactory(owner=alpha.user()), CompanyFactory(owner=alpha.user())
        attachment = add_attachment(record=first, upload=SimpleUploadedFile("a.txt", b"a"), by=alpha.user())
    client = api_client(alpha)

    assert client.get(f"/api/v1/companies/{second.pk}/files/{attachment.pk}/download/").status_code == 404
    assert client.delete(f"/api/v1/companies/{second.pk}/files/{attachment.pk}/").status_code == 404
    assert client.get(f"/api/v1/contacts/{first.pk}/files/{attachment.pk}/download/").status_code == 404


def test_an_oauth_token_uploads_within_its_scopes(alpha: TenantFixture, private_root):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
    application, secret = register(
        alpha,
        grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_type=Application.CLIENT_CONFIDENTIAL,
        scopes=["contacts:read"],
    )
    assert secret is not None
    token = client_credentials_token(alpha, application, secret).json()["access_token"]
    client = bearer_client(alpha, token)

    assert client.get(f"/api/v1/companies/{company.pk}/files/").status_code == 200
    assert upload(client, f"/api/v1/companies/{company.pk}/files/", "a.txt", b"a").status_code == 403


def test_files_of_another_tenant_cannot_be_reached_over_rest(alpha: TenantFixture, beta: TenantFixture, private_root):
    order = make_order(alpha)
    with alpha.active():
        attachment = add_attachment(record=order, upload=SimpleUploadedFile("a.txt", b"a"), by=alpha.user())
    base = f"/api/v1/orders/{order.pk}/files/"
    assert_rest_requests_fail_across_tenants(
        alpha,
        beta,
        [
            ("get", base, {}),
            ("get", f"{base}{attachment.pk}/download/", {}),
            ("delete", f"{base}{attachment.pk}/", {}),
        ],
    )
    assert api_client(beta).post(base, {"file": SimpleUploadedFile("b.txt", b"b")}).status_code == 404


def test_listing_files_costs_the_same_for_5_and_50(alpha: TenantFixture, private_root):
    admin = alpha.user()
    with alpha.active():
        few, many = CompanyFactory(owner=admin), CompanyFactory(owner=admin)
        for record, count in ((few, 5), (many, 50)):
            for index in range(count):
                add_attachment(record=record, upload=SimpleUploadedFile(f"f{index}.txt", b"x"), by=admin)
    client = api_client(alpha)
    client.get(f"/api/v1/companies/{few.pk}/files/")

    small, first = queries_for(client, f"/api/v1/companies/{few.pk}/files/")
    large, second = queries_for(client, f"/api/v1/companies/{many.pk}/files/")

    assert small == large
    assert (len(first.json()["results"]), len(second.json()["results"])) == (5, 50)
