"""Deliveries: made from outbox events (the consumer), test messages, replays, and queueing them.

A delivery is queued after the transaction that made it commits; the sweeper (beat) queues the
ones whose message was lost or whose next attempt is too far off for a countdown."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.webhooks.choices import AttemptTrigger, DeliveryState
from api.webhooks.event_types import TEST_EVENT_TYPE
from api.webhooks.models import Delivery, WebhookEndpoint
from api.webhooks.payloads import event_payload, event_webhook_id, test_payload
from customization.events.models import DomainEvent


def changed_paths(event: DomainEvent) -> set[str]:
    return {str(change.get("field")) for change in (event.data or {}).get("changes", []) if isinstance(change, dict)}


def matches(endpoint: WebhookEndpoint, event: DomainEvent) -> bool:
    """Whether ``endpoint``'s filters let ``event`` through (an empty filter lets all through)."""
    if endpoint.event_types and event.type not in endpoint.event_types:
        return False
    if endpoint.entities and event.entity not in endpoint.entities:
        return False
    wanted = (endpoint.changed_fields or {}).get(event.entity)
    if wanted and event.type.endswith(".updated"):
        return bool(changed_paths(event) & set(wanted))
    return True


def queue_deliveries(ids: Iterable[int], *, countdown: float = 0) -> None:
    """Send the deliveries after the current transaction commits."""
    wanted = list(ids)
    if not wanted:
        return

    def send() -> None:
        from api.webhooks.tasks import send_webhook_delivery

        for delivery_id in wanted:
            # No publish retries: the sweeper finds a delivery whose message never left.
            send_webhook_delivery.apply_async((delivery_id,), countdown=countdown, retry=False)

    transaction.on_commit(send, robust=True)


def create_event_deliveries(events: Sequence[DomainEvent]) -> list[int]:
    """One delivery per event and matching enabled endpoint (never two, however often the outbox
    offers the event). Returns the ids queued after commit: the new ones, and any of these events'
    deliveries not attempted yet (queueing one twice is harmless: a worker claims it once)."""
    endpoints = list(WebhookEndpoint.objects.filter(is_enabled=True).order_by("id"))
    if not endpoints or not events:
        return []
    now = timezone.now()
    rows = [
        Delivery(
            endpoint=endpoint,
            event=event,
            event_type=event.type,
            webhook_id=event_webhook_id(event),
            payload=event_payload(event),
            next_attempt_at=now,
        )
        for event in events
        for endpoint in endpoints
        if matches(endpoint, event)
    ]
    if not rows:
        return []
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    # ``ignore_conflicts`` returns no ids; the new rows are the untouched ones of these events.
    ids = list(
        Delivery.objects.filter(
            event__in=[event.pk for event in events], endpoint__in=[endpoint.pk for endpoint in endpoints],
            state=DeliveryState.PENDING, attempt_count=0, lease_until__isnull=True,
        ).values_list("pk", flat=True)
    )  # fmt: skip
    queue_deliveries(ids)
    return ids


def consume(events: Sequence[DomainEvent]) -> None:
    """The outbox consumer (registered in ``WebhooksConfig.ready``)."""
    create_event_deliveries(events)


def send_test_event(endpoint: WebhookEndpoint) -> Delivery:
    """A ``webhook.test`` message to ``endpoint``, sent like any delivery (signed, retried)."""
    if not endpoint.is_enabled:
        raise ValidationError(_("Enable the endpoint before sending it a test event."))
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.create(
            endpoint=endpoint, event=None, event_type=TEST_EVENT_TYPE, webhook_id=f"msg_{uuid.uuid4().hex}",
            payload=test_payload(endpoint.pk, now), next_attempt_at=now,
        )  # fmt: skip
        queue_deliveries([delivery.pk])
    return delivery


def replay_delivery(delivery: Delivery) -> Delivery:
    """Send ``delivery`` again now, with the same id and body; a new retry schedule starts."""
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
        if not locked.endpoint.is_enabled:
            raise ValidationError(_("Enable the endpoint before replaying its deliveries."))
        now = timezone.now()
        # A worker sending it right now keeps its lease; the replay follows once it is done.
        locked.state, locked.round_attempts, locked.next_attempt_at = DeliveryState.PENDING, 0, now
        locked.next_trigger, locked.finished_at = AttemptTrigger.REPLAY, None
        locked.save(update_fields=["state", "round_attempts", "next_attempt_at", "next_trigger", "finished_at"])
        queue_deliveries([locked.pk])
    return locked


def due_delivery_ids(*, grace: timedelta = timedelta(seconds=15), limit: int = 500) -> list[int]:
    """Pending deliveries of enabled endpoints that are due (by ``grace``) and held by no worker."""
    now = timezone.now()
    return list(
        Delivery.objects.filter(
            state=DeliveryState.PENDING, next_attempt_at__lte=now - grace, endpoint__is_enabled=True
        )
        .exclude(lease_until__gt=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def purge_finished_deliveries(*, now: datetime | None = None, batch_size: int = 1000) -> int:
    """Delete deliveries (and their attempts) that finished more than
    ``WEBHOOK_DELIVERY_RETENTION_DAYS`` ago, in batches; returns how many went.

    Pending deliveries are kept however old: they still have attempts to make."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.WEBHOOK_DELIVERY_RETENTION_DAYS)
    finished = Delivery.objects.filter(finished_at__lt=cutoff).exclude(state=DeliveryState.PENDING)
    removed = 0
    while ids := list(finished.order_by("id").values_list("id", flat=True)[:batch_size]):
        with transaction.atomic():
            Delivery.objects.filter(pk__in=ids).delete()
        removed += len(ids)
    return removed
