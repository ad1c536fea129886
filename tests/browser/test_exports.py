"""Exports in a browser: the admin exports a filtered contact list as CSV from the list page, then
starts a full tenant export in settings, watches it finish and downloads the zip.

Screenshots land in /tmp/shots/exports-*.png."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, expect

from identity.models import User
from modules.contacts.models import Contact
from modules.contacts.services.contacts import create_contact
from modules.dataio.exports.models import ExportJob
from modules.dataio.exports.storage import private_storage
from tenants.models import Tenant
from tests.browser.conftest import DemoTenant, database_access, sign_in

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")  # noqa: S108 - where the screenshots are looked at


@pytest.fixture
def xyzzy_contacts(demo_tenant: DemoTenant, django_db_blocker: Any) -> Iterator[list[str]]:
    """Three demo contacts named Xyzzy, two of them customers; removed with the test's exports."""
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="demo")
        with tenant_context(tenant):
            admin = User.objects.get(email=demo_tenant.admin_email)
            started = set(ExportJob.objects.values_list("pk", flat=True))
            contacts = [
                create_contact(
                    by=admin, allow_duplicate=True, first_name="Xyzzy", last_name=last, lifecycle_stage=stage
                )
                for last, stage in (("Ashby", "customer"), ("Brook", "lead"), ("Crane", "customer"))
            ]
    yield ["Xyzzy Ashby", "Xyzzy Crane"]
    with database_access(django_db_blocker), tenant_context(tenant):
        Contact.objects.filter(pk__in=[contact.pk for contact in contacts]).delete()
        for job in ExportJob.objects.exclude(pk__in=started):
            if job.file_path:
                private_storage().delete(job.file_path)
            job.delete()


def test_the_admin_exports_a_filtered_list_and_then_all_the_data(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, xyzzy_contacts: list[str]
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in(page, demo_tenant.url, demo_tenant.admin_email, demo_tenant.admin_password)
    expect(page).to_have_url(demo_tenant.url, timeout=30_000)

    # The contact list filtered to the Xyzzy customers, exported as CSV from its Export menu.
    page.goto(f"{demo_tenant.url}contacts/?q=Xyzzy&lifecycle_stage=customer")
    expect(page.get_by_test_id("list-filters")).to_be_visible()
    page.get_by_test_id("export-menu").get_by_role("button", name="Export").click()
    page.screenshot(path=str(SHOTS / "exports-menu.png"))
    with page.expect_download() as download_info:
        page.get_by_test_id("export-csv").click()
    download = download_info.value
    assert download.suggested_filename.startswith("contact-export-")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert sorted(f"{row['First name']} {row['Last name']}" for row in rows) == xyzzy_contacts
    assert {row["Stage"] for row in rows} == {"customer"}

    # Settings → export all data: start, watch the job finish, download the zip.
    page.goto(f"{demo_tenant.url}exports/tenant/")
    page.get_by_test_id("start-tenant-export").click()
    status = page.get_by_test_id("export-status")
    expect(status).to_be_visible()
    expect(page.get_by_test_id("export-download")).to_be_visible(timeout=120_000)
    page.screenshot(path=str(SHOTS / "exports-tenant-ready.png"), full_page=True)
    with page.expect_download() as zip_info:
        page.get_by_test_id("export-download").click()
    archive = zipfile.ZipFile(Path(zip_info.value.path()))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["tenant"]["slug"] == "demo"
    assert manifest["counts"]["contacts_contact"] >= 3
    names = {row["full_name"] for row in json.loads(archive.read("contacts_contact.json"))}
    assert set(xyzzy_contacts) <= names
