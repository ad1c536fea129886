"""The Stripe provider's calls, as Stripe receives them: paths, form parameters, idempotency keys;
Stripe's answer applied to ours; a lost response retried with the same key acts once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from billing.choices import Provider
from billing.models import Plan, PlanPrice, Subscription, SubscriptionChange
from billing.providers import provider_for
from billing.providers.stripe import StripeProvider
from billing.services.subscriptions import start_subscription
from tests.billing.stripe.builders import stripe_subscription
from tests.billing.stripe.fake_stripe import FakeStripe
from tests.tenancy import TenantFixture

SUCCESS_URL = "https://alpha.localhost/settings/billing/?checkout=done"
CANCEL_URL = "https://alpha.localhost/settings/billing/"


@pytest.fixture
def provider() -> StripeProvider:
    return StripeProvider()


@pytest.fixture
def alpha_on_stripe(alpha: TenantFixture, fake_stripe: FakeStripe, stripe_prices: Any) -> Subscription:
    return stripe_subscription(alpha.tenant, fake_stripe, seats=3)


@pytest.fixture
def alpha_trial(alpha: TenantFixture, fake_stripe: FakeStripe, stripe_prices: Any) -> Subscription:
    """Alpha on a trial without a card: nothing at Stripe yet."""
    return start_subscription(
        alpha.tenant,
        Plan.objects.get(key="growth"),
        provider=Provider.STRIPE,
        currency="EUR",
        seats=2,
        status="trialing",
        actor="test",
    )


def _assert_every_post_has_a_key(fake: FakeStripe) -> None:
    posts = fake.posts()
    assert posts
    assert all(post.idempotency_key and post.idempotency_key.startswith("relata:") for post in posts)


def test_checkout_creates_the_customer_once_and_a_subscription_session(
    alpha_trial: Subscription, fake_stripe: FakeStripe, provider: StripeProvider
) -> None:
    assert provider_for(alpha_trial).key == "stripe"

    url = provider.checkout_url(alpha_trial, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)
    again = provider.checkout_url(alpha_trial, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)

    assert fake_stripe.calls() == [
        ("POST", "/v1/customers"),
        ("POST", "/v1/checkout/sessions"),
        ("POST", "/v1/checkout/sessions"),
    ]
    customer, session, repeated = fake_stripe.requests
    assert customer.params == {
        "name": "Alpha Ltd",
        "email": "admin@example.test",
        "metadata[relata_subscription]": str(alpha_trial.pk),
        "metadata[relata_tenant]": "alpha",
    }
    assert session.params == {
        "mode": "subscription",
        "customer": "cus_fake1",
        "line_items[0][price]": "price_growth_eur_month",
        "line_items[0][quantity]": "2",
        "client_reference_id": str(alpha_trial.pk),
        "metadata[relata_subscription]": str(alpha_trial.pk),
        "metadata[relata_tenant]": "alpha",
        "subscription_data[metadata][relata_subscription]": str(alpha_trial.pk),
        "subscription_data[metadata][relata_tenant]": "alpha",
        # the trial under way here goes on at Stripe until it ends
        "subscription_data[trial_end]": str(int(alpha_trial.trial_ends_at.timestamp())),
        "success_url": SUCCESS_URL,
        "cancel_url": CANCEL_URL,
    }
    # the same intent twice: the same key, so Stripe answers with the same session
    assert repeated.idempotency_key == session.idempotency_key
    assert url == again == f"https://checkout.stripe.test/c/pay/{fake_stripe.checkout_sessions.popitem()[0]}"
    assert [effect.split()[0] for effect in fake_stripe.effects] == ["customer", "checkout"]
    _assert_every_post_has_a_key(fake_stripe)
    alpha_trial.refresh_from_db()
    assert (alpha_trial.stripe_customer_id, alpha_trial.stripe_subscription_id) == ("cus_fake1", "")


def test_checkout_of_a_plan_whose_trial_needs_a_card_starts_that_trial_at_stripe(
    alpha: TenantFixture, fake_stripe: FakeStripe, stripe_prices: Any, provider: StripeProvider
) -> None:
    subscription = start_subscription(
        alpha.tenant,
        Plan.objects.get(key="enterprise"),
        provider=Provider.STRIPE,
        currency="EUR",
        status="incomplete",
        actor="test",
    )

    provider.checkout_url(subscription, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)

    session = fake_stripe.requests[-1]
    assert session.params["subscription_data[trial_period_days]"] == "30"
    assert "subscription_data[trial_end]" not in session.params
    assert session.params["line_items[0][price]"] == "price_enterprise_eur_month"


def test_a_plan_without_a_stripe_price_cannot_go_to_checkout(
    alpha: TenantFixture, fake_stripe: FakeStripe, stripe_prices: Any, provider: StripeProvider
) -> None:
    subscription = start_subscription(
        alpha.tenant, Plan.objects.get(key="growth"), provider=Provider.STRIPE, currency="RON", actor="test"
    )

    with pytest.raises(ValidationError) as raised:
        provider.checkout_url(subscription, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)

    assert "plan" in raised.value.message_dict
    assert fake_stripe.requests == []


def test_the_portal_is_opened_for_the_customer(
    alpha_on_stripe: Subscription, fake_stripe: FakeStripe, provider: StripeProvider
) -> None:
    url = provider.portal_url(alpha_on_stripe, return_url=CANCEL_URL)

    assert url == "https://billing.stripe.test/p/session/bps_fake1"
    assert fake_stripe.calls() == [("POST", "/v1/billing_portal/sessions")]
    assert fake_stripe.requests[0].params == {"customer": "cus_alpha", "return_url": CANCEL_URL}
    _assert_every_post_has_a_key(fake_stripe)


def test_a_plan_change_updates_the_item_prorated_and_applies_stripes_answer(
    alpha: TenantFixture, alpha_on_stripe: Subscription, fake_stripe: FakeStripe, provider: StripeProvider
) -> None:
    enterprise = Plan.objects.get(key="enterprise")

    changed = provider.change_plan(alpha_on_stripe, enterprise, interval="month", actor="admin@example.test")

    assert fake_stripe.calls() == [("GET", "/v1/subscriptions/sub_alpha"), ("POST", "/v1/subscriptions/sub_alpha")]
    assert fake_stripe.requests[1].params == {
        "items[0][id]": "si_sub_alpha",
        "items[0][price]": "price_enterprise_eur_month",
        "items[0][quantity]": "3",
        "proration_behavior": "create_prorations",
    }
    _assert_every_post_has_a_key(fake_stripe)
    assert (changed.plan, changed.seats, changed.interval) == (enterprise, 3, "month")
    last = SubscriptionChange.objects.filter(subscription=changed).last()
    assert last is not None
    assert (last.plan, last.actor) == (enterprise, "admin@example.test")
    alpha.tenant.refresh_from_db()
    assert set(enterprise.modules) <= set(alpha.tenant.enabled_modules)


def test_a_seat_change_is_prorated_and_applied(
    alpha_on_stripe: Subscription, fake_stripe: FakeStripe, provider: StripeProvider
) -> None:
    changed = provider.set_seats(alpha_on_stripe, 8, actor="admin@example.test")

    assert fake_stripe.requests[-1].params == {
        "items[0][id]": "si_sub_alpha",
        "items[0][quantity]": "8",
        "proration_behavior": "create_prorations",
    }
    assert changed.seats == 8
    _assert_every_post_has_a_key(fake_stripe)


def test_a_lost_response_is_retried_with_the_same_key_and_acts_once(
    alpha_on_stripe: Subscription, fake_stripe: FakeStripe, provider: StripeProvider
) -> None:
    changes_before = SubscriptionChange.objects.filter(subscription=alpha_on_stripe).count()
    fake_stripe.drop_once("POST", "/v1/subscriptions/sub_alpha")

    changed = provider.set_seats(alpha_on_stripe, 5, actor="admin@example.test")

    first, retry = fake_stripe.posts()
    assert first.path == retry.path == "/v1/subscriptions/sub_alpha"
    assert first.params == retry.params
    assert first.idempotency_key == retry.idempotency_key
    assert [effect for effect in fake_stripe.effects if effect.startswith("update")] == [
        "update sub_alpha [('items[0][id]', 'si_sub_alpha'), ('items[0][quantity]', '5'), "
        "('proration_behavior', 'create_prorations')]"
    ]
    assert changed.seats == 5
    assert SubscriptionChange.objects.filter(subscription=alpha_on_stripe).count() == changes_before + 1


def test_the_same_change_twice_reuses_the_key_but_a_new_change_gets_a_new_one(
    alpha_on_stripe: Subscription, fake_stripe: FakeStripe, provider: StripeProvider
) -> None:
    stale_copy = Subscription.objects.get(pk=alpha_on_stripe.pk)
    provider.set_seats(alpha_on_stripe, 4, actor="admin@example.test")
    provider.set_seats(alpha_on_stripe, 6, actor="admin@example.test")
    # a page still holding the state before both changes: the provider reads the current one
    provider.set_seats(stale_copy, 4, actor="admin@example.test")

    keys = [post.idempotency_key for post in fake_stripe.posts()]
    assert len(set(keys)) == 3  # 4, 6, then 4 again: three intents
    assert Subscription.objects.get(pk=alpha_on_stripe.pk).seats == 4


def test_cancelling_at_period_end_and_now(
    alpha: TenantFixture, alpha_on_stripe: Subscription, fake_stripe: FakeStripe, provider: StripeProvider
) -> None:
    at_end = provider.cancel(alpha_on_stripe, at_period_end=True, actor="admin@example.test")

    assert fake_stripe.requests[-1].params == {"cancel_at_period_end": "true"}
    assert (at_end.cancel_at_period_end, at_end.status) == (True, "active")

    now = provider.cancel(alpha_on_stripe, at_period_end=False, actor="admin@example.test")

    assert fake_stripe.calls()[-1] == ("DELETE", "/v1/subscriptions/sub_alpha")
    assert fake_stripe.requests[-1].idempotency_key
    assert now.status == "canceled"
    alpha.tenant.refresh_from_db()
    assert alpha.tenant.status == "cancelled"
    with pytest.raises(ValidationError) as raised:
        provider.cancel(now, at_period_end=False, actor="admin@example.test")
    assert "subscription" in raised.value.message_dict
    _assert_every_post_has_a_key(fake_stripe)


def test_without_a_stripe_subscription_changes_are_recorded_here_and_payment_goes_through_checkout(
    alpha: TenantFixture, fake_stripe: FakeStripe, stripe_prices: Any, provider: StripeProvider
) -> None:
    trial = start_subscription(
        alpha.tenant, Plan.objects.get(key="starter"), provider=Provider.STRIPE, currency="EUR", actor="test"
    )

    changed = provider.change_plan(trial, Plan.objects.get(key="growth"), interval="year", actor="admin@example.test")
    seats = provider.set_seats(changed, 4, actor="admin@example.test")

    assert fake_stripe.requests == []
    assert (seats.plan.key, seats.interval, seats.seats, seats.status) == ("growth", "year", 4, "trialing")
    assert provider.needs_checkout(seats)
    assert provider.portal_url(seats, return_url=CANCEL_URL) is None
    provider.checkout_url(seats, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)
    assert fake_stripe.requests[-1].params["line_items[0][price]"] == "price_growth_eur_year"
    assert fake_stripe.requests[-1].params["line_items[0][quantity]"] == "4"


def test_bad_input_is_refused_naming_the_field_before_stripe_is_called(
    alpha_on_stripe: Subscription, fake_stripe: FakeStripe, provider: StripeProvider
) -> None:
    with pytest.raises(ValidationError) as seats:
        provider.set_seats(alpha_on_stripe, 0, actor="admin@example.test")
    PlanPrice.objects.filter(plan__key="starter", currency="EUR", interval="month").update(stripe_price_id="")
    with pytest.raises(ValidationError) as plan:
        provider.change_plan(alpha_on_stripe, Plan.objects.get(key="starter"), interval="month", actor="a")

    assert "seats" in seats.value.message_dict
    assert "plan" in plan.value.message_dict
    assert fake_stripe.requests == []
