"""Helpers for the API access tests: keys issued through the service, bearer clients, PKCE."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.test import Client

from identity.models import ApiKey, User
from identity.services.api_keys import create_api_key
from tests.api.helpers import PROBLEM_BASE
from tests.tenancy import ADMIN_EMAIL, TenantFixture

CONTACTS = ("contacts:read", "contacts:write")


def issue_key(
    fixture: TenantFixture,
    *,
    email: str = ADMIN_EMAIL,
    scopes: tuple[str, ...] = CONTACTS,
    expires_at: datetime | None = None,
    name: str = "Nightly sync",
) -> tuple[ApiKey, str]:
    """A key of ``email`` in the fixture's tenant, with its plaintext."""
    with fixture.active():
        user = User.objects.get(email=email)
        return create_api_key(user=user, name=name, scopes=list(scopes), expires_at=expires_at)


def bearer_client(fixture: TenantFixture, token: str) -> Client:
    """A client on the fixture's host that sends ``token`` and no cookies, enforcing CSRF like a browser."""
    return Client(HTTP_HOST=fixture.host, HTTP_AUTHORIZATION=f"Bearer {token}", enforce_csrf_checks=True)


def post_json(client: Client, path: str, data: dict[str, Any]) -> HttpResponse:
    return client.post(path, data, content_type="application/json")  # type: ignore[return-value]


def assert_invalid_token(response: HttpResponse, detail: str, *, path: str = "/api/v1/contacts/") -> None:
    """A 401 problem saying ``detail``, with the RFC 6750 challenge."""
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": f"{PROBLEM_BASE}invalid-token",
        "title": "Not authenticated",
        "status": 401,
        "detail": detail,
        "instance": path,
    }
    assert response["WWW-Authenticate"] == (
        f'Bearer realm="api", error="invalid_token", error_description="{detail.replace(chr(34), chr(39))}"'
    )


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge
