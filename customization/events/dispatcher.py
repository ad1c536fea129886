"""Handing committed events to their consumers, at least once and in order.

A consumer is a function taking a list of events; it must be idempotent (the same event may be
offered again after a crash). Apps register theirs in ``AppConfig.ready``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from customization.events.models import DomainEvent

logger = logging.getLogger(__name__)

Consumer = Callable[[Sequence[DomainEvent]], None]
BATCH_SIZE = 200
# After this many failed deliveries an event is set aside (published, with its last error) so
# it cannot hold the others back forever; the error stays on the row for the operator.
MAX_ATTEMPTS = 10

_consumers: dict[str, Consumer] = {}


def register_consumer(name: str, consumer: Consumer) -> None:
    _consumers[name] = consumer


def registered_consumers() -> dict[str, Consumer]:
    return dict(_consumers)


def _deliver(events: Sequence[DomainEvent]) -> None:
    for consumer in _consumers.values():
        consumer(events)


def _claim(limit: int) -> list[DomainEvent]:
    return list(
        DomainEvent.objects.filter(published_at__isnull=True).select_for_update(skip_locked=True).order_by("id")[:limit]
    )


def _record_failure(event_id: int, error: Exception) -> None:
    message = f"{type(error).__name__}: {error}"[:2000]
    DomainEvent.objects.filter(pk=event_id).update(attempts=F("attempts") + 1, last_error=message)
    DomainEvent.objects.filter(pk=event_id, attempts__gte=MAX_ATTEMPTS, published_at__isnull=True).update(
        published_at=timezone.now()
    )


def dispatch_pending(*, max_batches: int = 50) -> int:
    """Deliver the current tenant's unpublished events; returns how many were published."""
    published = 0
    for _batch in range(max_batches):
        try:
            with transaction.atomic():
                events = _claim(BATCH_SIZE)
                if not events:
                    return published
                _deliver(events)
                DomainEvent.objects.filter(pk__in=[e.pk for e in events]).update(published_at=timezone.now())
                published += len(events)
                if len(events) < BATCH_SIZE:
                    return published
        except Exception:
            logger.exception("event batch failed; delivering one by one")
            published += _dispatch_one_by_one()
            return published
    return published


def _dispatch_one_by_one() -> int:
    published = 0
    ids = list(
        DomainEvent.objects.filter(published_at__isnull=True).order_by("id").values_list("pk", flat=True)[:BATCH_SIZE]
    )
    for event_id in ids:
        try:
            with transaction.atomic():
                event = (
                    DomainEvent.objects.select_for_update(skip_locked=True)
                    .filter(pk=event_id, published_at__isnull=True)
                    .first()
                )
                if event is None:
                    continue
                _deliver([event])
                DomainEvent.objects.filter(pk=event_id).update(published_at=timezone.now())
                published += 1
        except Exception as error:
            logger.exception("event %s could not be delivered", event_id)
            _record_failure(event_id, error)
    return published


def outbox_lag() -> timedelta:
    """How long the oldest unpublished event has waited (zero when none waits)."""
    oldest = DomainEvent.objects.filter(published_at__isnull=True).aggregate(oldest=Min("occurred_at"))["oldest"]
    return timezone.now() - oldest if oldest else timedelta(0)
