"""Signup fixtures: clients on the public host, committed signups cleaned up schema and all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from identity.models import AuditEntry
from tenants.db import tenant_connection
from tenants.models import Tenant
from tenants.services.provisioning import delete_tenant_schema

PUBLIC_HOST = "localhost"
PASSWORD = "a-long-enough-password"
SCRATCH_PREFIX = "scratch-"


def signup_data(slug: str, **overrides: str) -> dict[str, str]:
    data = {
        "name": f"Company {slug}",
        "slug": slug,
        "admin_email": f"Boss@{slug}.test",
        "password": PASSWORD,
        "plan": "growth",
        "currency": "EUR",
        "interval": "month",
        "locale": "en",
    }
    data.update(overrides)
    return data


def progress_path(response: Any) -> str:
    """The progress page a successful signup redirects to."""
    assert response.status_code == 302, response.content.decode()[:2000]
    location = str(response["Location"])
    assert re.fullmatch(r"/signup/[^/]+/", location), location
    return location


def section(html: str, test_id: str) -> str:
    """The markup from the element with ``data-testid=test_id`` to the end of its card."""
    start = html.index(f'data-testid="{test_id}"')
    return html[start : html.index("</article>", start)]


@pytest.fixture
def committed(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Real commits (threads, schemas); tenants whose slug starts with ``scratch-`` are removed after."""
    with django_db_blocker.unblock():
        yield
        tenant_connection().set_schema_to_public()
        for tenant in Tenant.objects.filter(slug__startswith=SCRATCH_PREFIX):
            delete_tenant_schema(tenant)
        AuditEntry.objects.filter(target__startswith=f"tenant:{SCRATCH_PREFIX}").delete()
