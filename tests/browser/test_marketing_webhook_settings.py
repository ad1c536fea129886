"""The marketing delivery settings page as a workspace admin uses it: every provider's webhook URL
listed with whether its credential is set; the webhook user and password and Mailgun's key saved
(the URLs turn ready, and a provider's call with the password in the URL is taken); the password
removed again (the basic-auth providers show "credentials not set" and their calls answer 404,
Mailgun stays ready). One page, one sign-in: cheap on a loaded machine."""

from __future__ import annotations

import base64
import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from modules.marketing.delivery.models import DeliverySettings
from tenants.models import Tenant
from tests.browser.conftest import SCREENSHOT_DIR, GunicornServer, database_access, sign_in
from tests.tenancy import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.browser

TIMEOUT = 30_000
PROVIDERS = ("amazon-ses", "brevo", "mailgun", "mailjet", "postmark", "sendgrid")
BASIC_AUTH = ("amazon-ses", "brevo", "mailjet", "postmark", "sendgrid")
# A Postmark delivery event for a message the workspace never sent: taken (200), recording nothing.
POSTMARK_EVENT = {
    "RecordType": "Delivery", "MessageID": "pm-browser-1", "Recipient": "nobody@people.example",
    "DeliveredAt": "2026-01-05T10:00:00Z", "Details": "Test delivery", "Metadata": {},
}  # fmt: skip


def _no_settings(django_db_blocker: Any) -> None:
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="alpha")):
        DeliverySettings.objects.all().delete()


@pytest.fixture
def alpha_url(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[str]:
    _no_settings(django_db_blocker)
    yield gunicorn_server.url("alpha")
    _no_settings(django_db_blocker)


def _state(page: Page, slug: str) -> Any:
    return page.get_by_test_id(f"webhook-{slug}")


def _postmark_call(server: GunicornServer, password: str) -> int:
    """Postmark's call, with the password as it writes it from the URL (to the loopback address with
    the workspace's host: only the browser itself resolves ``*.localhost``)."""
    token = base64.b64encode(f"hooks:{password}".encode()).decode()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.request(
            "POST", "/marketing/webhooks/postmark/", body=json.dumps(POSTMARK_EVENT),
            headers={
                "Host": f"alpha.localhost:{server.port}", "Authorization": f"Basic {token}",
                "Content-Type": "application/json",
            },
        )  # fmt: skip
        return connection.getresponse().status
    finally:
        connection.close()


def test_an_admin_sets_and_removes_the_webhook_credentials(
    page: Page, alpha_url: str, gunicorn_server: GunicornServer
) -> None:
    page.set_default_timeout(TIMEOUT)
    sign_in(page, alpha_url, ADMIN_EMAIL, PASSWORD)
    page.goto(f"{alpha_url}marketing/delivery/settings/")

    listed = page.get_by_test_id("provider-webhooks")
    for slug in PROVIDERS:
        expect(_state(page, slug)).to_contain_text(f"{alpha_url}marketing/webhooks/{slug}/")
        expect(_state(page, slug)).to_contain_text("credentials not set")
    assert _postmark_call(gunicorn_server, "pw-browser") == 404

    page.get_by_label("Webhook user", exact=True).fill("hooks")
    page.get_by_label("Webhook password", exact=True).fill("pw-browser")
    page.get_by_label("Mailgun webhook signing key").fill("key-browser")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Delivery settings saved.")).to_be_visible()
    for slug in PROVIDERS:
        expect(_state(page, slug)).to_contain_text("ready")
    expect(page.get_by_label("Webhook password", exact=True)).to_have_value("")  # never shown back
    assert _postmark_call(gunicorn_server, "pw-browser") == 200
    assert _postmark_call(gunicorn_server, "a-guess") == 400
    listed.screenshot(path=str(SCREENSHOT_DIR / "marketing-webhook-settings.png"))

    page.get_by_label("Remove the stored webhook password").check()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Delivery settings saved.")).to_be_visible()
    for slug in BASIC_AUTH:
        expect(_state(page, slug)).to_contain_text("credentials not set")
    expect(_state(page, "mailgun")).to_contain_text("ready")
    assert _postmark_call(gunicorn_server, "pw-browser") == 404
