"""The outbox consumer that keeps the rules current: an order created, changed, moved to another
status or deleted asks for a refresh, debounced — the first change queues one mining
``REFRESH_DELAY`` later and the changes until it starts ride along."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from customization.events.models import DomainEvent
from modules.analytics.basket.mining import basket_settings
from modules.analytics.basket.models import BasketSettings
from modules.analytics.basket.tasks import refresh_basket, tenant_has_basket_analysis

REFRESH_DELAY = timedelta(minutes=5)
# A refresh asked for this long ago that never started (its message lost) is asked for again.
LOST_AFTER = timedelta(hours=1)


def refresh_delay() -> timedelta:
    """``REFRESH_DELAY``, unless ``ANALYTICS_REFRESH_DELAY`` (seconds) says otherwise: the test
    settings set it to 0, so a worker that takes an order event comes to rest instead of holding a
    refresh for minutes."""
    seconds = getattr(settings, "ANALYTICS_REFRESH_DELAY", None)
    return REFRESH_DELAY if seconds is None else timedelta(seconds=seconds)


def consume(events: Sequence[DomainEvent]) -> None:
    """Registered in ``AnalyticsConfig.ready``; idempotent (a redelivered event finds the refresh asked for)."""
    if not any(event.entity == "order" for event in events) or not tenant_has_basket_analysis():
        return
    now = timezone.now()
    delay = refresh_delay()
    asked = BasketSettings.objects.filter(
        Q(refresh_due_at__isnull=True) | Q(refresh_due_at__lt=now - LOST_AFTER), pk=basket_settings().pk
    ).update(refresh_due_at=now + delay)
    if asked:
        transaction.on_commit(lambda: refresh_basket.apply_async(countdown=delay.total_seconds()))
