"""Webhooks in the browser: an admin adds an endpoint pointing at a local receiver in Settings →
Webhooks (first with a bad URL, then a good one), reveals its secret, sends a test event, and the
real Celery worker delivers it; the delivery page shows the signed request and the answer.

Screenshots (1280×800) of the endpoint and the delivery land in var/screenshots/ (webhooks-*.png).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect
from standardwebhooks import Webhook

from api.webhooks.models import WebhookEndpoint
from tenants.models import Tenant
from tests.api.webhooks.conftest import Receiver, running_receiver
from tests.browser.conftest import SCREENSHOT_DIR, GunicornServer, database_access, sign_in
from tests.processes import wait_until
from tests.tenancy import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.browser

# Other suites may share the machine: give the server time, as the other browser tests do.
SLOW_MACHINE_TIMEOUT = 30_000


@pytest.fixture
def marker(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[str]:
    """A marker for this test's endpoint in alpha; the endpoint and its log are removed afterwards."""
    value = uuid.uuid4().hex[:6]
    yield value
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="alpha")):
        WebhookEndpoint.objects.filter(description__endswith=value).delete()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as state:
        yield state


def _shot(page: Page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"webhooks-{name}.png"), full_page=True)


def test_an_admin_adds_an_endpoint_and_reads_the_test_delivery(
    page: Page, gunicorn_server: GunicornServer, receiver: Receiver, marker: str, django_db_blocker: Any
) -> None:
    base = gunicorn_server.url("alpha")
    page.set_default_timeout(SLOW_MACHINE_TIMEOUT)
    sign_in(page, base, ADMIN_EMAIL, PASSWORD)
    expect(page).to_have_url(base)

    page.goto(f"{base}settings/webhooks/")
    page.get_by_test_id("new-endpoint").click()
    page.get_by_label("URL", exact=True).fill("ftp://example.test/hook")
    page.get_by_label("Description", exact=True).fill(f"Browser hook {marker}")
    page.get_by_label("created contact.created").check()
    page.locator("button[type=submit]", has_text="Save").click()
    expect(page.get_by_test_id("url-errors")).to_have_text("Enter a valid http:// or https:// URL.")
    expect(page.get_by_label("created contact.created")).to_be_checked()
    _shot(page, "form-error")

    page.get_by_label("URL", exact=True).fill(receiver.url)
    page.locator("button[type=submit]", has_text="Save").click()
    expect(page.get_by_test_id("endpoint-state")).to_have_text("Enabled")
    expect(page.get_by_test_id("endpoint-title")).to_contain_text(receiver.url)

    page.get_by_test_id("reveal-secret").click()
    secret = page.get_by_test_id("secret-value").inner_text()
    assert secret.startswith("whsec_")
    _shot(page, "endpoint")

    page.get_by_test_id("send-test").click()
    expect(page.get_by_test_id("payload")).to_contain_text('"type": "webhook.test"')
    wait_until(lambda: len(receiver.requests) == 1, timeout=30, what="the test delivery")
    request = receiver.requests[0]
    assert Webhook(secret).verify(request["body"], request["headers"])["type"] == "webhook.test"

    def delivered() -> bool:
        page.reload()
        return page.get_by_test_id("attempt").count() == 1

    wait_until(delivered, timeout=20, what="the attempt on the page", interval=0.5)
    expect(page.get_by_test_id("delivery-state")).to_have_text("Delivered")
    expect(page.get_by_test_id("attempt-status")).to_have_text("HTTP 200")
    expect(page.get_by_test_id("attempt-response")).to_have_text("answer 200")
    expect(page.get_by_test_id("webhook-id")).to_have_text(request["headers"]["webhook-id"])
    _shot(page, "delivery")

    page.get_by_role("link", name=receiver.url).first.click()
    expect(page.get_by_test_id("delivery-row")).to_have_count(1)
    page.goto(f"{base}settings/webhooks/")
    expect(page.get_by_test_id("endpoint-row").filter(has_text=marker)).to_have_count(1)
    _shot(page, "list")
