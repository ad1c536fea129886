"""The Stripe provider: Checkout takes the card and starts the Stripe subscription, the Customer
Portal manages payment methods and invoices, plan and seat changes are prorated by Stripe.

Every write applies Stripe's answer to ours at once (``billing.webhooks.mirroring``); the webhooks
that follow find nothing left to change. Idempotency keys name the subscription, the target and
the version of ours the change starts from (``updated_at``), so repeating the same intent — a
double click, a retried request — reaches Stripe with the same key and acts once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import stripe_api
from billing.choices import Provider, SubscriptionStatus
from billing.models import Plan, PlanPrice, Subscription
from billing.services.subscriptions import price_for, update_subscription
from billing.webhooks.mirroring import METADATA_SUBSCRIPTION, METADATA_TENANT, apply_stripe_subscription

SS = SubscriptionStatus
MIN_CHECKOUT_TRIAL = timedelta(days=2)


class StripeProvider:
    """Stripe Billing. ``change_plan`` and ``set_seats`` on a subscription Stripe does not have yet
    (a trial without a card, or one that has ended) record the choice here; payment then starts at
    Checkout. So after a change a page asks ``checkout_url`` — a URL means "send the customer
    there", None means the change is done (as the manual provider always answers)."""

    key = Provider.STRIPE

    def needs_checkout(self, subscription: Subscription) -> bool:
        """True when Stripe has no live subscription for ours: payment starts through Checkout."""
        return not subscription.stripe_subscription_id or subscription.status == SS.CANCELED

    def checkout_url(self, subscription: Subscription, *, success_url: str, cancel_url: str) -> str | None:
        subscription = _fresh(subscription)
        if not self.needs_checkout(subscription):
            return None
        price = _stripe_price(subscription.plan, subscription.currency, subscription.interval)
        customer = self._customer(subscription)
        subscription.refresh_from_db()
        trial_end, trial_days = _checkout_trial(subscription)
        page = stripe_api.create_checkout_session(
            customer=customer,
            price=price.stripe_price_id,
            quantity=subscription.seats,
            client_reference_id=str(subscription.pk),
            metadata=_metadata(subscription),
            success_url=success_url,
            cancel_url=cancel_url,
            trial_days=trial_days,
            trial_end=trial_end,
            idempotency_key=_key(
                "checkout",
                subscription,
                f"{price.stripe_price_id}x{subscription.seats}",
                stripe_api.digest(success_url, cancel_url),
            ),
        )
        return page.url

    def portal_url(self, subscription: Subscription, *, return_url: str) -> str | None:
        subscription = _fresh(subscription)
        if not subscription.stripe_customer_id:
            return None
        # Portal sessions last minutes: the same request within a minute is the same intent.
        minute = timezone.now().strftime("%Y%m%d%H%M")
        page = stripe_api.create_portal_session(
            customer=subscription.stripe_customer_id,
            return_url=return_url,
            idempotency_key=stripe_api.idempotency_key(
                "portal", subscription.pk, stripe_api.digest(return_url), minute
            ),
        )
        return page.url

    def change_plan(self, subscription: Subscription, plan: Plan, *, interval: str, actor: str) -> Subscription:
        subscription = _fresh(subscription)
        price = _stripe_price(plan, subscription.currency, interval)
        reason = f"plan changed to {plan.key}"
        if self.needs_checkout(subscription):
            return update_subscription(subscription, actor=actor, reason=reason, plan=plan, interval=interval)
        read_at = timezone.now()
        item_id = _item_id(subscription)
        answer = stripe_api.update_subscription(
            subscription.stripe_subscription_id,
            item_id=item_id,
            price=price.stripe_price_id,
            quantity=subscription.seats,
            idempotency_key=_key("plan", subscription, price.stripe_price_id),
        )
        return self._apply(subscription, answer, read_at=read_at, actor=actor, reason=reason)

    def set_seats(self, subscription: Subscription, seats: int, *, actor: str) -> Subscription:
        if seats < 1:
            raise ValidationError({"seats": [_("A subscription has at least one seat.")]})
        subscription = _fresh(subscription)
        reason = f"{seats} seats"
        if self.needs_checkout(subscription):
            return update_subscription(subscription, actor=actor, reason=reason, seats=seats)
        read_at = timezone.now()
        answer = stripe_api.update_subscription(
            subscription.stripe_subscription_id,
            item_id=_item_id(subscription),
            quantity=seats,
            idempotency_key=_key("seats", subscription, seats),
        )
        return self._apply(subscription, answer, read_at=read_at, actor=actor, reason=reason)

    def cancel(self, subscription: Subscription, *, at_period_end: bool, actor: str) -> Subscription:
        subscription = _fresh(subscription)
        if subscription.status == SS.CANCELED:
            raise ValidationError({"subscription": [_("The subscription is already cancelled.")]})
        reason = "cancel at the end of the period" if at_period_end else "cancelled"
        if not subscription.stripe_subscription_id:
            changes = {"cancel_at_period_end": True} if at_period_end else {"status": SS.CANCELED}
            return update_subscription(subscription, actor=actor, reason=reason, **changes)
        read_at = timezone.now()
        answer = stripe_api.cancel_subscription(
            subscription.stripe_subscription_id,
            at_period_end=at_period_end,
            idempotency_key=_key("cancel", subscription, "period-end" if at_period_end else "now"),
        )
        return self._apply(subscription, answer, read_at=read_at, actor=actor, reason=reason)

    def _customer(self, subscription: Subscription) -> str:
        """The subscription's Stripe customer, created the first time and kept."""
        if subscription.stripe_customer_id:
            return subscription.stripe_customer_id
        tenant = subscription.tenant
        customer = stripe_api.create_customer(
            name=tenant.name,
            email=tenant.pending_admin_email,
            metadata=_metadata(subscription),
            idempotency_key=_key("customer", subscription, tenant.slug),
        )
        update_subscription(subscription, actor="system:stripe", reason="", stripe_customer_id=customer["id"])
        return str(customer["id"])

    def _apply(
        self, subscription: Subscription, answer: dict[str, Any], *, read_at: datetime, actor: str, reason: str
    ) -> Subscription:
        applied = apply_stripe_subscription(
            answer, read_at=read_at, actor=actor, reason=reason, subscription=subscription
        )
        return applied or subscription


