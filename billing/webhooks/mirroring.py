"""Our copy of Stripe's state: a Stripe subscription applied to ours (through
``billing.services.subscriptions.update_subscription``, the one writer), a Stripe invoice mirrored
into ``Invoice``.

Webhook handling, reconciliation and the provider's writes all apply what Stripe *answers* when
asked, never what an event says happened: events arrive late, twice or out of order, while the
object read now is current. ``provider_updated_at`` holds when the applied state was read, so a
slower reader with older news never overwrites newer.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from billing.choices import InvoiceStatus, Provider, SubscriptionStatus
from billing.models import Invoice, PlanPrice, Subscription
from billing.services.subscriptions import update_subscription

logger = logging.getLogger(__name__)

# Checkout puts these on the session and on the subscription it creates, so either names ours.
METADATA_SUBSCRIPTION = "relata_subscription"
METADATA_TENANT = "relata_tenant"

SS = SubscriptionStatus
STATUSES = {
    "incomplete": SS.INCOMPLETE,
    "incomplete_expired": SS.CANCELED,
    "trialing": SS.TRIALING,
    "active": SS.ACTIVE,
    "past_due": SS.PAST_DUE,
    "unpaid": SS.UNPAID,
    # A trial that ended without a payment method: no service until one is added.
    "paused": SS.UNPAID,
    "canceled": SS.CANCELED,
}
INVOICE_STATUSES = {status.value: status for status in InvoiceStatus}


def subscription_for(stripe_subscription: dict[str, Any]) -> Subscription | None:
    """Our subscription that ``stripe_subscription`` belongs to: linked by id, or (before the Checkout
    webhook has linked it) named by its metadata — subscription and tenant both, and not yet linked."""
    found = Subscription.objects.filter(stripe_subscription_id=stripe_subscription["id"]).first()
    if found is not None:
        return found
    metadata = stripe_subscription.get("metadata") or {}
    pk, slug = str(metadata.get(METADATA_SUBSCRIPTION) or ""), metadata.get(METADATA_TENANT) or ""
    if not pk.isdigit() or not slug:
        return None
    candidate = Subscription.objects.filter(pk=int(pk), tenant__slug=slug, stripe_subscription_id="").first()
    customer = object_id(stripe_subscription.get("customer"))
    if candidate is not None and candidate.stripe_customer_id and candidate.stripe_customer_id != customer:
        return None
    return candidate


def apply_stripe_subscription(
    stripe_subscription: dict[str, Any],
    *,
    read_at: datetime,
    actor: str,
    reason: str,
    subscription: Subscription | None = None,
    relink: bool = False,
) -> Subscription | None:
    """Make ours match ``stripe_subscription`` (as read from Stripe at ``read_at``); None when it is
    none of ours. Changes nothing when the read is older than the one applied last, when ours is
    linked to another Stripe subscription (unless ``relink``: Checkout completed and ours has ended,
    so the new one replaces it), or when ours has moved to another provider since."""
    subscription = subscription or subscription_for(stripe_subscription)
    if subscription is None:
        logger.info("Stripe subscription %s belongs to no subscription here", stripe_subscription.get("id"))
        return None
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if locked.provider_updated_at is not None and locked.provider_updated_at > read_at:
            return locked
        linked = locked.stripe_subscription_id == stripe_subscription["id"]
        if locked.stripe_subscription_id and not linked and not (relink and locked.status == SS.CANCELED):
            return locked
        if linked and locked.provider != Provider.STRIPE:
            return locked
        fields = subscription_fields(stripe_subscription)
        if not linked:
            # Paying by card from now on (Checkout, or a subscription Checkout made that we missed).
            fields["provider"] = Provider.STRIPE
        return update_subscription(locked, actor=actor, reason=reason, provider_updated_at=read_at, **fields)


def cancel_vanished(subscription: Subscription, *, read_at: datetime, actor: str, reason: str) -> Subscription:
    """Stripe no longer knows ours' subscription: it has ended."""
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if locked.provider != Provider.STRIPE:
            return locked
        if locked.provider_updated_at is not None and locked.provider_updated_at > read_at:
            return locked
        return update_subscription(
            locked,
            actor=actor,
            reason=reason,
            provider_updated_at=read_at,
            status=SS.CANCELED,
            cancel_at_period_end=False,
        )


