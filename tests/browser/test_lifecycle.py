"""A suspended tenant can still be read in the browser, but every change is refused clearly."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from tenants.models import Tenant
from tenants.services.lifecycle import transition_tenant
from tenants.services.provisioning import TenantRequest, delete_tenant_schema, provision_tenant, request_tenant
from tests.browser.conftest import GunicornServer, database_access, sign_in

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "owner@paused.example"
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def suspended_tenant(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[Tenant]:
    """A tenant of its own, provisioned, then suspended; dropped again afterwards."""
    slug = f"paused-{uuid.uuid4().hex[:8]}"
    with database_access(django_db_blocker):
        tenant = request_tenant(
            TenantRequest(
                name="Paused Ltd", slug=slug, admin_email=ADMIN_EMAIL, admin_password=PASSWORD, status="active"
            )
        )
        try:
            provision_tenant(tenant.pk)
            connection.set_schema_to_public()
            transition_tenant(tenant, "suspended", actor="test", reason="browser test")
        except BaseException:
            connection.set_schema_to_public()
            delete_tenant_schema(tenant)
            raise
    yield tenant
    with database_access(django_db_blocker):
        delete_tenant_schema(tenant)


def test_suspended_tenant_is_read_only(page: Page, gunicorn_server: GunicornServer, suspended_tenant: Tenant) -> None:
    base = gunicorn_server.url(suspended_tenant.slug)
    expected = "Paused Ltd is suspended: you can look at your data, but changes are switched off."

    # Signing in is still allowed, and every page of the shell says why nothing can change.
    sign_in(page, base, ADMIN_EMAIL, PASSWORD)
    expect(page).to_have_url(base)
    expect(page.get_by_test_id("lifecycle-banner")).to_have_text(expected)

    page.goto(f"{base}settings/invitations/")
    expect(page.get_by_test_id("lifecycle-banner")).to_have_text(expected)
    page.locator("input[name=email]").fill("someone@paused.example")
    page.get_by_role("button", name="Send invitation").click()

    # The write is refused with the same explanation, and nothing was created.
    expect(page.get_by_test_id("read-only-message")).to_have_text(expected)
    page.goto(f"{base}settings/invitations/")
    expect(page.locator("tbody")).not_to_contain_text("someone@paused.example")