def _fresh(subscription: Subscription) -> Subscription:
    return Subscription.objects.select_related("plan", "tenant").get(pk=subscription.pk)


def _stripe_price(plan: Plan, currency: str, interval: str) -> PlanPrice:
    price = price_for(plan, currency, interval)
    if not price.stripe_price_id:
        raise ValidationError(
            {"plan": [_("The %(plan)s plan cannot be paid by card in %(currency)s yet.")
                      % {"plan": plan.name, "currency": currency}]}
        )  # fmt: skip
    return price


def _checkout_trial(subscription: Subscription) -> tuple[datetime | None, int | None]:
    """(trial end, trial days) for Checkout: a trial under way here goes on at Stripe until it ends
    (Stripe wants it at least two days ahead); a plan whose trial needs a card gets its trial the
    first time; otherwise payment starts now."""
    now = timezone.now()
    ends = subscription.trial_ends_at
    if subscription.status == SS.TRIALING and ends is not None and ends >= now + MIN_CHECKOUT_TRIAL:
        return ends, None
    plan = subscription.plan
    if plan.trial_requires_card and plan.trial_days and not subscription.stripe_subscription_id:
        return None, plan.trial_days
    return None, None


def _item_id(subscription: Subscription) -> str:
    """The id of the Stripe subscription's one item (we do not keep it: Stripe's is current)."""
    stripe_subscription = stripe_api.retrieve_subscription(subscription.stripe_subscription_id)
    items = (stripe_subscription.get("items") or {}).get("data") or []
    if not items:
        raise stripe_api.StripeCallFailed(f"Stripe subscription {subscription.stripe_subscription_id} has no item")
    return str(items[0]["id"])


def _metadata(subscription: Subscription) -> dict[str, str]:
    return {METADATA_SUBSCRIPTION: str(subscription.pk), METADATA_TENANT: subscription.tenant.slug}


def _key(operation: str, subscription: Subscription, *target: object) -> str:
    version = f"{subscription.updated_at.timestamp():.6f}"
    return stripe_api.idempotency_key(operation, subscription.pk, *target, version)
