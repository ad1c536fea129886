"""Paying a manual invoice (the operator marks the bank transfer) lifts past-due and suspension."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from billing.choices import InvoiceStatus, SubscriptionStatus
from billing.models import Invoice, Subscription
from billing.providers.manual import mark_invoice_paid
from billing.services.lifecycle import advance_subscriptions
from billing.services.subscriptions import update_subscription
from identity.models import AuditEntry
from tenants.models import Tenant
from tests.billing.lifecycle.conftest import OWNER_EMAIL, banner_of, manual_trial
from tests.tenancy import TenantFixture

OPERATOR = "ops@relata.test"
TRIAL_ENDED = datetime(2026, 3, 16, 10, tzinfo=UTC)
OVERDUE = datetime(2026, 3, 30, 11, tzinfo=UTC)
SUSPENDED = datetime(2026, 4, 13, 11, tzinfo=UTC)


def _unpaid_until(acme: TenantFixture, clock: time_machine.Traveller, moment: datetime) -> Subscription:
    subscription = manual_trial(acme)
    for step in (TRIAL_ENDED, OVERDUE, SUSPENDED):
        if step <= moment:
            clock.move_to(step)
            advance_subscriptions()
    subscription.refresh_from_db()
    return subscription


def test_paying_during_the_grace_period_makes_the_subscription_active_again(
    acme: TenantFixture, clock: time_machine.Traveller
) -> None:
    subscription = _unpaid_until(acme, clock, OVERDUE)
    invoice = Invoice.objects.get(subscription=subscription)
    assert subscription.status == SubscriptionStatus.PAST_DUE
    assert "Please pay by" in banner_of(acme.client(OWNER_EMAIL).get("/"))

    paid = mark_invoice_paid(invoice, actor=OPERATOR, reference="TRF 2026-03-31/778")

    assert (paid.status, paid.amount_paid, paid.paid_at, paid.marked_paid_by, paid.payment_reference) == (
        InvoiceStatus.PAID,
        invoice.amount_due,
        OVERDUE,
        OPERATOR,
        "TRF 2026-03-31/778",
    )
    subscription.refresh_from_db()
    assert (subscription.status, subscription.past_due_since) == (SubscriptionStatus.ACTIVE, None)
    assert Tenant.objects.get(pk=acme.tenant.pk).status == "active"
    assert banner_of(acme.client(OWNER_EMAIL).get("/")) is None
    connection.set_schema_to_public()  # the request left the connection on the tenant's schema
    entry = AuditEntry.objects.get(action="billing.invoice.paid")
    assert (entry.actor, entry.actor_kind, entry.target) == (OPERATOR, "operator", "invoice:RLT-2026-000001")
    # The grace period's end passes without consequence now.
    clock.move_to(SUSPENDED)
    assert advance_subscriptions() == []


def test_paying_during_the_suspension_lifts_it(acme: TenantFixture, clock: time_machine.Traveller) -> None:
    subscription = _unpaid_until(acme, clock, SUSPENDED)
    assert Tenant.objects.get(pk=acme.tenant.pk).status == "suspended"
    owner = acme.client(OWNER_EMAIL)
    assert owner.post("/settings/teams/new/", {"name": "Blocked", "description": ""}).status_code == 403

    mark_invoice_paid(Invoice.objects.get(subscription=subscription), actor=OPERATOR, reference="TRF-9")

    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert Tenant.objects.get(pk=acme.tenant.pk).status == "active"
    assert banner_of(owner.get("/")) is None
    assert owner.post("/settings/teams/new/", {"name": "Back at work", "description": ""}).status_code == 302


def test_the_periods_missed_while_suspended_are_not_billed_and_the_current_one_is(
    acme: TenantFixture, clock: time_machine.Traveller
) -> None:
    subscription = _unpaid_until(acme, clock, SUSPENDED)
    clock.move_to(datetime(2026, 5, 20, 8, tzinfo=UTC))  # the March–April period is long over
    mark_invoice_paid(Invoice.objects.get(subscription=subscription), actor=OPERATOR)

    assert advance_subscriptions() == ["acme-billing: renewed; invoice RLT-2026-000002 issued"]

    subscription.refresh_from_db()
    assert (subscription.current_period_start, subscription.current_period_end) == (
        datetime(2026, 5, 16, 9, tzinfo=UTC),
        datetime(2026, 6, 16, 9, tzinfo=UTC),
    )
    invoices = Invoice.objects.filter(subscription=subscription).order_by("number")
    assert list(invoices.values_list("number", "status")) == [
        ("RLT-2026-000001", "paid"),
        ("RLT-2026-000002", "open"),
    ]


def test_an_operator_suspension_outlasts_the_payment(acme: TenantFixture, clock: time_machine.Traveller) -> None:
    subscription = _unpaid_until(acme, clock, OVERDUE)
    update_subscription(subscription, actor=OPERATOR, reason="abuse report", suspended_by_operator=True)
    assert Tenant.objects.get(pk=acme.tenant.pk).status == "suspended"

    mark_invoice_paid(Invoice.objects.get(subscription=subscription), actor=OPERATOR)

    subscription.refresh_from_db()
    assert (subscription.status, subscription.suspended_by_operator) == (SubscriptionStatus.ACTIVE, True)
    assert Tenant.objects.get(pk=acme.tenant.pk).status == "suspended"
    # Not suspended for non-payment: never cancelled for it either.
    clock.move_to(datetime(2026, 7, 1, tzinfo=UTC))
    advance_subscriptions()
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE


def test_an_invoice_is_paid_once(acme: TenantFixture, clock: time_machine.Traveller) -> None:
    subscription = _unpaid_until(acme, clock, TRIAL_ENDED)
    invoice = Invoice.objects.get(subscription=subscription)
    mark_invoice_paid(invoice, actor=OPERATOR, reference="first")

    with pytest.raises(ValidationError) as error:
        mark_invoice_paid(invoice, actor="someone@relata.test", reference="second")

    assert set(error.value.message_dict) == {"invoice"}
    assert "already paid" in error.value.message_dict["invoice"][0]
    invoice.refresh_from_db()
    assert (invoice.marked_paid_by, invoice.payment_reference) == (OPERATOR, "first")
    assert AuditEntry.objects.filter(action="billing.invoice.paid").count() == 1


def test_a_reference_too_long_is_refused_and_nothing_is_written(
    acme: TenantFixture, clock: time_machine.Traveller
) -> None:
    subscription = _unpaid_until(acme, clock, OVERDUE)
    invoice = Invoice.objects.get(subscription=subscription)

    with pytest.raises(ValidationError) as error:
        mark_invoice_paid(invoice, actor=OPERATOR, reference="x" * 201)

    assert set(error.value.message_dict) == {"reference"}
    invoice.refresh_from_db()
    subscription.refresh_from_db()
    assert (invoice.status, subscription.status) == (InvoiceStatus.OPEN, SubscriptionStatus.PAST_DUE)


def test_a_void_invoice_cannot_be_paid(acme: TenantFixture, clock: time_machine.Traveller) -> None:
    subscription = _unpaid_until(acme, clock, TRIAL_ENDED)
    invoice = Invoice.objects.get(subscription=subscription)
    Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.VOID)

    with pytest.raises(ValidationError) as error:
        mark_invoice_paid(invoice, actor=OPERATOR)

    assert "not open for payment" in error.value.message_dict["invoice"][0]
