"""Handling stored Stripe events: invoices mirrored, Checkout linked (and the new tenant built),
failures recorded and retried, replays audited; tenant A's events never touch tenant B."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from billing.choices import Provider
from billing.models import Invoice, Plan, StripeEvent, Subscription
from billing.services.subscriptions import start_subscription, update_subscription
from billing.stripe_api import StripeUnavailable
from billing.webhooks.handling import handle_event, replay_event, store_event
from billing.webhooks.tasks import retry_pending_stripe_events
from identity.models import AuditEntry
from tenants.models import Tenant
from tenants.services.provisioning import TenantRequest, request_tenant
from tests.billing.stripe.builders import stripe_subscription
from tests.billing.stripe.fake_stripe import FakeStripe, sample
from tests.tenancy import TenantFixture, schema_snapshot


def stored(event_type: str, data_object: dict[str, Any], event_id: str) -> StripeEvent:
    event = sample("event", id=event_id, type=event_type, created=int(time.time()), data={"object": data_object})
    row, created = store_event(event)
    assert created
    return row


@pytest.fixture
def alpha_on_stripe(alpha: TenantFixture, fake_stripe: FakeStripe, stripe_prices: Any) -> Subscription:
    return stripe_subscription(alpha.tenant, fake_stripe, seats=3)


def test_a_failed_payment_mirrors_the_invoice_and_makes_the_tenant_past_due(
    alpha: TenantFixture, alpha_on_stripe: Subscription, fake_stripe: FakeStripe
) -> None:
    fake_stripe.subscriptions["sub_alpha"]["status"] = "past_due"
    invoice = fake_stripe.add_invoice(
        "in_alpha_1",
        subscription="sub_alpha",
        customer="cus_alpha",
        number="RELATA-0001",
        status="open",
        currency="eur",
        amount_due=14_700,
        amount_paid=0,
        attempt_count=2,
        hosted_invoice_url="https://invoice.stripe.test/i/in_alpha_1",
        last_finalization_error={"type": "card_error", "message": "Your card was declined."},
    )
    event = stored("invoice.payment_failed", invoice, "evt_inv_1")

    assert handle_event(event.pk) == "processed"

    mirrored = Invoice.objects.get(stripe_invoice_id="in_alpha_1")
    assert mirrored.subscription == alpha_on_stripe
    assert (mirrored.provider, mirrored.number, mirrored.status, mirrored.currency) == (
        "stripe",
        "RELATA-0001",
        "open",
        "EUR",
    )
    assert (mirrored.amount_due, mirrored.amount_paid, mirrored.attempt_count) == (14_700, 0, 2)
    assert mirrored.hosted_invoice_url == "https://invoice.stripe.test/i/in_alpha_1"
    assert mirrored.last_payment_error == "Your card was declined."
    alpha_on_stripe.refresh_from_db()
    assert alpha_on_stripe.status == "past_due"
    alpha.tenant.refresh_from_db()
    assert alpha.tenant.status == "past_due"

    # paid later: the same invoice row is updated, the subscription is active again
    paid_at = int(time.time())
    fake_stripe.subscriptions["sub_alpha"]["status"] = "active"
    invoice.update(status="paid", amount_paid=14_700, attempt_count=3, last_finalization_error=None)
    invoice["status_transitions"] = {**invoice["status_transitions"], "paid_at": paid_at}
    assert handle_event(stored("invoice.paid", invoice, "evt_inv_2").pk) == "processed"

    mirrored = Invoice.objects.get(stripe_invoice_id="in_alpha_1")
    assert (mirrored.status, mirrored.amount_paid, mirrored.attempt_count, mirrored.last_payment_error) == (
        "paid",
        14_700,
        3,
        "",
    )
    assert mirrored.paid_at is not None
    assert int(mirrored.paid_at.timestamp()) == paid_at
    alpha.tenant.refresh_from_db()
    assert alpha.tenant.status == "active"


def test_a_completed_checkout_links_the_subscription_and_builds_the_waiting_tenant(
    fake_stripe: FakeStripe, stripe_prices: Any, eager_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    tenant = request_tenant(TenantRequest(name="Gamma Ltd", slug="gamma", admin_email="owner@gamma.example"))
    subscription = start_subscription(
        tenant,
        Plan.objects.get(key="enterprise"),
        provider=Provider.STRIPE,
        currency="EUR",
        status="incomplete",
        actor="owner@gamma.example",
    )
    metadata = {"relata_subscription": str(subscription.pk), "relata_tenant": "gamma"}
    fake_stripe.add_subscription(
        "sub_gamma", customer="cus_gamma", price="price_enterprise_eur_month", status="trialing", metadata=metadata
    )
    session = fake_stripe.add_checkout_session(
        "cs_gamma",
        mode="subscription",
        status="complete",
        client_reference_id=str(subscription.pk),
        metadata=metadata,
        customer="cus_gamma",
        subscription="sub_gamma",
    )
    event = stored("checkout.session.completed", session, "evt_checkout")

    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert handle_event(event.pk) == "processed"

    assert len(queued) == 1  # the provisioning
    subscription.refresh_from_db()
    assert (subscription.stripe_customer_id, subscription.stripe_subscription_id, subscription.status) == (
        "cus_gamma",
        "sub_gamma",
        "trialing",
    )
    tenant.refresh_from_db()
    assert (tenant.provisioning_state, tenant.status) == ("active", "trial")
    assert fake_stripe.calls() == [("GET", "/v1/checkout/sessions/cs_gamma"), ("GET", "/v1/subscriptions/sub_gamma")]


def test_a_checkout_naming_another_tenants_subscription_links_nothing(
    alpha: TenantFixture, beta: TenantFixture, fake_stripe: FakeStripe, stripe_prices: Any
) -> None:
    betas = stripe_subscription(beta.tenant, fake_stripe, link=False)
    # ours is beta's, the metadata says alpha: neither is touched
    session = fake_stripe.add_checkout_session(
        "cs_mixed",
        mode="subscription",
        client_reference_id=str(betas.pk),
        metadata={"relata_subscription": str(betas.pk), "relata_tenant": "alpha"},
        customer="cus_beta",
        subscription="sub_beta",
    )
    beta_before = schema_snapshot(beta.tenant)

    assert handle_event(stored("checkout.session.completed", session, "evt_mixed").pk) == "processed"

    betas.refresh_from_db()
    assert (betas.stripe_subscription_id, betas.stripe_customer_id) == ("", "")
    assert schema_snapshot(beta.tenant) == beta_before


def test_an_event_for_one_tenants_subscription_never_changes_another(
    alpha: TenantFixture, beta: TenantFixture, fake_stripe: FakeStripe, stripe_prices: Any
) -> None:
    alphas = stripe_subscription(alpha.tenant, fake_stripe, seats=3)
    betas = stripe_subscription(beta.tenant, fake_stripe, seats=4)
    # an unlinked Stripe subscription whose metadata names beta's subscription under alpha's slug
    stray = fake_stripe.add_subscription(
        "sub_stray",
        customer="cus_stray",
        price="price_starter_eur_month",
        status="canceled",
        metadata={"relata_subscription": str(betas.pk), "relata_tenant": "alpha"},
    )
    fake_stripe.subscriptions["sub_alpha"].update(status="canceled")
    beta_before = schema_snapshot(beta.tenant)
    beta_row = Subscription.objects.filter(pk=betas.pk).values().get()
    beta_status = Tenant.objects.get(pk=beta.tenant.pk).status

    for event_id, data in (("evt_a", fake_stripe.subscriptions["sub_alpha"]), ("evt_stray", stray)):
        assert handle_event(stored("customer.subscription.deleted", data, event_id).pk) == "processed"

    alphas.refresh_from_db()
    assert alphas.status == "canceled"
    assert Subscription.objects.filter(pk=betas.pk).values().get() == beta_row
    assert Tenant.objects.get(pk=beta.tenant.pk).status == beta_status
    assert schema_snapshot(beta.tenant) == beta_before


def test_a_failing_event_is_recorded_and_retried_until_it_succeeds(
    alpha_on_stripe: Subscription, fake_stripe: FakeStripe, eager_tasks: None, settings: Any
) -> None:
    fake_stripe.subscriptions["sub_alpha"]["items"]["data"][0]["quantity"] = 9
    event = stored("customer.subscription.updated", fake_stripe.subscriptions["sub_alpha"], "evt_down")
    stripe_url, settings.STRIPE_API_BASE = settings.STRIPE_API_BASE, "http://127.0.0.1:9"  # nothing listens
    settings.STRIPE_MAX_NETWORK_RETRIES = 0

    with pytest.raises(StripeUnavailable):
        handle_event(event.pk)

    event.refresh_from_db()
    assert (event.status, event.attempts) == ("failed", 1)
    assert event.error.startswith("Stripe unavailable")
    alpha_on_stripe.refresh_from_db()
    assert alpha_on_stripe.seats == 3

    # Stripe is back; beat's retry picks the failed event up (and a pending one whose message was lost)
    settings.STRIPE_API_BASE = stripe_url
    lost = stored("customer.subscription.updated", fake_stripe.subscriptions["sub_alpha"], "evt_lost")
    StripeEvent.objects.filter(pk=lost.pk).update(received_at=timezone.now() - timedelta(minutes=2))
    fresh = stored("customer.subscription.updated", fake_stripe.subscriptions["sub_alpha"], "evt_fresh")

    assert retry_pending_stripe_events() == 2

    event.refresh_from_db()
    assert (event.status, event.attempts, event.error) == ("processed", 2, "")
    assert StripeEvent.objects.get(pk=lost.pk).status == "processed"
    assert StripeEvent.objects.get(pk=fresh.pk).status == "pending"  # may still be in the queue
    alpha_on_stripe.refresh_from_db()
    assert alpha_on_stripe.seats == 9


def test_an_event_that_cannot_be_handled_fails_with_its_error_until_attempts_run_out(
    alpha_on_stripe: Subscription, fake_stripe: FakeStripe, eager_tasks: None
) -> None:
    invoice = sample("invoice", id="in_unknown", subscription="sub_alpha", customer="cus_alpha")
    event = stored("invoice.paid", invoice, "evt_bad")

    assert handle_event(event.pk) == "failed"
    for _attempt in range(6):
        retry_pending_stripe_events()

    event.refresh_from_db()
    assert (event.status, event.attempts) == ("failed", 5)
    assert "No such invoice" in event.error
    assert not Invoice.objects.exists()


def test_a_replayed_event_is_handled_again_and_audited(
    alpha_on_stripe: Subscription, fake_stripe: FakeStripe, eager_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    event = stored("customer.subscription.updated", fake_stripe.subscriptions["sub_alpha"], "evt_replay")
    assert handle_event(event.pk) == "processed"
    fake_stripe.subscriptions["sub_alpha"]["items"]["data"][0]["quantity"] = 6

    with django_capture_on_commit_callbacks(execute=True) as queued:
        replay_event(event, actor="ops@relata.example")

    assert len(queued) == 1
    event.refresh_from_db()
    assert (event.status, event.attempts) == ("processed", 2)
    alpha_on_stripe.refresh_from_db()
    assert alpha_on_stripe.seats == 6
    entry = AuditEntry.objects.get(action="billing.stripe_event.replayed")
    assert (entry.actor, entry.actor_kind, entry.target) == ("ops@relata.example", "operator", "evt_replay")
    assert entry.details["previous_status"] == "processed"


def test_a_handled_event_is_not_handled_again(alpha_on_stripe: Subscription, fake_stripe: FakeStripe) -> None:
    event = stored("customer.subscription.updated", fake_stripe.subscriptions["sub_alpha"], "evt_once")

    assert handle_event(event.pk) == "processed"
    assert handle_event(event.pk) is None
    assert handle_event(event.pk + 1000) is None

    assert fake_stripe.calls() == [("GET", "/v1/subscriptions/sub_alpha")]
    assert StripeEvent.objects.get(pk=event.pk).attempts == 1


def test_a_subscription_moved_to_bank_transfer_ignores_stripes_news(
    alpha_on_stripe: Subscription, fake_stripe: FakeStripe
) -> None:
    update_subscription(alpha_on_stripe, actor="ops@relata.example", provider=Provider.MANUAL)
    fake_stripe.subscriptions["sub_alpha"]["status"] = "canceled"

    assert handle_event(stored("customer.subscription.deleted", fake_stripe.subscriptions["sub_alpha"], "e").pk)

    alpha_on_stripe.refresh_from_db()
    assert (alpha_on_stripe.provider, alpha_on_stripe.status) == ("manual", "active")
