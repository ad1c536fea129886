"""Settings → API keys and OAuth applications in a real browser: a key is created, read once from
the page, and used against the REST API with a plain HTTP request (no browser, no cookie); an
application is registered and its secret shown once. Screenshots land in /tmp/shots/api-*.png
for a person to look at."""

from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from oauth2_provider.models import Application
from playwright.sync_api import Page, expect

from identity.models import ApiKey, OAuthApplicationScopes
from tenants.models import Tenant
from tests.browser.conftest import GunicornServer, database_access, sign_in
from tests.tenancy import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.browser

SLOW_MACHINE_TIMEOUT = 30_000
SHOTS = Path("/tmp/shots")  # noqa: S108 - where people look at the screenshots


@dataclass(frozen=True)
class Setup:
    server: GunicornServer
    tenant: Tenant
    key_name: str

    @property
    def base_url(self) -> str:
        return self.server.url("alpha")


@pytest.fixture
def setup(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[Setup]:
    """Alpha's host and a unique key name; the key the test creates (committed) is removed afterwards."""
    name = f"Browser key {uuid.uuid4().hex[:6]}"
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="alpha")
    yield Setup(gunicorn_server, tenant, name)
    with database_access(django_db_blocker), tenant_context(tenant):
        ApiKey.objects.filter(name=name).delete()
        applications = Application.objects.filter(name=name)
        OAuthApplicationScopes.objects.filter(application__in=applications).delete()
        applications.delete()


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"api-{name}.png"), full_page=True)


def api_request(server: GunicornServer, path: str, key: str, *, data: dict[str, Any] | None = None) -> tuple[int, Any]:
    """A plain HTTP request to alpha's host with the key as bearer token: (status, JSON body).

    It connects to the loopback address and names the tenant in the Host header, as a client
    whose resolver knows nothing of ``*.localhost`` would."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(
            "POST" if data is not None else "GET",
            path,
            body=json.dumps(data) if data is not None else None,
            headers={
                "Host": f"alpha.localhost:{server.port}",
                "Authorization": f"Bearer {key}",
                "Content-Type": "application/json",
            },
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_a_key_created_in_the_settings_works_against_the_rest_api(page: Page, setup: Setup) -> None:
    page.set_default_timeout(SLOW_MACHINE_TIMEOUT)  # the shared test machine may be busy: allow slow sign-ins
    sign_in(page, setup.base_url, ADMIN_EMAIL, PASSWORD)
    expect(page).to_have_url(setup.base_url)

    page.goto(f"{setup.base_url}settings/api-keys/")
    expect(page.locator("h1")).to_have_text("API keys")
    expect(page.get_by_role("link", name="API keys", exact=True)).to_have_attribute("aria-current", "page")
    page.get_by_label("Name").fill(setup.key_name)
    page.get_by_label("Customers: read").check()
    page.get_by_label("Your password, or a code from your authenticator app").fill(PASSWORD)
    page.get_by_role("button", name="Create key").click()

    created = page.get_by_test_id("created-key")
    expect(created).to_contain_text(setup.key_name)
    _shot(page, "key-created")
    key = page.locator("#created-key-value").input_value()
    assert key.startswith("rlt_")
    page.get_by_role("button", name="Copy").click()
    expect(created.get_by_role("button")).to_have_text("Copied")

    page.goto(f"{setup.base_url}settings/api-keys/")
    expect(page.locator("#own-keys")).to_contain_text(setup.key_name)
    expect(page.get_by_test_id("created-key")).to_have_count(0)
    assert key not in page.content()

    status, listed = api_request(setup.server, "/api/v1/contacts/", key)
    assert status == 200
    assert "results" in listed
    status, refused = api_request(setup.server, "/api/v1/contacts/", key, data={"first_name": "A", "last_name": "B"})
    assert status == 403
    assert refused["detail"] == "This credential lacks the contacts:write scope."

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#own-keys tr", has_text=setup.key_name).get_by_role("button", name="Revoke").click()
    expect(page.locator("#own-keys tr", has_text=setup.key_name)).to_contain_text("Revoked")
    status, problem = api_request(setup.server, "/api/v1/contacts/", key)
    assert status == 401
    assert problem["detail"] == "This API key has been revoked."


def test_an_application_is_registered_and_its_secret_shown_once(page: Page, setup: Setup) -> None:
    page.set_default_timeout(SLOW_MACHINE_TIMEOUT)
    sign_in(page, setup.base_url, ADMIN_EMAIL, PASSWORD)
    expect(page).to_have_url(setup.base_url)

    page.goto(f"{setup.base_url}settings/oauth-apps/")
    expect(page.locator("h1")).to_have_text("OAuth applications")
    page.get_by_label("Name").fill(setup.key_name)
    page.get_by_label("Grant type").select_option("client-credentials")
    page.get_by_label("Customers: read").check()
    page.get_by_label("Sales: write").check()
    page.get_by_role("button", name="Register").click()

    created = page.get_by_test_id("created-application")
    expect(created).to_contain_text(setup.key_name)
    _shot(page, "application-created")
    secret = page.locator("#created-client-secret").input_value()
    client_id = page.locator("#created-client-id").inner_text()
    assert len(secret) > 40

    page.goto(f"{setup.base_url}settings/oauth-apps/")
    row = page.locator("#applications tr", has_text=setup.key_name)
    expect(row).to_contain_text(client_id)
    expect(row).to_contain_text("sales:write")
    assert secret not in page.content()
