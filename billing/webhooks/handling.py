"""Stripe's webhook events: stored once (unique by event id) when they arrive, handled afterwards.

Handling takes the event's row lock (``skip_locked``) and only pending or failed events, so a
duplicate delivery, a retry or a parallel worker does nothing while one handler works or after it
has finished. It never trusts the event's copy of the object: it reads the object from Stripe and
applies its current state (``billing.webhooks.mirroring``), which makes late and out-of-order
events harmless.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from billing import stripe_api
from billing.choices import EventStatus
from billing.models import StripeEvent, Subscription
from billing.webhooks.mirroring import (
    METADATA_SUBSCRIPTION,
    METADATA_TENANT,
    apply_stripe_subscription,
    cancel_vanished,
    mirror_stripe_invoice,
    object_id,
    stripe_subscription_of_invoice,
)
from identity.models import AuditEntry
from identity.services.audit import record_audit
from tenants.choices import ProvisioningState
from tenants.tasks import provision_tenant_task

logger = logging.getLogger(__name__)

ACTOR = "system:stripe"
SUBSCRIPTION_EVENTS = frozenset(
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.paused",
        "customer.subscription.resumed",
        "customer.subscription.trial_will_end",
        "customer.subscription.pending_update_applied",
        "customer.subscription.pending_update_expired",
    }
)
INVOICE_EVENTS = frozenset(
    {
        "invoice.created",
        "invoice.finalized",
        "invoice.updated",
        "invoice.paid",
        "invoice.payment_succeeded",
        "invoice.payment_failed",
        "invoice.payment_action_required",
        "invoice.marked_uncollectible",
        "invoice.voided",
    }
)
CHECKOUT_EVENTS = frozenset({"checkout.session.completed", "checkout.session.async_payment_succeeded"})
HANDLED_TYPES = SUBSCRIPTION_EVENTS | INVOICE_EVENTS | CHECKOUT_EVENTS
# Failed events are tried again (beat's retry_pending_stripe_events) until they have had this many attempts.
MAX_ATTEMPTS = 5


def store_event(event: dict[str, Any]) -> tuple[StripeEvent, bool]:
    """The stored row of a verified event and whether this delivery stored it (False: a duplicate)."""
    data_object = event["data"]["object"]
    with transaction.atomic():
        # get_or_create inserts in a savepoint and reads the winner's row after a unique violation.
        return StripeEvent.objects.get_or_create(
            event_id=str(event["id"])[:100],
            defaults={
                "type": str(event["type"])[:100],
                "api_version": str(event.get("api_version") or "")[:40],
                "livemode": bool(event.get("livemode")),
                "created": datetime.fromtimestamp(int(event.get("created") or 0), tz=UTC),
                "object_id": str(data_object.get("id") or "")[:100],
                "payload": event,
            },
        )


def handle_event(event_pk: int) -> str | None:
    """Handle one stored event; returns its new status, or None when there was nothing to do (handled
    already, or another handler holds it). Raises StripeUnavailable (after recording the failure) so
    the task is retried."""
    unavailable: stripe_api.StripeUnavailable | None = None
    with transaction.atomic():
        event = (
            StripeEvent.objects.select_for_update(skip_locked=True)
            .filter(pk=event_pk, status__in=[EventStatus.PENDING, EventStatus.FAILED])
            .first()
        )
        if event is None:
            return None
        event.attempts += 1
        try:
            with transaction.atomic():
                event.status = _dispatch(event)
            event.error = ""
            event.processed_at = timezone.now()
        except stripe_api.StripeUnavailable as error:
            unavailable = error
            event.status, event.error = EventStatus.FAILED, f"Stripe unavailable: {error}"
        except Exception as error:
            logger.exception("Stripe event %s (%s) failed", event.event_id, event.type)
            event.status, event.error = EventStatus.FAILED, f"{type(error).__name__}: {error}"
        event.save(update_fields=["status", "attempts", "error", "processed_at"])
    if unavailable is not None:
        raise unavailable
    return str(event.status)


def replay_event(event: StripeEvent, *, actor: str) -> None:
    """Handle ``event`` again (the console's replay): pending once more, queued, audited."""
    from billing.webhooks.tasks import handle_stripe_event  # the tasks module imports this one

    with schema_context(get_public_schema_name()), transaction.atomic():
        # Waits for a handler still at work on it, so the replay is a handling of its own.
        locked = StripeEvent.objects.select_for_update().get(pk=event.pk)
        previous_status = locked.status
        locked.status, locked.error, locked.processed_at = EventStatus.PENDING, "", None
        locked.save(update_fields=["status", "error", "processed_at"])
        record_audit(
            "billing.stripe_event.replayed",
            f"Stripe event {locked.event_id} ({locked.type}) replayed",
            actor=actor,
            actor_kind=AuditEntry.ActorKind.OPERATOR,
            target=locked.event_id,
            details={"event": locked.event_id, "type": locked.type, "previous_status": previous_status},
        )
        transaction.on_commit(partial(handle_stripe_event.delay, event.pk))
    event.refresh_from_db()


def _dispatch(event: StripeEvent) -> str:
    reason = f"Stripe {event.type} ({event.event_id})"
    data_object = (event.payload.get("data") or {}).get("object") or {}
    if event.type in SUBSCRIPTION_EVENTS:
        sync_stripe_subscription(event.object_id, reason=reason)
    elif event.type in INVOICE_EVENTS:
        _sync_invoice(event.object_id, reason=reason)
    elif event.type in CHECKOUT_EVENTS and data_object.get("mode") == "subscription":
        _complete_checkout(event.object_id, reason=reason)
    else:
        return EventStatus.IGNORED
    return EventStatus.PROCESSED


def sync_stripe_subscription(stripe_subscription_id: str, *, reason: str) -> Subscription | None:
    """Read the subscription from Stripe and apply it; one Stripe no longer knows has ended."""
    read_at = timezone.now()
    try:
        stripe_subscription = stripe_api.retrieve_subscription(stripe_subscription_id)
    except stripe_api.StripeNotFound:
        ours = Subscription.objects.filter(stripe_subscription_id=stripe_subscription_id).first()
        return None if ours is None else cancel_vanished(ours, read_at=read_at, actor=ACTOR, reason=reason)
    return apply_stripe_subscription(stripe_subscription, read_at=read_at, actor=ACTOR, reason=reason)


def _sync_invoice(invoice_id: str, *, reason: str) -> None:
    stripe_invoice = stripe_api.retrieve_invoice(invoice_id)
    stripe_subscription_id = stripe_subscription_of_invoice(stripe_invoice)
    if stripe_subscription_id:
        # A paid or failed invoice moves the subscription's status: read that too.
        sync_stripe_subscription(stripe_subscription_id, reason=reason)
    mirror_stripe_invoice(stripe_invoice)


def _complete_checkout(session_id: str, *, reason: str) -> None:
    """Link the Checkout's customer and subscription to ours, apply it, and have the tenant built if
    it is still waiting for this (signup with Checkout)."""
    session = stripe_api.retrieve_checkout_session(session_id)
    metadata = session.get("metadata") or {}
    pk, slug = str(session.get("client_reference_id") or ""), metadata.get(METADATA_TENANT) or ""
    if not pk.isdigit() or str(metadata.get(METADATA_SUBSCRIPTION) or pk) != pk:
        logger.info("Checkout session %s names no subscription here", session_id)
        return
    subscription = Subscription.objects.select_related("tenant").filter(pk=int(pk), tenant__slug=slug).first()
    stripe_subscription_id = object_id(session.get("subscription"))
    if subscription is None or not stripe_subscription_id:
        logger.info("Checkout session %s: no subscription %s of tenant %r", session_id, pk, slug)
        return
    read_at = timezone.now()
    stripe_subscription = stripe_api.retrieve_subscription(stripe_subscription_id)
    apply_stripe_subscription(
        stripe_subscription, read_at=read_at, actor=ACTOR, reason=reason, subscription=subscription, relink=True
    )
    tenant = subscription.tenant
    if tenant.provisioning_state != ProvisioningState.ACTIVE:
        transaction.on_commit(partial(provision_tenant_task.delay, tenant.pk))
