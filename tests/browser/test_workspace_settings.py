"""Settings → Workspace in a real browser: an admin fills in the company's details, sees a wrong
IBAN refused on its field, saves, and uploads a logo. Screenshots land in
/tmp/shots/workspace-*.png (1440×900 and 390×844) for a person to look at."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from PIL import Image
from playwright.sync_api import BrowserContext, expect

from identity.models import AuditEntry
from modules.workspace.logo import delete_logo
from modules.workspace.models import WorkspaceProfile
from tenants.models import Tenant
from tests.browser.conftest import MOBILE, GunicornServer, database_access, sign_in
from tests.tenancy import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.browser

SLOW_MACHINE_TIMEOUT = 30_000
SHOTS = Path("/tmp/shots")  # noqa: S108 - where people look at the screenshots


@pytest.fixture
def alpha(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[Tenant]:
    """Alpha as it was, restored after the test: its name and currency, no workspace profile."""
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="alpha")
    yield tenant
    with database_access(django_db_blocker):
        Tenant.objects.filter(pk=tenant.pk).update(
            name=tenant.name, currency=tenant.currency, time_zone=tenant.time_zone
        )
        with tenant_context(tenant):
            for profile in WorkspaceProfile.objects.all():
                delete_logo(profile.logo)
            WorkspaceProfile.objects.all().delete()
            AuditEntry.objects.filter(action__startswith="workspace.").delete()


def test_an_admin_fills_in_the_workspace_and_uploads_a_logo(
    new_context: Callable[..., BrowserContext], gunicorn_server: GunicornServer, alpha: Tenant, tmp_path: Path
) -> None:
    base_url = gunicorn_server.url("alpha")
    page = new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.set_default_timeout(SLOW_MACHINE_TIMEOUT)
    sign_in(page, base_url, ADMIN_EMAIL, PASSWORD)
    expect(page).to_have_url(base_url)

    page.goto(f"{base_url}settings/workspace/")
    expect(page.get_by_role("link", name="Workspace", exact=True)).to_have_attribute("aria-current", "page")
    page.get_by_label("Company name").fill("Alpha Trading SRL")
    page.get_by_label("Street").fill("Strada Lungă 5")
    page.get_by_label("City").fill("București")
    page.get_by_label("Tax id").fill("RO12345678")
    page.get_by_label("IBAN").fill("RO49 AAAA 1B31 0075 9384 0001")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#id_iban-errors")).to_contain_text("check digits")
    page.get_by_label("IBAN").fill("RO49 AAAA 1B31 0075 9384 0000")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("The workspace settings are saved.")).to_be_visible()
    expect(page.get_by_label("IBAN")).to_have_value("RO49AAAA1B31007593840000")

    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 100), (20, 90, 200)).save(logo, format="PNG")
    page.get_by_label("Logo").set_input_files(str(logo))
    page.get_by_role("button", name="Upload logo").click()
    expect(page.get_by_test_id("current-logo")).to_be_visible()
    # Visible is not loaded: wait for the image's bytes (a broken image completes with no width).
    page.wait_for_function("() => document.querySelector('[data-testid=current-logo]').complete")
    size = page.get_by_test_id("current-logo").evaluate("image => image.naturalWidth")
    assert size == 300
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "workspace-desktop.png"), full_page=True)
    phone = new_context(viewport=MOBILE, storage_state=page.context.storage_state()).new_page()
    phone.goto(f"{base_url}settings/workspace/")
    expect(phone.get_by_label("Company name")).to_have_value("Alpha Trading SRL")
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    phone.screenshot(path=str(SHOTS / "workspace-phone.png"), full_page=True)
