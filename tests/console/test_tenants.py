"""The console's tenant list and tenant page: what an operator sees, and in how many queries."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from billing.choices import Provider
from billing.models import Plan, Subscription
from billing.services.subscriptions import start_subscription
from crm_platform.console.health import pending_migrations
from identity.models import AuditEntry
from identity.services.audit import record_audit
from tenants.models import Domain, Tenant, TenantStatusChange
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture


def make_tenant(slug: str, *, status: str = "active", plan: str | None = None, domain: str = "") -> Tenant:
    """A tenant row without a schema (never provisioned): enough for the list."""
    tenant = Tenant.objects.create(name=f"{slug.title()} Corp", slug=slug, schema_name=slug, status=status)
    Domain.objects.create(tenant=tenant, domain=domain or f"{slug}.localhost", is_primary=True)
    if plan:
        Subscription.objects.create(
            tenant=tenant, plan=Plan.objects.get(key=plan), provider=Provider.MANUAL, status="active", currency="EUR"
        )
    return tenant


def listed(response) -> list[str]:
    return [tenant.slug for tenant in response.context["page"]]


def test_the_list_shows_every_managed_tenant_but_not_the_public_or_template_one(
    operator_client: Client, alpha: TenantFixture, beta: TenantFixture
):
    response = operator_client.get("/console/")

    assert response.status_code == 200
    assert set(listed(response)) >= {"alpha", "beta"}
    assert {"public", "template"}.isdisjoint(listed(response))
    assert "Alpha Ltd" in response.content.decode()


def test_the_list_searches_name_slug_and_domain(operator_client: Client, alpha: TenantFixture):
    make_tenant("gamma", domain="crm.gamma-industries.test")
    make_tenant("delta")

    by_name = operator_client.get("/console/", {"q": "gamma corp"})
    by_slug = operator_client.get("/console/", {"q": "delt"})
    by_domain = operator_client.get("/console/", {"q": "gamma-industries"})

    assert listed(by_name) == ["gamma"]
    assert listed(by_slug) == ["delta"]
    assert listed(by_domain) == ["gamma"]


def test_the_list_filters_by_status_and_plan(operator_client: Client, alpha: TenantFixture):
    make_tenant("gamma", status="suspended", plan="growth")
    make_tenant("delta", status="trial", plan="starter")
    make_tenant("epsilon", status="suspended")

    suspended = operator_client.get("/console/", {"status": "suspended"})
    growth = operator_client.get("/console/", {"plan": "growth"})
    without_plan = operator_client.get("/console/", {"plan": "none", "status": "suspended"})

    assert sorted(listed(suspended)) == ["epsilon", "gamma"]
    assert listed(growth) == ["gamma"]
    assert listed(without_plan) == ["epsilon"]


def test_an_unknown_filter_value_is_ignored_not_an_error(operator_client: Client, alpha: TenantFixture):
    response = operator_client.get("/console/", {"status": "sleeping"})

    assert response.status_code == 200
    assert "status" in response.context["form"].errors


def test_the_list_is_paginated_and_keeps_its_filters(operator_client: Client, alpha: TenantFixture):
    for number in range(30):
        make_tenant(f"bulk{number:02d}")

    first = operator_client.get("/console/", {"q": "bulk"})
    second = operator_client.get("/console/", {"q": "bulk", "page": 2})

    assert len(listed(first)) == 25
    assert len(listed(second)) == 5
    assert "q=bulk&amp;page=2" in first.content.decode()


def test_the_list_takes_the_same_queries_for_many_tenants(
    operator_client: Client, alpha: TenantFixture, django_assert_max_num_queries
):
    operator_client.get("/console/")  # warm caches (session, plans)
    for number in range(20):
        make_tenant(f"many{number:02d}", plan="growth" if number % 2 else None)

    with django_assert_max_num_queries(9):
        response = operator_client.get("/console/")

    assert response.status_code == 200
    assert "Growth" in response.content.decode()


def test_the_tenant_page_shows_subscription_users_history_health_and_audit(
    operator_client: Client, alpha: TenantFixture
):
    start_subscription(
        alpha.tenant,
        Plan.objects.get(key="growth"),
        provider=Provider.MANUAL,
        currency="RON",
        seats=3,
        trial=False,
        actor="system:test",
    )
    record_audit("tenant.note", "Checked the account", actor="ops@relata.test", target="tenant:alpha")
    record_audit("tenant.note", "Something about beta", actor="ops@relata.test", target="tenant:beta")

    response = operator_client.get("/console/tenants/alpha/")
    page = response.content.decode()

    assert response.status_code == 200
    assert response.context["subscription"].plan.key == "growth"
    assert "RON" in page
    assert [user.email for user in response.context["users"]] == [ADMIN_EMAIL, REP_EMAIL]
    assert "Rita Rep" in page
    assert response.context["schema_exists"] is True
    assert response.context["pending_migrations"] == []
    assert "alpha.localhost" in page
    assert [entry.summary for entry in response.context["audit_entries"]] == ["Checked the account"]
    assert "Something about beta" not in page
    assert list(response.context["status_changes"]) == list(TenantStatusChange.objects.filter(tenant=alpha.tenant))
    assert response.context["usage"] is not None


def test_the_tenant_page_of_a_tenant_never_provisioned_has_no_users(operator_client: Client, alpha: TenantFixture):
    make_tenant("gamma")

    response = operator_client.get("/console/tenants/gamma/")

    assert response.status_code == 200
    assert response.context["users"] == []
    assert response.context["schema_exists"] is False
    assert "Resume provisioning" in response.content.decode() or "Provision" in response.content.decode()


def test_pending_migrations_compares_the_schema_with_the_code(alpha: TenantFixture):
    with schema_context("alpha"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'sales' AND name LIKE '0001%%'")
        removed = cursor.rowcount

    pending = pending_migrations("alpha")

    assert removed == 1
    assert len(pending) == 1
    assert pending[0].startswith("sales.0001")
    assert pending_migrations("beta") == []


def test_every_migration_is_pending_for_a_missing_schema(db: None):
    pending = pending_migrations("no_such_schema")

    assert "identity.0001_initial" in pending
    assert any(name.startswith("sales.") for name in pending)


def test_the_console_audit_log_filters_by_target_and_action(operator_client: Client, alpha: TenantFixture):
    with schema_context("public"):
        record_audit("tenant.suspend", "Alpha suspended", actor="ops@relata.test", target="tenant:alpha")
        record_audit("tenant.resume", "Alpha resumed", actor="ops@relata.test", target="tenant:alpha")
        record_audit("tenant.suspend", "Beta suspended", actor="ops@relata.test", target="tenant:beta")
    with alpha.active():
        record_audit("contact.delete", "Inside alpha's own log", actor=ADMIN_EMAIL)

    alpha_only = operator_client.get("/console/audit-log/", {"target": "tenant:alpha"})
    suspensions = operator_client.get("/console/audit-log/", {"action": "tenant.suspend"})
    everything = operator_client.get("/console/audit-log/")

    assert [e.summary for e in alpha_only.context["page"]] == ["Alpha resumed", "Alpha suspended"]
    assert [e.summary for e in suspensions.context["page"]] == ["Beta suspended", "Alpha suspended"]
    assert "Inside alpha's own log" not in everything.content.decode()
    assert AuditEntry.objects.count() == 3
