"""Helpers for the CRM REST tests: JSON clients that pass the CSRF check, cross-tenant probes."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.test import Client

from tests.api.helpers import CSRF_TOKEN
from tests.tenancy import ADMIN_EMAIL, TenantFixture, schema_snapshot, with_session_of


def api_client(fixture: TenantFixture, email: str = ADMIN_EMAIL) -> Client:
    """A client signed in as ``email`` that enforces CSRF like a browser and sends the token."""
    client = fixture.client(email, enforce_csrf_checks=True, HTTP_X_CSRFTOKEN=CSRF_TOKEN)  # type: ignore[arg-type]
    client.cookies["csrftoken"] = CSRF_TOKEN
    return client


def post(client: Client, path: str, data: dict[str, Any] | None = None) -> HttpResponse:
    return client.post(path, data or {}, content_type="application/json")  # type: ignore[return-value]


def patch(client: Client, path: str, data: dict[str, Any]) -> HttpResponse:
    return client.patch(path, data, content_type="application/json")  # type: ignore[return-value]


def field_names(response: HttpResponse) -> list[str]:
    assert response["Content-Type"] == "application/problem+json"
    return [error["field"] for error in response.json()["errors"]]


def assert_rest_requests_fail_across_tenants(
    owner: TenantFixture, intruder: TenantFixture, requests: list[tuple[str, str, dict[str, Any]]]
) -> None:
    """Each (method, path, data) aimed at the owner's ids: the intruder's admin gets a 404 problem on the
    intruder's host, the owner's stolen session a 401 there, and the owner's schema stays unchanged."""
    intruder_admin = api_client(intruder)
    stolen = with_session_of(owner.client(), intruder.host)
    before = schema_snapshot(owner.tenant)
    for method, path, data in requests:
        kwargs: dict[str, Any] = {"content_type": "application/json"} if method in ("post", "patch") else {}
        as_intruder = getattr(intruder_admin, method)(path, data, **kwargs)
        with_stolen_session = getattr(stolen, method)(path, data, **kwargs)
        assert as_intruder.status_code == 404, f"{method.upper()} {path} as the intruder: {as_intruder.status_code}"
        assert as_intruder["Content-Type"] == "application/problem+json"
        assert with_stolen_session.status_code == 401, f"{method.upper()} {path} with a stolen session"
    assert schema_snapshot(owner.tenant) == before


def queries_for(client: Client, path: str) -> tuple[int, HttpResponse]:
    """How many queries a GET of ``path`` runs, and its response."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), response
