"""The operator console in a browser: an operator finds a tenant and suspends it; the tenant's
users see that at once; the operator resumes it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import BrowserContext, Page, expect

from identity.models import AuditEntry
from identity.services.operators import ensure_operator
from tenants.models import Tenant, TenantStatusChange
from tests.browser.conftest import SCREENSHOT_DIR, GunicornServer, database_access, sign_in
from tests.console.conftest import code_for
from tests.tenancy import PASSWORD, REP_EMAIL

pytestmark = pytest.mark.browser

OPERATOR_EMAIL = "browser-ops@relata.test"
OPERATOR_PASSWORD = "lantern-quarry-mosaic-42"
REASON = "Chargeback under review"


@pytest.fixture
def operator(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[str]:
    """An operator account (committed), and alpha put back as it was afterwards."""
    with database_access(django_db_blocker):
        ensure_operator(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    yield OPERATOR_EMAIL
    with database_access(django_db_blocker):
        Tenant.objects.filter(slug="alpha").update(status="active")
        TenantStatusChange.objects.filter(actor=OPERATOR_EMAIL).delete()
        AuditEntry.objects.filter(actor=OPERATOR_EMAIL).delete()
        # Not through the ORM: its cascade would look for tenant-only tables (saved views, ...) in public.
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM otp_totp_totpdevice WHERE user_id IN (SELECT id FROM identity_user WHERE email = %s)",
                [OPERATOR_EMAIL],
            )
            cursor.execute("DELETE FROM identity_user WHERE email = %s", [OPERATOR_EMAIL])


def screenshot(page: Page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"console-{name}.png"), full_page=True)


def test_an_operator_suspends_and_resumes_a_tenant(
    new_context: Callable[..., BrowserContext], gunicorn_server: GunicornServer, operator: str
) -> None:
    console = new_context().new_page()
    console_url = f"http://localhost:{gunicorn_server.port}/console/"

    # Signing in: the console sends an anonymous visitor to its own sign-in page.
    console.goto(console_url)
    expect(console).to_have_url(f"{console_url}login/?next=/console/")
    screenshot(console, "login")
    console.locator("input[name=username]").fill(operator)
    console.locator("input[name=password]").fill(OPERATOR_PASSWORD)
    console.get_by_role("button", name="Sign in to the console").click()
    # An operator without an authenticator enrols one before anything else.
    expect(console).to_have_url(f"{console_url}login/verify/")
    console.get_by_label("Authentication code").fill(code_for(console.get_by_test_id("totp-secret").inner_text()))
    console.get_by_role("button", name="Turn on and sign in").click()
    expect(console).to_have_url(console_url)

    # Finding the tenant.
    console.get_by_role("searchbox", name="Search").fill("alpha")
    console.get_by_role("button", name="Filter").click()
    table = console.get_by_test_id("tenant-table")
    expect(table.locator("tbody tr")).to_have_count(1)
    screenshot(console, "tenants")
    table.get_by_role("link", name="Alpha Ltd").click()
    expect(console.get_by_role("heading", level=1)).to_contain_text("Alpha Ltd")

    # Suspending needs a reason.
    suspend = console.get_by_test_id("suspend-form")
    suspend.get_by_role("button", name="Suspend").click()
    expect(suspend.locator(".invalid-feedback")).to_be_visible()
    console.get_by_test_id("suspend-form").get_by_label("Reason").fill(REASON)
    console.get_by_test_id("suspend-form").get_by_role("button", name="Suspend").click()
    expect(console.get_by_role("heading", level=1).get_by_test_id("tenant-status")).to_have_text("Suspended")
    expect(console.get_by_test_id("tenant-audit")).to_contain_text(REASON)
    screenshot(console, "tenant-suspended")

    # A user of the tenant, in a browser of their own, can read but is told why nothing changes.
    user_context = new_context()
    user_context.set_default_navigation_timeout(60_000)  # a worker's first tenant request loads a lot
    user = user_context.new_page()
    tenant_url = gunicorn_server.url("alpha")
    sign_in(user, tenant_url, REP_EMAIL, PASSWORD)
    expect(user).to_have_url(tenant_url)
    expect(user.get_by_test_id("lifecycle-banner")).to_contain_text("suspended")
    screenshot(user, "lifecycle-banner")

    # Resuming puts the tenant back; the user's next page has no banner.
    console.get_by_test_id("resume-form").get_by_role("button", name="Resume").click()
    expect(console.get_by_role("heading", level=1).get_by_test_id("tenant-status")).to_have_text("Active")
    user.reload()
    expect(user.get_by_test_id("lifecycle-banner")).to_have_count(0)
