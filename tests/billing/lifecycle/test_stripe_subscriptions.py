"""Stripe subscriptions follow Stripe for trials, renewals and payments; the grace period and the
suspension are the platform's own rules and apply to them too."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from django.core import mail

from billing.choices import Provider, SubscriptionStatus
from billing.models import Invoice, Plan, Subscription
from billing.services.lifecycle import advance_subscriptions
from billing.services.subscriptions import start_subscription, update_subscription
from tenants.models import Tenant
from tests.tenancy import TenantFixture


def test_a_stripe_subscription_is_suspended_after_the_grace_period_and_never_invoiced_here(
    acme: TenantFixture, clock: time_machine.Traveller
) -> None:
    subscription = start_subscription(
        acme.tenant, Plan.objects.get(key="growth"), provider=Provider.STRIPE, currency="EUR", trial=False, actor="t"
    )
    update_subscription(subscription, actor="stripe", reason="payment failed", status=SubscriptionStatus.PAST_DUE)
    assert Tenant.objects.get(pk=acme.tenant.pk).status == "past_due"

    clock.move_to(datetime(2026, 3, 16, 8, tzinfo=UTC))  # 14 days less an hour
    assert advance_subscriptions() == []
    clock.move_to(datetime(2026, 4, 5, tzinfo=UTC))  # grace over, and Stripe's period ended on 2 April
    assert advance_subscriptions() == ["acme-billing: grace period over; tenant suspended"]

    assert Tenant.objects.get(pk=acme.tenant.pk).status == "suspended"
    subscription.refresh_from_db()
    assert (subscription.status, subscription.current_period_end) == (
        SubscriptionStatus.PAST_DUE,
        datetime(2026, 4, 2, 9, tzinfo=UTC),
    )
    assert not Invoice.objects.filter(subscription=subscription).exists()
    assert [m.subject for m in mail.outbox] == [
        "Payment overdue for Acme Billing Ltd",
        "Acme Billing Ltd is suspended: payment needed",
    ]


def test_a_stripe_trial_is_reminded_but_not_ended_here(acme: TenantFixture, clock: time_machine.Traveller) -> None:
    subscription = start_subscription(
        acme.tenant, Plan.objects.get(key="growth"), provider=Provider.STRIPE, currency="EUR", trial=True, actor="t"
    )

    clock.move_to(datetime(2026, 3, 14, tzinfo=UTC))
    advance_subscriptions()
    clock.move_to(datetime(2026, 3, 20, tzinfo=UTC))
    assert advance_subscriptions() == []

    assert Subscription.objects.get(pk=subscription.pk).status == SubscriptionStatus.TRIALING
    assert [m.subject for m in mail.outbox] == ["Your Relata trial for Acme Billing Ltd ends soon"]