def subscription_fields(stripe_subscription: dict[str, Any]) -> dict[str, Any]:
    """The fields of ours that ``stripe_subscription`` decides. A price unknown here leaves the plan as it is."""
    items = (stripe_subscription.get("items") or {}).get("data") or [{}]
    item = items[0]
    fields: dict[str, Any] = {
        "status": STATUSES.get(stripe_subscription.get("status") or "", SS.INCOMPLETE),
        "stripe_subscription_id": stripe_subscription["id"],
        "seats": max(1, int(item.get("quantity") or 1)),
        "cancel_at_period_end": bool(stripe_subscription.get("cancel_at_period_end")),
        "trial_ends_at": from_timestamp(stripe_subscription.get("trial_end")),
        # Recent API versions keep the period on the item, older ones on the subscription.
        "current_period_start": from_timestamp(
            stripe_subscription.get("current_period_start") or item.get("current_period_start")
        ),
        "current_period_end": from_timestamp(
            stripe_subscription.get("current_period_end") or item.get("current_period_end")
        ),
    }
    customer = object_id(stripe_subscription.get("customer"))
    if customer:
        fields["stripe_customer_id"] = customer
    price_id = object_id(item.get("price"))
    price = PlanPrice.objects.select_related("plan").filter(stripe_price_id=price_id).first() if price_id else None
    if price is None:
        logger.warning("Stripe price %s is not the price of any plan here", price_id)
    else:
        fields.update(plan=price.plan, currency=price.currency, interval=price.interval)
    return fields


def stripe_subscription_of_invoice(stripe_invoice: dict[str, Any]) -> str:
    """The id of the subscription an invoice bills ("" for none); its place moved between API versions."""
    parent = (stripe_invoice.get("parent") or {}).get("subscription_details") or {}
    return object_id(stripe_invoice.get("subscription")) or object_id(parent.get("subscription"))


def mirror_stripe_invoice(stripe_invoice: dict[str, Any]) -> Invoice | None:
    """Create or update our copy of a Stripe invoice of one of our subscriptions; None otherwise."""
    stripe_subscription_id = stripe_subscription_of_invoice(stripe_invoice)
    subscription = (
        Subscription.objects.filter(stripe_subscription_id=stripe_subscription_id).first()
        if stripe_subscription_id
        else None
    )
    if subscription is None:
        logger.info("Stripe invoice %s bills no subscription here", stripe_invoice.get("id"))
        return None
    transitions = stripe_invoice.get("status_transitions") or {}
    error = stripe_invoice.get("last_finalization_error") or {}
    fields = {
        "number": stripe_invoice.get("number") or stripe_invoice["id"],
        "status": INVOICE_STATUSES.get(stripe_invoice.get("status") or "", InvoiceStatus.DRAFT),
        "currency": (stripe_invoice.get("currency") or subscription.currency).upper(),
        "amount_due": int(stripe_invoice.get("amount_due") or 0),
        "amount_paid": int(stripe_invoice.get("amount_paid") or 0),
        "description": (stripe_invoice.get("description") or "")[:300],
        "period_start": from_timestamp(stripe_invoice.get("period_start")),
        "period_end": from_timestamp(stripe_invoice.get("period_end")),
        "issued_at": from_timestamp(transitions.get("finalized_at") or stripe_invoice.get("created")),
        "due_at": from_timestamp(stripe_invoice.get("due_date")),
        "paid_at": from_timestamp(transitions.get("paid_at")),
        "hosted_invoice_url": stripe_invoice.get("hosted_invoice_url") or "",
        "attempt_count": int(stripe_invoice.get("attempt_count") or 0),
        "last_payment_error": error.get("message") or error.get("code") or error.get("type") or "",
    }
    invoice, _created = Invoice.objects.update_or_create(
        stripe_invoice_id=stripe_invoice["id"],
        defaults=fields,
        create_defaults={**fields, "subscription": subscription, "provider": Provider.STRIPE},
    )
    return invoice


def object_id(value: Any) -> str:
    """The id of a reference Stripe gives either as an id or as the expanded object."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def from_timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None
