"""Billing providers: Stripe (``billing.providers.stripe``) and manual bank transfer
(``billing.providers.manual``). Pages call ``provider_for(subscription)`` and never branch on the provider.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from billing.choices import Provider
from billing.models import Plan, Subscription

PROVIDER_CLASSES = {
    Provider.STRIPE: "billing.providers.stripe.StripeProvider",
    Provider.MANUAL: "billing.providers.manual.ManualProvider",
}


class BillingProvider(Protocol):
    key: str

    def checkout_url(self, subscription: Subscription, *, success_url: str, cancel_url: str) -> str | None:
        """Where the customer goes to pay for (or add a card to) the subscription; None when nothing
        is to be done there (manual: an invoice is issued instead)."""

    def portal_url(self, subscription: Subscription, *, return_url: str) -> str | None:
        """Where the customer manages payment methods and sees invoices; None when the provider has none."""

    def change_plan(self, subscription: Subscription, plan: Plan, *, interval: str, actor: str) -> Subscription:
        """Move the subscription to ``plan`` (prorated)."""

    def set_seats(self, subscription: Subscription, seats: int, *, actor: str) -> Subscription:
        """Bill ``seats`` seats from now on (prorated)."""

    def cancel(self, subscription: Subscription, *, at_period_end: bool, actor: str) -> Subscription:
        """Cancel now, or at the end of the paid period."""


def default_provider_key() -> str:
    """Stripe when the installation has Stripe keys, the manual provider otherwise."""
    return settings.BILLING_PROVIDER or (Provider.STRIPE if settings.STRIPE_SECRET_KEY else Provider.MANUAL)


def provider_for(subscription: Subscription | None = None, key: str | None = None) -> BillingProvider:
    key = key or (subscription.provider if subscription is not None else default_provider_key())
    provider: BillingProvider = import_string(PROVIDER_CLASSES[Provider(key)])()
    return provider
