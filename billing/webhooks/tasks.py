"""Celery tasks of Stripe webhook handling and reconciliation (public schema).

``handle_stripe_event`` is queued when an event is stored. From beat, ``retry_pending_stripe_events``
(every 5 minutes) queues the events whose message was lost and the failed ones with attempts left,
and ``reconcile_with_stripe`` (nightly) applies every subscription Stripe has, which repairs whatever
webhooks never arrived.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from billing import stripe_api
from billing.choices import EventStatus, Provider
from billing.models import StripeEvent, Subscription
from billing.webhooks.handling import ACTOR, MAX_ATTEMPTS, handle_event, sync_stripe_subscription
from billing.webhooks.mirroring import apply_stripe_subscription

logger = logging.getLogger(__name__)

# A pending event younger than this may still be in the queue it was sent to.
PENDING_GRACE = timedelta(minutes=1)
RECONCILE_REASON = "reconciliation with Stripe"


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(stripe_api.StripeUnavailable,),
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=MAX_ATTEMPTS,
)
def handle_stripe_event(self: object, event_pk: int) -> str | None:
    """Handle a stored event (idempotent: one handled already, or being handled, is left alone)."""
    return handle_event(event_pk)


@shared_task(acks_late=True)
def retry_pending_stripe_events() -> int:
    """Queue events still pending a minute after they came, and failed ones with attempts left."""
    due = StripeEvent.objects.filter(
        Q(status=EventStatus.PENDING, received_at__lt=timezone.now() - PENDING_GRACE)
        | Q(status=EventStatus.FAILED, attempts__lt=MAX_ATTEMPTS)
    ).order_by("created", "id")
    ids = list(due.values_list("pk", flat=True))
    for event_pk in ids:
        handle_stripe_event.apply_async((event_pk,), retry=False)
    return len(ids)


@shared_task(acks_late=True)
def reconcile_with_stripe() -> dict[str, int]:
    """Apply every subscription Stripe lists; ours Stripe no longer lists are read one by one, and
    end if Stripe does not know them any more."""
    applied = 0
    seen: set[str] = set()
    # Pages are read as the listing goes; none is older than this, so a webhook applied meanwhile wins.
    read_at = timezone.now()
    for stripe_subscription in stripe_api.list_subscriptions():
        seen.add(stripe_subscription["id"])
        if apply_stripe_subscription(stripe_subscription, read_at=read_at, actor=ACTOR, reason=RECONCILE_REASON):
            applied += 1
    unlisted = (
        Subscription.objects.filter(provider=Provider.STRIPE)
        .exclude(stripe_subscription_id="")
        .exclude(stripe_subscription_id__in=seen)
    )
    checked = 0
    for stripe_subscription_id in unlisted.values_list("stripe_subscription_id", flat=True):
        sync_stripe_subscription(stripe_subscription_id, reason=RECONCILE_REASON)
        checked += 1
    logger.info("reconciled with Stripe: %d listed and applied, %d read one by one", applied, checked)
    return {"applied": applied, "checked": checked}
