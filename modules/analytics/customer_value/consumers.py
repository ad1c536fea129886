"""The outbox consumer: an order created, changed or deleted (or customers merged, which moves
orders) queues one recomputation of the tenant's customer values a little later."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from customization.events.models import DomainEvent
from modules.registry import is_enabled

# Seconds between the first change and the recomputation: a burst of edits costs one fit.
REFRESH_DELAY = 120


def refresh_delay() -> int:
    """``REFRESH_DELAY``, unless ``ANALYTICS_REFRESH_DELAY`` (seconds) says otherwise: the test
    settings set it to 0, so a worker that takes an order event comes to rest instead of holding a
    refresh for minutes."""
    seconds = getattr(settings, "ANALYTICS_REFRESH_DELAY", None)
    return REFRESH_DELAY if seconds is None else int(seconds)


def consume(events: Sequence[DomainEvent]) -> None:
    if not any(event.entity == "order" or event.type.endswith(".merged") for event in events):
        return
    if not is_enabled(getattr(connection, "tenant", None), "analytics"):
        return
    queue_refresh()


def queue_refresh() -> bool:
    """Queue a recomputation unless one is queued already; True when this call queued it."""
    from modules.analytics.customer_value.tasks import QUEUED_KEY, refresh_customer_values

    delay = refresh_delay()
    if not cache.add(QUEUED_KEY, 1, timeout=delay + 3600):
        return False
    transaction.on_commit(lambda: refresh_customer_values.apply_async(countdown=delay))
    return True
