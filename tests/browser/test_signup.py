"""A company signs up on the public site and lands signed in on its new workspace.

The server and a real Celery worker run on committed data: the worker provisions the tenant while
the progress page polls. Without a Stripe key the manual provider is used, so the trial starts
without a card.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, Response, expect

from identity.models import AuditEntry
from tenants.models import Tenant
from tenants.services.provisioning import delete_tenant_schema
from tests.browser.conftest import SCREENSHOT_DIR, GunicornServer, database_access, open_user_menu

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "founder@signup.example"
PASSWORD = "lantern-harbour-maple-77"


@pytest.fixture
def new_slug(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[str]:
    """A subdomain nobody has; the tenant signed up under it is dropped afterwards, schema and all."""
    slug = f"signup-{uuid.uuid4().hex[:8]}"
    yield slug
    with database_access(django_db_blocker):
        for tenant in Tenant.objects.filter(slug=slug):
            delete_tenant_schema(tenant)
        AuditEntry.objects.filter(target=f"tenant:{slug}").delete()


def _note_progress(response: Response, polled: list[int | None]) -> None:
    """Each poll of the status: the progress it showed, or None for the hand-over to the workspace."""
    # Playwright spells header names in lower case.
    if not response.url.endswith("/status/") or response.status != 200:
        return
    if "hx-redirect" in response.headers:
        polled.append(None)
        return
    found = re.search(r'aria-valuenow="(\d+)"', response.text())
    if found:
        polled.append(int(found.group(1)))


def test_a_company_signs_up_and_lands_signed_in(page: Page, gunicorn_server: GunicornServer, new_slug: str) -> None:
    public = f"http://localhost:{gunicorn_server.port}/"

    # The pricing page: yearly prices in lei, then the Growth plan's trial.
    page.goto(public)
    page.get_by_test_id("currency-switch").get_by_role("link", name="RON").click()
    page.get_by_test_id("interval-switch").get_by_role("link", name="Yearly").click()
    expect(page.get_by_test_id("plan-growth").get_by_test_id("seat-price")).to_have_text("2,450.00 RON")
    page.screenshot(path=str(SCREENSHOT_DIR / "signup-1-pricing.png"), full_page=True)
    page.get_by_test_id("start-growth").click()

    # The form, with the plan, currency and interval carried over and the address checked live.
    expect(page).to_have_url(f"{public}signup/?plan=growth&currency=RON&interval=year")
    expect(page.locator("select[name=plan]")).to_have_value("growth")
    expect(page.locator("select[name=currency]")).to_have_value("RON")
    expect(page.locator("select[name=interval]")).to_have_value("year")
    page.get_by_label("Company name").fill("Founders Ltd")
    page.get_by_label("Your address").fill("www")
    expect(page.get_by_test_id("slug-availability")).to_have_text("“www” is reserved.")
    page.get_by_label("Your address").fill(new_slug)
    expect(page.get_by_test_id("slug-availability")).to_have_text(f"{new_slug}.localhost is available")
    page.get_by_label("Your work e-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.screenshot(path=str(SCREENSHOT_DIR / "signup-2-form.png"), full_page=True)
    polled: list[int | None] = []
    page.on("response", lambda response: _note_progress(response, polled))
    page.get_by_test_id("signup-submit").click()

    # The progress page follows the worker, then hands the browser over to the workspace.
    expect(page).to_have_url(re.compile(rf"{re.escape(public)}signup/[^/]+/$"))
    expect(page.get_by_test_id("signup-status")).to_be_visible()
    page.screenshot(path=str(SCREENSHOT_DIR / "signup-3-progress.png"), full_page=True)
    workspace = f"http://{new_slug}.localhost:{gunicorn_server.port}/"
    expect(page).to_have_url(workspace, timeout=90_000)
    # The page polled until the hand-over (on a quick machine the first poll may already be it), and
    # each poll before showed as much progress as the one before, or more.
    assert polled, "the progress page never polled"
    assert polled[-1] is None
    progress = [value for value in polled if value is not None]
    assert progress == sorted(progress)

    expect(page.get_by_role("heading", name="Welcome, founder")).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_contain_text("founder")
    open_user_menu(page)
    expect(page.get_by_text(ADMIN_EMAIL)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Founders Ltd")
    page.screenshot(path=str(SCREENSHOT_DIR / "signup-4-workspace.png"), full_page=True)

    # Back on the progress page the sign-in is not handed out again.
    page.go_back()
    page.reload()
    expect(page.get_by_test_id("workspace-ready")).to_contain_text("Your workspace is ready.")
    expect(page).to_have_url(re.compile(rf"{re.escape(public)}signup/[^/]+/$"))
