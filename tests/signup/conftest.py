"""Signup fixtures: clients on the public host, committed signups cleaned up schema and all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from crm_platform.celery import app as celery_app
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
def public_client(db: None) -> Client:
    return Client(HTTP_HOST=PUBLIC_HOST)


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Tasks queued while the test runs execute at once in the sending thread: the provisioning a
    signup queues after its commit runs inside that request instead of on a worker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


@pytest.fixture
def committed(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Real commits (threads, schemas); tenants whose slug starts with ``scratch-`` are removed after."""
    with django_db_blocker.unblock():
        yield
        tenant_connection().set_schema_to_public()
        for tenant in Tenant.objects.filter(slug__startswith=SCRATCH_PREFIX):
            delete_tenant_schema(tenant)
        AuditEntry.objects.filter(target__startswith=f"tenant:{SCRATCH_PREFIX}").delete()
