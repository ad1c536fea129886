"""The full tenant export: every record table as JSON and CSV in a zip with an exact manifest, no
secrets, only the tenant's own data, and only for those who manage the tenant."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from django.apps import apps

from identity.models import User
from modules.contacts.models import Contact
from modules.dataio.exports.models import ExportJob
from modules.dataio.exports.services import run_export
from modules.dataio.exports.tenant_export import MODELS
from tests.dataio.exports.conftest import body_of
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory, ProductFactory, TagFactory
from tests.tenancy import REP_EMAIL, TenantFixture, grant, revoke


def _export(tenant: TenantFixture, django_capture_on_commit_callbacks: Any) -> tuple[ExportJob, zipfile.ZipFile]:
    client = tenant.client()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/exports/tenant/")
    assert len(callbacks) == 1
    with tenant.active():
        job = ExportJob.objects.get(kind="tenant")
        assert response["Location"] == f"/exports/{job.pk}/"
        finished = run_export(job.pk)
    assert finished is not None
    assert finished.status == "done"
    download = client.get(f"/exports/{job.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    return finished, zipfile.ZipFile(io.BytesIO(body_of(download)))


def test_the_zip_holds_every_table_as_json_and_csv_with_exact_counts(
    alpha: TenantFixture, django_capture_on_commit_callbacks: Any
):
    with alpha.active():
        company = CompanyFactory(name="Zip Co", custom={"anything": 1})
        contact: Contact = ContactFactory(company=company)
        contact.tags.add(TagFactory(name="zipped"))
        DealFactory(company=company, contact=contact)
        ActivityFactory(company=company)
        ProductFactory()

    job, archive = _export(alpha, django_capture_on_commit_callbacks)

    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format_version"] == 1
    assert manifest["tenant"]["schema"] == alpha.tenant.schema_name
    assert manifest["generated_at"]
    with alpha.active():
        for label in MODELS:
            model = apps.get_model(label)
            name = f"{model._meta.app_label}_{model._meta.model_name}"
            assert manifest["counts"][name] == model.objects.count(), name
            rows = json.loads(archive.read(f"{name}.json"))
            assert len(rows) == manifest["counts"][name]
            assert [row["id"] for row in rows] == sorted(model.objects.values_list("pk", flat=True))
            with archive.open(f"{name}.csv") as member:
                csv_rows = list(csv.DictReader(io.TextIOWrapper(member, encoding="utf-8")))
            assert len(csv_rows) == manifest["counts"][name]
    assert manifest["counts"]["contacts_contact_tags"] == 1
    assert job.row_count == sum(manifest["counts"].values())
    companies = json.loads(archive.read("contacts_company.json"))
    assert companies[0]["name"] == "Zip Co"
    assert companies[0]["custom"] == {"anything": 1}
    assert "search_vector" not in companies[0]


def test_no_password_hashes_or_secrets_leave(alpha: TenantFixture, django_capture_on_commit_callbacks: Any):
    with alpha.active():
        hashes = list(User.objects.values_list("password", flat=True))

    _job, archive = _export(alpha, django_capture_on_commit_callbacks)

    users = json.loads(archive.read("identity_user.json"))
    assert {user["email"] for user in users} >= {"admin@example.test", REP_EMAIL}
    assert all("password" not in user for user in users)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert all(password.encode() not in everything for password in hashes if password)
    assert not any("session" in name or "calendarfeed" in name for name in archive.namelist())


def test_the_export_holds_only_the_tenants_own_rows(
    alpha: TenantFixture, beta: TenantFixture, django_capture_on_commit_callbacks: Any
):
    with beta.active():
        CompanyFactory(name="Beta private Ltd")
    with alpha.active():
        CompanyFactory(name="Alpha own Ltd")

    _job, archive = _export(alpha, django_capture_on_commit_callbacks)

    names = [row["name"] for row in json.loads(archive.read("contacts_company.json"))]
    assert names == ["Alpha own Ltd"]
    with beta.active():
        assert not ExportJob.objects.exists()


def test_only_tenant_managers_export_everything(alpha: TenantFixture, django_capture_on_commit_callbacks: Any):
    grant(alpha, "sales_rep", "data.export")
    rep = alpha.client(REP_EMAIL)

    with django_capture_on_commit_callbacks() as callbacks:
        refused = rep.post("/exports/tenant/")
    page = rep.get("/exports/tenant/")

    assert refused.status_code == 403
    assert page.status_code == 403
    assert callbacks == []
    with alpha.active():
        assert not ExportJob.objects.exists()


def test_a_tenant_export_is_downloaded_only_by_tenant_managers(
    alpha: TenantFixture, beta: TenantFixture, django_capture_on_commit_callbacks: Any
):
    job, _archive = _export(alpha, django_capture_on_commit_callbacks)
    grant(alpha, "sales_rep", "data.export")

    assert alpha.client(REP_EMAIL).get(f"/exports/{job.pk}/download/").status_code == 404
    assert beta.client().get(f"/exports/{job.pk}/download/").status_code == 404
    page = alpha.client().get("/exports/tenant/")
    assert page.status_code == 200
    assert f"/exports/{job.pk}/download/".encode() in page.content


def test_the_full_export_needs_the_export_permission_too(alpha: TenantFixture, django_capture_on_commit_callbacks: Any):
    revoke(alpha, "admin", "data.export")
    admin = alpha.client()

    with django_capture_on_commit_callbacks() as callbacks:
        refused = admin.post("/exports/tenant/")

    assert refused.status_code == 403
    assert "Export record lists to files" in refused.content.decode()
    assert callbacks == []
    with alpha.active():
        assert not ExportJob.objects.exists()
