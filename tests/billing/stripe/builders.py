"""Subscriptions of the isolation tenants linked to fake Stripe subscriptions."""

from __future__ import annotations

from billing.choices import Provider
from billing.models import Plan, Subscription
from billing.services.subscriptions import start_subscription, update_subscription
from tenants.models import Tenant
from tests.billing.stripe.fake_stripe import FakeStripe

# Stripe price ids given to the default plans' EUR prices.
PRICES = {
    ("starter", "month"): "price_starter_eur_month",
    ("growth", "month"): "price_growth_eur_month",
    ("growth", "year"): "price_growth_eur_year",
    ("enterprise", "month"): "price_enterprise_eur_month",
}


def stripe_subscription(
    tenant: Tenant,
    fake: FakeStripe,
    *,
    plan: str = "growth",
    seats: int = 3,
    status: str = "active",
    stripe_status: str | None = None,
    link: bool = True,
) -> Subscription:
    """``tenant``'s Stripe subscription (``status`` here) and the fake's copy (``stripe_status`` there).
    The Stripe ids are ``sub_<slug>`` and ``cus_<slug>``; ``link=False`` leaves ours unlinked."""
    subscription = start_subscription(
        tenant,
        Plan.objects.get(key=plan),
        provider=Provider.STRIPE,
        currency="EUR",
        interval="month",
        seats=seats,
        trial=status == "trialing",
        status=status,
        actor="test",
    )
    fake.add_subscription(
        f"sub_{tenant.slug}",
        customer=f"cus_{tenant.slug}",
        price=PRICES[(plan, "month")],
        quantity=seats,
        status=stripe_status or status,
        metadata={"relata_subscription": str(subscription.pk), "relata_tenant": tenant.slug},
    )
    if link:
        subscription = update_subscription(
            subscription,
            actor="test",
            stripe_customer_id=f"cus_{tenant.slug}",
            stripe_subscription_id=f"sub_{tenant.slug}",
        )
    return subscription
