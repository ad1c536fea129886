"""Lifecycle test helpers: a frozen clock, tenants provisioned inside a transaction that is rolled
back (so dropping a schema is rolled back with everything else), manual subscriptions on them.

``acme`` is provisioned once per file, in a transaction of the file rolled back after its last test
(``tests/shared_data.py``): a provisioning took most of each test's time. Every test starts from the
same acme (its own changes are rolled back with its test transaction) and gets its own copy of the
row. ``globex`` (two tests) is provisioned in the test's own transaction."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django_tenants.utils import tenant_context

from billing.choices import Provider
from billing.models import Plan, Subscription
from billing.services.subscriptions import start_subscription
from identity.services.accounts import ensure_user
from identity.services.roles import ensure_system_roles
from tenants.models import Tenant
from tenants.services.provisioning import TenantRequest, provision_tenant, request_tenant
from tests.shared_data import SharedBlock, rolled_back
from tests.tenancy import PASSWORD, TenantFixture

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OWNER_EMAIL = "owner@lifecycle.example"
REP_EMAIL = "rep@lifecycle.example"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def billing_settings(settings: Any) -> Any:
    settings.BILLING_GRACE_DAYS = 14
    settings.BILLING_RETENTION_DAYS = 90
    settings.BILLING_CANCEL_AFTER_SUSPENDED_DAYS = 30
    settings.BILLING_TRIAL_REMINDER_DAYS = 3
    settings.BILLING_INVOICE_DUE_DAYS = 14
    settings.BILLING_BANK_DETAILS = "IBAN RO49 AAAA 1B31 0075 9384 0000, Relata SRL"
    return settings


def provision(slug: str, *, name: str, locale: str = "en") -> TenantFixture:
    """A working tenant of the test's own (rolled back with the test): an admin and a sales rep."""
    tenant = request_tenant(
        TenantRequest(name=name, slug=slug, admin_email=OWNER_EMAIL, admin_password=PASSWORD, locale=locale)
    )
    provision_tenant(tenant.pk)
    with tenant_context(tenant):
        roles = ensure_system_roles()
        ensure_user(email=REP_EMAIL, password=PASSWORD, role=roles["sales_rep"], full_name="Rita Rep")
    connection.set_schema_to_public()
    tenant.refresh_from_db()
    return TenantFixture(tenant)


def manual_trial(fixture: TenantFixture, *, plan_key: str = "growth", seats: int = 3) -> Subscription:
    return start_subscription(
        fixture.tenant,
        Plan.objects.get(key=plan_key),
        provider=Provider.MANUAL,
        currency="EUR",
        seats=seats,
        trial=True,
        actor="signup",
    )


ACME = {"slug": "acme-billing", "name": "Acme Billing Ltd"}


@pytest.fixture(scope="module")
def acme_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[SharedBlock, int]]:
    """acme provisioned at the tests' start instant, in the file's rolled-back block."""
    with rolled_back(django_db_blocker) as block:
        with django_db_blocker.unblock(), time_machine.travel(START, tick=False):
            tenant_id = provision(ACME["slug"], name=ACME["name"]).tenant.pk
        yield block, tenant_id


@pytest.fixture
def acme(
    acme_once: tuple[SharedBlock, int], db: None, clock: time_machine.Traveller, billing_settings: Any
) -> TenantFixture:
    block, tenant_id = acme_once
    if not block.open:  # a test that commits ended the block: this test provisions its own
        return provision(ACME["slug"], name=ACME["name"])
    return TenantFixture(Tenant.objects.get(pk=tenant_id))


@pytest.fixture
def globex(db: None, clock: time_machine.Traveller, billing_settings: Any) -> TenantFixture:
    return provision("globex-billing", name="Globex Billing SRL", locale="ro")


def flush_deferred_constraints() -> None:
    """Check the foreign keys written so far in the test's transaction: PostgreSQL refuses to drop
    a table with pending deferred checks, and here the seeding and the drop share a transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def banner_of(response: Any) -> str | None:
    """The lifecycle banner of a page as text, its link's address in brackets; None without one."""
    assert response.status_code == 200, f"the page answered {response.status_code}"
    match = re.search(r'data-testid="lifecycle-banner">(.*?)</div>', response.content.decode(), re.DOTALL)
    if match is None:
        return None
    text = " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())
    link = re.search(r'href="([^"]+)"', match.group(1))
    return f"{text} [{link.group(1)}]" if link else text
