"""Helpers for the API tests: posting GraphQL, bulk users, test-only GraphQL schemas."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.test import Client, RequestFactory

from api.graphql.views import RelataGraphQLView
from identity.models import Role, Team, User
from tests.tenancy import ADMIN_EMAIL, TenantFixture

PROBLEM_BASE = "https://relata.dev/problems/"
PROBLEM = "application/problem+json"  # the Content-Type of every API error
# Any 32 alphanumeric characters form a valid CSRF secret; sent as cookie and header it passes.
CSRF_TOKEN = "a" * 32


def post_graphql(client: Client, query: str, variables: dict[str, Any] | None = None, **extra: Any) -> HttpResponse:
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    return client.post("/graphql/", payload, content_type="application/json", **extra)  # type: ignore[return-value]


def create_users(
    count: int,
    *,
    prefix: str = "user",
    role_key: str = "sales_rep",
    team_name: str = "Field sales",
    is_active: bool = True,
) -> list[User]:
    """``count`` users in the active tenant schema, each with a role and a team (so the list
    endpoints have relations to load). Call inside ``TenantFixture.active()``."""
    role = Role.objects.get(key=role_key)
    users = User.objects.bulk_create(
        User(email=f"{prefix}{number:03}@example.test", full_name=f"User {number}", role=role, is_active=is_active)
        for number in range(count)
    )
    Team.objects.get(name=team_name).members.add(*users)
    return users


def run_graphql_view(fixture: TenantFixture, schema: Any, query: str, *, email: str = ADMIN_EMAIL) -> HttpResponse:
    """POST ``query`` to RelataGraphQLView serving a test-only ``schema``, as ``email`` on the
    fixture's tenant. The request skips the middleware (the view is what is under test), so the
    tenant and user are attached the way the middleware would attach them."""
    request = RequestFactory().post(
        "/graphql/", json.dumps({"query": query}), content_type="application/json", HTTP_HOST=fixture.host
    )
    request.tenant = fixture.tenant  # type: ignore[attr-defined]
    request.user = fixture.user(email)
    with fixture.active():
        return RelataGraphQLView.as_view(schema=schema)(request)  # type: ignore[no-any-return]
