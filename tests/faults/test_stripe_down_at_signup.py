"""Stripe unreachable when a company signs up for a plan that takes a card first: the signup is
kept, the page says the payment page's link will come by e-mail, and a real worker retries until
Stripe answers again, then opens one checkout and mails its link once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from billing.models import PlanPrice, Subscription
from tenants.models import Tenant
from tests.billing.stripe.fake_stripe import SECRET_KEY, running_fake_stripe
from tests.faults.conftest import StandbyWorker
from tests.processes import wait_for_idle_worker, wait_until
from tests.signup.conftest import committed, progress_path, signup_data  # noqa: F401 (a fixture)

SLUG = "scratch-stripe-down"


@pytest.mark.worker
def test_a_signup_made_while_stripe_is_down_gets_its_checkout_when_stripe_is_back(
    committed: None,  # noqa: F811 (the fixture imported above)
    settings: Any,
    standby_worker: StandbyWorker,
) -> None:
    # Closed until the fake Stripe starts there; the worker calls the same address.
    settings.STRIPE_API_BASE, settings.STRIPE_SECRET_KEY, settings.STRIPE_MAX_NETWORK_RETRIES = (
        standby_worker.stripe_base,
        SECRET_KEY,
        0,
    )
    prices = PlanPrice.objects.filter(plan__key="enterprise", currency="EUR", interval="month")
    original_price_ids = {price.pk: price.stripe_price_id for price in prices}
    prices.update(stripe_price_id="price_enterprise_eur_month")
    mail = standby_worker.mail
    standby_worker.take_over()
    try:
        browser = Client(HTTP_HOST="localhost")
        progress = progress_path(browser.post("/signup/", signup_data(SLUG, plan="enterprise")))
        page = browser.get(progress).content.decode()
        assert "Your signup is saved, but the payment page could not be opened just now." in page
        tenant = Tenant.objects.get(slug=SLUG)
        assert Subscription.objects.get(tenant=tenant).status == "incomplete"

        wait_until(
            lambda: len(re.findall(r"open_signup_checkout\[[^\]]+\] retry: Retry in", standby_worker.log_text())) >= 2,
            timeout=60, what="the checkout to be retried",
        )  # fmt: skip
        assert mail.messages == []

        with running_fake_stripe(port=standby_worker.stripe_port) as stripe:
            wait_until(lambda: len(mail.messages) >= 1, timeout=60, what="the payment page's link")
            wait_for_idle_worker(standby_worker.name)
            [session] = stripe.checkout_sessions.values()
            assert [call for call in stripe.calls() if call[0] == "POST"] == [
                ("POST", "/v1/customers"),
                ("POST", "/v1/checkout/sessions"),
            ]
        [message] = mail.messages
        assert str(message["To"]) == f"boss@{SLUG}.test"
        assert session["url"] in message.get_content()
        assert session["client_reference_id"]
        subscription = Subscription.objects.get(tenant=tenant)
        assert subscription.stripe_customer_id == session["customer"]
        tenant.refresh_from_db()
        # Nothing is built until Stripe confirms the card (its webhook queues provisioning).
        assert (tenant.provisioning_state, tenant.provisioning_attempts) == ("requested", 0)
    finally:
        for pk, price_id in original_price_ids.items():
            PlanPrice.objects.filter(pk=pk).update(stripe_price_id=price_id)
