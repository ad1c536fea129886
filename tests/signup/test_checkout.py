"""Signing up where Stripe takes the card first: the customer goes to Checkout, nothing is built
before Stripe confirms; a Stripe that cannot be reached keeps the signup and queues its checkout,
a Stripe that refuses leaves nothing behind."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from billing.models import PlanPrice, Subscription
from tenants.models import Tenant
from tests.billing.stripe.fake_stripe import SECRET_KEY, FakeStripe, running_fake_stripe
from tests.processes import free_port
from tests.signup.conftest import progress_path, signup_data


@pytest.fixture
def stripe(db: None, settings: Any) -> Iterator[FakeStripe]:
    """Stripe configured (so it is the default provider), its prices on the EUR monthly plans."""
    with running_fake_stripe() as fake:
        settings.STRIPE_API_BASE = fake.url
        settings.STRIPE_SECRET_KEY = SECRET_KEY
        settings.STRIPE_MAX_NETWORK_RETRIES = 0
        for plan in ("starter", "growth", "enterprise"):
            PlanPrice.objects.filter(plan__key=plan, currency="EUR", interval="month").update(
                stripe_price_id=f"price_{plan}_eur_month"
            )
        yield fake


def test_a_trial_that_needs_a_card_goes_to_checkout_and_waits_for_it(
    public_client: Client, stripe: FakeStripe, eager_tasks: None, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = public_client.post("/signup/", signup_data("carded", plan="enterprise"))

    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.test/c/pay/cs_test_fake")
    tenant = Tenant.objects.get(slug="carded")
    subscription = Subscription.objects.get(tenant=tenant)
    assert (subscription.provider, subscription.status, subscription.plan.key) == ("stripe", "incomplete", "enterprise")
    assert subscription.trial_ends_at is not None
    assert subscription.stripe_customer_id.startswith("cus_fake")
    session = next(iter(stripe.checkout_sessions.values()))
    assert session["cancel_url"] == "http://localhost/signup/?plan=enterprise&currency=EUR&interval=month"
    success = session["success_url"].removeprefix("http://localhost")
    # Nothing is built until Stripe confirms the card (its webhook queues provisioning).
    assert (tenant.provisioning_state, tenant.provisioning_attempts) == ("requested", 0)
    waiting = public_client.get(success)
    assert waiting.status_code == 200
    assert "Waiting for the payment confirmation…" in waiting.content.decode()
    assert Client(HTTP_HOST="localhost").get(success).status_code == 404


def test_a_trial_without_a_card_skips_checkout_even_with_stripe(
    public_client: Client, stripe: FakeStripe, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        progress_path(public_client.post("/signup/", signup_data("cardless", plan="starter")))

    subscription = Subscription.objects.get(tenant__slug="cardless")
    assert (subscription.provider, subscription.status) == ("stripe", "trialing")
    assert stripe.requests == []
    assert len(queued) == 1


def test_a_plan_stripe_cannot_charge_in_the_currency_is_refused_on_the_field(public_client: Client, stripe: FakeStripe):
    tenants, subscriptions = Tenant.objects.count(), Subscription.objects.count()

    response = public_client.post("/signup/", signup_data("no-card-price", plan="enterprise", currency="RON"))

    assert response.status_code == 400
    assert "The Enterprise plan cannot be paid by card in RON yet." in response.content.decode()
    assert 'data-testid="error-plan"' in response.content.decode()
    assert (Tenant.objects.count(), Subscription.objects.count()) == (tenants, subscriptions)


def test_when_stripe_cannot_be_reached_the_signup_is_kept_and_the_checkout_queued(
    public_client: Client, stripe: FakeStripe, settings: Any, django_capture_on_commit_callbacks
):
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"  # nobody listens there

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = public_client.post("/signup/", signup_data("offline", plan="enterprise"))

    page = public_client.get(progress_path(response))
    assert "Your signup is saved, but the payment page could not be opened just now." in page.content.decode()
    assert "boss@offline.test" in page.content.decode()
    tenant = Tenant.objects.get(slug="offline")
    subscription = Subscription.objects.get(tenant=tenant)
    assert (subscription.status, subscription.stripe_customer_id) == ("incomplete", "")
    assert (tenant.provisioning_state, tenant.provisioning_attempts) == ("requested", 0)
    assert len(queued) == 1  # the checkout task, not provisioning


def test_when_stripe_refuses_the_checkout_nothing_is_saved(public_client: Client, stripe: FakeStripe, settings: Any):
    settings.STRIPE_API_BASE = f"{stripe.url}/elsewhere"  # every call there is a 404 invalid_request_error
    tenants, subscriptions = Tenant.objects.count(), Subscription.objects.count()

    response = public_client.post("/signup/", signup_data("refused", plan="enterprise"))

    assert response.status_code == 503
    assert "The payment page could not be opened. Nothing was saved" in response.content.decode()
    assert (Tenant.objects.count(), Subscription.objects.count()) == (tenants, subscriptions)
