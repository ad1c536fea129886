"""Importing in the browser: an admin uploads a small CSV of contacts, keeps the suggested mapping,
sees a bad row in the preview, starts the import, watches the progress bar finish (the real Celery
worker runs it), downloads nothing, and undoes the import. Screenshots land in
var/screenshots/import-*.png."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from modules.contacts.models import Contact
from modules.dataio.imports.models import ImportJob
from tenants.models import Tenant
from tests.browser.conftest import SCREENSHOT_DIR, GunicornServer, database_access, sign_in
from tests.dataio.imports.conftest import csv_bytes
from tests.tenancy import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.browser

TIMEOUT = 30_000


@pytest.fixture
def marker(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[str]:
    marker = uuid.uuid4().hex[:8]
    yield marker
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="alpha")):
        Contact.objects.filter(email__endswith=f"@{marker}.example").delete()
        for job in ImportJob.objects.filter(original_name=f"{marker}.csv"):
            job.file.delete(save=False)
            job.delete()


def test_an_admin_imports_contacts_watches_the_progress_and_undoes_it(
    page: Page, gunicorn_server: GunicornServer, marker: str, django_db_blocker: Any
) -> None:
    base = gunicorn_server.url("alpha")
    rows = [["First name", "Last name", "E-mail"]]
    rows += [[f"Ana{n}", "Browser", f"ana{n}@{marker}.example"] for n in range(5)] + [["Ion", "Bad", "broken"]]
    sign_in(page, base, ADMIN_EMAIL, PASSWORD)

    page.goto(f"{base}imports/")
    page.get_by_test_id("new-import").click()
    page.get_by_label("Records in the file").select_option("contact")
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": f"{marker}.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)}]
    )
    page.get_by_role("button", name="Upload and map columns").click()

    expect(page.get_by_test_id("column-2")).to_have_value("email")
    page.get_by_label("Skip rows that match an existing record").check()
    page.screenshot(path=str(SCREENSHOT_DIR / "import-mapping.png"), full_page=True)
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_test_id("preview-row")).to_have_count(6)
    expect(page.get_by_test_id("cell-error")).to_have_text(["Enter a valid email address."])
    page.screenshot(path=str(SCREENSHOT_DIR / "import-preview.png"), full_page=True)
    page.get_by_test_id("start-import").click()

    progress = page.locator('[data-testid="import-progress"][data-status="done"]')
    expect(progress).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_test_id("count-created")).to_have_text("5")
    expect(page.get_by_test_id("count-failed")).to_have_text("1")
    expect(page.get_by_test_id("error-report")).to_be_visible()
    page.screenshot(path=str(SCREENSHOT_DIR / "import-done.png"), full_page=True)
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="alpha")):
        assert Contact.objects.filter(email__endswith=f"@{marker}.example").count() == 5

    page.get_by_test_id("undo-import").click()
    page.get_by_test_id("confirm-undo").click()

    expect(page.get_by_test_id("undone")).to_be_visible()
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="alpha")):
        assert not Contact.objects.filter(email__endswith=f"@{marker}.example").exists()
