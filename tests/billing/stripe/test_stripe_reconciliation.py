"""The nightly reconciliation: Stripe's subscriptions applied to ours, which repairs what webhooks
never delivered; ours Stripe no longer knows end cancelled; other tenants are left alone."""

from __future__ import annotations

from typing import Any

from billing.models import Subscription
from billing.webhooks.tasks import reconcile_with_stripe
from tenants.models import Tenant
from tests.billing.stripe.builders import stripe_subscription
from tests.billing.stripe.fake_stripe import FakeStripe
from tests.tenancy import TenantFixture, schema_snapshot


def test_a_change_whose_webhook_never_arrived_is_applied(
    alpha: TenantFixture, fake_stripe: FakeStripe, stripe_prices: Any
) -> None:
    subscription = stripe_subscription(alpha.tenant, fake_stripe, seats=3)
    stripe_now = fake_stripe.subscriptions["sub_alpha"]
    stripe_now.update(status="past_due", cancel_at_period_end=True)
    stripe_now["items"]["data"][0]["quantity"] = 6
    stripe_now["items"]["data"][0]["price"]["id"] = "price_growth_eur_year"

    assert reconcile_with_stripe() == {"applied": 1, "checked": 0}

    subscription.refresh_from_db()
    assert (subscription.status, subscription.seats, subscription.interval, subscription.cancel_at_period_end) == (
        "past_due",
        6,
        "year",
        True,
    )
    assert fake_stripe.calls() == [("GET", "/v1/subscriptions")]
    assert fake_stripe.requests[0].params == {"status": "all", "limit": "100"}
    alpha.tenant.refresh_from_db()
    assert alpha.tenant.status == "past_due"


def test_a_checkout_whose_webhook_was_lost_is_linked_by_the_subscriptions_metadata(
    alpha: TenantFixture, fake_stripe: FakeStripe, stripe_prices: Any
) -> None:
    subscription = stripe_subscription(alpha.tenant, fake_stripe, seats=2, status="trialing", link=False)
    fake_stripe.subscriptions["sub_alpha"]["status"] = "active"

    reconcile_with_stripe()

    subscription.refresh_from_db()
    assert (subscription.stripe_subscription_id, subscription.stripe_customer_id, subscription.status) == (
        "sub_alpha",
        "cus_alpha",
        "active",
    )


def test_a_subscription_stripe_no_longer_knows_is_cancelled_and_no_other_tenant_changes(
    alpha: TenantFixture, beta: TenantFixture, fake_stripe: FakeStripe, stripe_prices: Any
) -> None:
    alphas = stripe_subscription(alpha.tenant, fake_stripe)
    betas = stripe_subscription(beta.tenant, fake_stripe)
    # someone else's subscription in the same Stripe account
    fake_stripe.add_subscription("sub_elsewhere", customer="cus_elsewhere", price="price_starter_eur_month")
    assert reconcile_with_stripe() == {"applied": 2, "checked": 0}
    fake_stripe.subscriptions.pop("sub_alpha")
    beta_row = _state(betas)
    beta_status = Tenant.objects.get(pk=beta.tenant.pk).status
    beta_before = schema_snapshot(beta.tenant)

    assert reconcile_with_stripe() == {"applied": 1, "checked": 1}

    alphas.refresh_from_db()
    assert alphas.status == "canceled"
    assert Tenant.objects.get(pk=alpha.tenant.pk).status == "cancelled"
    assert fake_stripe.calls()[-1] == ("GET", "/v1/subscriptions/sub_alpha")
    assert _state(betas) == beta_row
    assert Tenant.objects.get(pk=beta.tenant.pk).status == beta_status
    assert schema_snapshot(beta.tenant) == beta_before


def _state(subscription: Subscription) -> dict[str, Any]:
    """The subscription's row but for when it was last read from Stripe (and so saved)."""
    row = Subscription.objects.filter(pk=subscription.pk).values().get()
    return {field: value for field, value in row.items() if field not in {"provider_updated_at", "updated_at"}}


def test_every_page_of_stripes_list_is_read(alpha: TenantFixture, fake_stripe: FakeStripe, stripe_prices: Any) -> None:
    for number in range(120):
        fake_stripe.add_subscription(f"sub_other{number}", customer=f"cus_other{number}", price="price_x")
    subscription = stripe_subscription(alpha.tenant, fake_stripe, seats=2)  # listed last, on the second page
    fake_stripe.subscriptions["sub_alpha"]["items"]["data"][0]["quantity"] = 12

    assert reconcile_with_stripe() == {"applied": 1, "checked": 0}

    assert [request.params for request in fake_stripe.requests] == [
        {"status": "all", "limit": "100"},
        {"status": "all", "limit": "100", "starting_after": "sub_other99"},
    ]
    subscription.refresh_from_db()
    assert subscription.seats == 12
