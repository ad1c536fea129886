"""The load test's tenants: real tenants with the demo's CRM records, and what the simulated users need.

``seed(count)`` makes sure tenants ``load-0001`` … ``load-<count>`` exist, each provisioned by the
real service (cloned from the template) and filled by the demo builder (users and teams, companies,
contacts, leads, deals with their stage history, activities, timeline, products, quotes, orders,
custom fields, workflow rules: bulk inserts, a few seconds a tenant) at a smaller size than the demo
tenant. The other modules' demo parts (support cases, fitted analytics models) are left out: they
cost most of the demo's time and the load test does not read them. A tenant that already has
companies is kept, so a second run only seeds what is missing.

It returns the manifest the locust users read (``loadtests/locust/locustfile.py``): per tenant its
host, the sales reps who browse (e-mail and the ids of records they own, so every request finds a
record they may see), the admin, and an API key for the integrators (created on every run, named
"Load test", the previous run's revoked, as the plaintext is only shown once).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from django_tenants.utils import tenant_context

from identity.models import ApiKey, User
from identity.services.api_keys import create_api_key, revoke_api_key
from modules.activities.models import Activity
from modules.contacts.demo.builder import DemoSize
from modules.contacts.demo.seed import DemoBuilder
from modules.contacts.models import Company, Contact
from modules.registry import OPTIONAL_MODULE_KEYS
from modules.sales.models import Deal
from tenants.db import tenant_connection
from tenants.models import Tenant
from tenants.services.provisioning import TenantRequest, provision_tenant, request_tenant

SLUG_PREFIX = "load-"
# The simulated users' password, on tenants that exist only under var/loadtest.
PASSWORD = "relata-load-2026"  # noqa: S105
API_KEY_NAME = "Load test"
API_SCOPES = ["contacts:read", "contacts:write", "sales:read", "sales:write"]
# A tenant of a small sales team: a tenth of the demo tenant.
SIZE = DemoSize(companies=60, contacts=600, leads=40, deals=120, activities=600)
IDS_PER_USER = 25


@dataclass
class Browser:
    email: str
    contacts: list[int]
    companies: list[int]
    deals: list[int]
    activities: list[int]
    search: list[str]


@dataclass
class TenantEntry:
    slug: str
    host: str
    admin: str
    api_key: str
    browsers: list[Browser] = field(default_factory=list)


def log(message: str) -> None:
    print(f"[loadtest] {message}", flush=True)


def slugs(count: int) -> list[str]:
    return [f"{SLUG_PREFIX}{index:04d}" for index in range(1, count + 1)]


def seed(count: int) -> dict[str, Any]:
    """Tenants ready for the load test; the manifest (``{"password": …, "tenants": [TenantEntry]}``)."""
    started = time.perf_counter()
    password_hash = make_password(PASSWORD)
    entries: list[TenantEntry] = []
    created = 0
    for slug in slugs(count):
        tenant, fresh = _tenant(slug, password_hash)
        created += fresh
        entries.append(_entry(tenant))
        if fresh and created % 10 == 0:
            log(f"seeded {created} tenants ({time.perf_counter() - started:.0f} s)")
    log(f"{count} load-test tenants ready ({created} seeded now) in {time.perf_counter() - started:.0f} s")
    return {"password": PASSWORD, "tenants": [asdict(entry) for entry in entries]}


def _tenant(slug: str, password_hash: str) -> tuple[Tenant, bool]:
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        tenant = request_tenant(
            TenantRequest(
                name=f"Load {slug.removeprefix(SLUG_PREFIX)}",
                slug=slug,
                admin_email=f"admin@{slug}.test",
                admin_password=PASSWORD,
                status="active",
                enabled_modules=OPTIONAL_MODULE_KEYS,
            )
        )
    if not tenant.is_ready:
        with override_settings(TENANT_PROVISIONING_METHOD="clone"):
            tenant = provision_tenant(tenant.pk)
    fresh = False
    with tenant_context(tenant), transaction.atomic(), translation.override(tenant.locale or "en"):
        if not Company.objects.exists():
            DemoBuilder(SIZE, password_hash=password_hash).build()
            fresh = True
    tenant_connection().set_schema_to_public()
    return tenant, fresh


def _entry(tenant: Tenant) -> TenantEntry:
    with tenant_context(tenant):
        admin = User.objects.filter(role__key="admin", is_active=True).order_by("pk").first()
        if admin is None:
            raise RuntimeError(f"tenant {tenant.slug} has no admin")
        for key in ApiKey.objects.filter(name=API_KEY_NAME, revoked_at__isnull=True):
            revoke_api_key(key, by=admin)
        _key, secret = create_api_key(user=admin, name=API_KEY_NAME, scopes=API_SCOPES)
        entry = TenantEntry(
            slug=tenant.slug, host=f"{tenant.slug}.{settings.BASE_DOMAIN}", admin=admin.email, api_key=secret
        )
        for user in User.objects.filter(role__key="sales_rep", is_active=True).order_by("pk"):
            entry.browsers.append(_browser(user))
    tenant_connection().set_schema_to_public()
    return entry


def _browser(user: User) -> Browser:
    def owned(model: Any) -> list[int]:
        return list(model.objects.filter(owner=user).order_by("pk").values_list("pk", flat=True)[:IDS_PER_USER])

    names = Contact.objects.filter(owner=user).order_by("pk").values_list("last_name", flat=True)[:IDS_PER_USER]
    return Browser(
        email=user.email,
        contacts=owned(Contact),
        companies=owned(Company),
        deals=owned(Deal),
        activities=list(
            Activity.objects.filter(assignee=user).order_by("pk").values_list("pk", flat=True)[:IDS_PER_USER]
        ),
        # The first letters of names the user's own contacts carry: what Ctrl+K is typed with.
        search=sorted({name[:3] for name in names if len(name) >= 3}),
    )
