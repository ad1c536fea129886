"""Settings → Mailboxes in a real browser: the "Connect Microsoft 365" and "Connect Google" buttons
take the user to the provider's consent page and back (the session's local stand-ins for the
Microsoft identity platform and Google consent at once), the new mailboxes are listed, and
Settings → Connected accounts lists both accounts. It uses the session's gunicorn, whose app
registrations point at the stand-ins (``oauth_stand_ins``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from modules.mailboxes.models import Mailbox
from modules.oauth_accounts.models import OAuthAccount
from tenants.models import Tenant
from tests.browser.conftest import SCREENSHOT_DIR, GunicornServer, OAuthStandIns, database_access, sign_in
from tests.tenancy import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.browser

ADDRESSES = ["ada@contoso.example", "ada@gmail.example"]


@pytest.fixture
def alpha_accounts(django_db_blocker: Any) -> Iterator[None]:
    """The accounts and mailboxes the test connects (committed) are removed afterwards."""
    yield
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="alpha")):
        Mailbox.objects.filter(email__in=ADDRESSES).delete()
        OAuthAccount.objects.filter(email__in=ADDRESSES).delete()


def _shot(page: Page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"connect-{name}.png"), full_page=True)


def test_the_connect_buttons_go_to_the_provider_and_back(
    page: Page, gunicorn_server: GunicornServer, oauth_stand_ins: OAuthStandIns, alpha_accounts: None
):
    base = gunicorn_server.url("alpha")
    mailboxes = gunicorn_server.url("alpha", "/settings/mailboxes/")
    microsoft, google = oauth_stand_ins.microsoft, oauth_stand_ins.google
    sign_in(page, base, ADMIN_EMAIL, PASSWORD)
    page.goto(mailboxes)

    with page.expect_request(lambda request: request.url.startswith(microsoft.base_url)) as consent:
        page.get_by_test_id("connect-microsoft").click()
    page.wait_for_url(mailboxes)
    expect(page.get_by_test_id("mailbox-row").filter(has_text="ada@contoso.example")).to_be_visible()

    with page.expect_request(lambda request: request.url.startswith(google.base_url)) as google_consent:
        page.get_by_test_id("connect-google").click()
    page.wait_for_url(mailboxes)
    expect(page.get_by_test_id("mailbox-row").filter(has_text="ada@gmail.example")).to_be_visible()
    _shot(page, "mailboxes")

    page.goto(gunicorn_server.url("alpha", "/settings/connected-accounts/"))
    rows = page.get_by_test_id("account-row")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="ada@contoso.example")).to_contain_text("Mailbox")
    expect(rows.filter(has_text="ada@gmail.example")).to_contain_text("Mailbox")
    expect(page.get_by_test_id("account-broken")).to_have_count(0)
    _shot(page, "accounts")

    assert "code_challenge_method=S256" in consent.value.url
    assert "redirect_uri=http%3A%2F%2Falpha.localhost" in google_consent.value.url
    assert [request["grant_type"] for request in microsoft.token_requests] == ["authorization_code"]
