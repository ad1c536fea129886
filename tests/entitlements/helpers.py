"""Helpers of the plan tests."""

from __future__ import annotations

from django.test import Client

from identity.services.api_keys import create_api_key, known_scopes
from tests.tenancy import TenantFixture, schema_snapshot

MESSAGE = "Sales is not in your plan. Your data is kept; upgrade the plan to use it again."


def without_modules(tenant: TenantFixture, *keys: str) -> None:
    """Take modules out of the tenant's plan (rolled back with the test)."""
    tenant.tenant.enabled_modules = [key for key in tenant.tenant.enabled_modules if key not in keys]
    tenant.tenant.save(update_fields=["enabled_modules"])


def api_key_client(tenant: TenantFixture) -> Client:
    """A client with an API key of the tenant's admin holding every scope (made while the modules are on)."""
    with tenant.active():
        _key, plaintext = create_api_key(user=tenant.user(), name="Plan gate", scopes=sorted(known_scopes()))
    return Client(HTTP_HOST=tenant.host, HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def business_snapshot(tenant: TenantFixture) -> dict[str, str]:
    """``schema_snapshot`` without what every request may touch: an API key's last use."""
    snapshot = schema_snapshot(tenant.tenant)
    snapshot.pop("identity_apikey", None)
    return snapshot
