"""Two-tenant helpers every test module uses to prove isolation.

Tenants ``alpha`` and ``beta`` are provisioned once per test session with identical fixtures
(same e-mails, same roles, same passwords, same ids), so any leak shows up as the wrong
tenant's row rather than a missing one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from identity.models import Role, User
from identity.services.login_handoff import Handoff, handoff_path, issue_handoff
from tenants.models import Tenant

PASSWORD = "correct-horse-battery-staple"
ADMIN_EMAIL = "admin@example.test"
REP_EMAIL = "rep@example.test"
OPERATOR_EMAIL = "ops@relata.test"


@dataclass(frozen=True)
class TenantFixture:
    tenant: Tenant

    @property
    def host(self) -> str:
        return self.tenant.primary_host

    def user(self, email: str = ADMIN_EMAIL) -> User:
        with tenant_context(self.tenant):
            return User.objects.select_related("role").get(email=email)

    def client(self, email: str | None = ADMIN_EMAIL, **defaults: str) -> Client:
        """A test client on this tenant's host, signed in as ``email`` (None: anonymous)."""
        client = Client(HTTP_HOST=self.host, **defaults)
        if email is not None:
            with tenant_context(self.tenant):
                client.force_login(User.objects.get(email=email), backend="identity.backends.EmailBackend")
        return client

    @contextmanager
    def active(self) -> Iterator[Tenant]:
        with tenant_context(self.tenant):
            yield self.tenant


def grant(tenant: TenantFixture, role_key: str, *codes: str) -> None:
    """Add permission codes to a role of ``tenant`` (the test transaction rolls it back)."""
    with tenant.active():
        role = Role.objects.get(key=role_key)
        role.permissions = sorted({*role.permissions, *codes})
        role.save(update_fields=["permissions"])


def revoke(tenant: TenantFixture, role_key: str, *codes: str) -> None:
    """Take permission codes away from a role of ``tenant`` (the test transaction rolls it back)."""
    with tenant.active():
        role = Role.objects.get(key=role_key)
        role.permissions = [code for code in role.permissions if code not in codes]
        role.save(update_fields=["permissions"])


def impersonating_client(tenant: TenantFixture, email: str) -> Client:
    """A browser on the tenant's host where support staff signed in as ``email`` (the console's handoff)."""
    token = issue_handoff(
        Handoff(
            schema_name=tenant.tenant.schema_name, email=email, impersonator=OPERATOR_EMAIL, reason="Help", minutes=15
        )
    )
    client = Client(HTTP_HOST=tenant.host)
    assert client.get(handoff_path(token)).status_code == 302
    return client


def schema_snapshot(tenant: Tenant) -> dict[str, str]:
    """A digest of every row of every table in the tenant's schema, to prove nothing changed."""
    snapshot: dict[str, str] = {}
    with tenant_context(tenant), connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'"
            " ORDER BY table_name",
            [tenant.schema_name],
        )
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            # django_session changes on every login and home_recentrecord on every record page
            # opened (both per-user navigation state); what matters is the tenant's business data.
            if table in ("django_session", "home_recentrecord"):
                continue
            # Identifiers come from information_schema and the validated schema name, not input.
            cursor.execute(f'SELECT * FROM "{tenant.schema_name}"."{table}" ORDER BY 1')  # noqa: S608
            snapshot[table] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return snapshot


def with_session_of(source: Client, host: str) -> Client:
    """A client on ``host`` carrying the session cookie ``source`` was given on its own host."""
    client = Client(HTTP_HOST=host)
    client.cookies["sessionid"] = source.cookies["sessionid"].value
    return client


def assert_cross_tenant_requests_fail(
    owner: TenantFixture, intruder: TenantFixture, requests: list[tuple[str, str, dict[str, object]]]
) -> None:
    """Every request, made by the intruder's admin on the intruder's host and again with the
    owner's stolen session on the intruder's host, is refused, and the owner's data is unchanged.

    ``requests`` are (method, path, data) aimed at the owner's objects, e.g. ids that exist only
    in the owner's schema. Refused means 404 for the signed-in intruder (the object does not exist
    there) and a redirect to sign in for the stolen session (it means nothing there).
    """
    intruder_admin = intruder.client()
    stolen = with_session_of(owner.client(), intruder.host)  # signing in touches last_login: before the snapshot
    before = schema_snapshot(owner.tenant)
    for method, path, data in requests:
        as_intruder = getattr(intruder_admin, method)(path, data)
        with_stolen_session = getattr(stolen, method)(path, data)
        assert as_intruder.status_code == 404, f"{method.upper()} {path} as the intruder: {as_intruder.status_code}"
        assert with_stolen_session.status_code == 302, f"{method.upper()} {path} with a stolen session"
        assert with_stolen_session["Location"].startswith("/login/")
    assert schema_snapshot(owner.tenant) == before
