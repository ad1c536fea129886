"""The lifecycle run is idempotent, and one tenant's lifecycle never touches another tenant."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import time_machine
from django.core import mail

from billing.choices import Provider
from billing.models import Invoice, Plan, Subscription, SubscriptionChange
from billing.providers.manual import issue_invoice, mark_invoice_paid
from billing.services.lifecycle import advance_subscriptions
from billing.services.subscriptions import start_subscription
from identity.models import AuditEntry
from tenants.models import Tenant, TenantStatusChange
from tests.billing.lifecycle.conftest import flush_deferred_constraints, manual_trial
from tests.tenancy import TenantFixture, schema_snapshot

MOMENTS = [
    datetime(2026, 3, 13, 10, tzinfo=UTC),  # trial reminder
    datetime(2026, 3, 16, 10, tzinfo=UTC),  # trial over, invoice
    datetime(2026, 3, 30, 11, tzinfo=UTC),  # past due
    datetime(2026, 4, 13, 11, tzinfo=UTC),  # suspended
    datetime(2026, 5, 13, 11, tzinfo=UTC),  # cancelled
    datetime(2026, 8, 11, 12, tzinfo=UTC),  # deleted
]


def _public_state() -> dict[str, Any]:
    return {
        "subscriptions": list(Subscription.objects.order_by("pk").values()),
        "invoices": list(Invoice.objects.order_by("pk").values()),
        "changes": SubscriptionChange.objects.count(),
        "tenants": list(Tenant.objects.order_by("pk").values("pk", "status", "enabled_modules")),
        "status_changes": TenantStatusChange.objects.count(),
        "audit": AuditEntry.objects.count(),
        "mails": len(mail.outbox),
    }


def test_a_second_run_at_the_same_instant_changes_nothing_and_sends_nothing(
    acme: TenantFixture, clock: time_machine.Traveller
) -> None:
    manual_trial(acme)
    for moment in MOMENTS:
        clock.move_to(moment)
        flush_deferred_constraints()
        advance_subscriptions()
        after_first = _public_state()

        assert advance_subscriptions() == []

        assert _public_state() == after_first, f"the second run at {moment} changed something"
    assert len(mail.outbox) == 5


def test_a_lifecycle_never_touches_another_tenant(
    acme: TenantFixture, globex: TenantFixture, alpha: TenantFixture, clock: time_machine.Traveller
) -> None:
    manual_trial(acme)
    yearly = start_subscription(
        globex.tenant,
        Plan.objects.get(key="starter"),
        provider=Provider.MANUAL,
        currency="RON",
        interval="year",
        seats=2,
        trial=False,
        actor="ops@relata.test",
    )
    mark_invoice_paid(issue_invoice(yearly), actor="ops@relata.test", reference="OP 1")
    mails_before = len(mail.outbox)
    globex_before = schema_snapshot(globex.tenant)
    alpha_before = schema_snapshot(alpha.tenant)
    globex_subscription = Subscription.objects.filter(pk=yearly.pk).values().get()
    globex_history = SubscriptionChange.objects.filter(subscription=yearly).count()

    for moment in MOMENTS:
        clock.move_to(moment)
        flush_deferred_constraints()
        advance_subscriptions()

    assert Tenant.objects.get(pk=acme.tenant.pk).status == "deleted"
    assert Tenant.objects.get(pk=globex.tenant.pk).status == "active"
    assert Tenant.objects.get(pk=alpha.tenant.pk).status == "active"
    assert Subscription.objects.filter(pk=yearly.pk).values().get() == globex_subscription
    assert SubscriptionChange.objects.filter(subscription=yearly).count() == globex_history
    assert list(Invoice.objects.filter(subscription=yearly).values_list("status", flat=True)) == ["paid"]
    assert not TenantStatusChange.objects.filter(tenant=globex.tenant).exclude(to_status="active").exists()
    assert not [m for m in mail.outbox[mails_before:] if "Globex" in m.subject or "Globex" in m.body]
    assert schema_snapshot(globex.tenant) == globex_before
    assert schema_snapshot(alpha.tenant) == alpha_before
    assert not AuditEntry.objects.filter(target=f"subscription:{yearly.pk}").exists()
