"""The outbox consumer that keeps the rules current: an order created, changed, moved to another
status or deleted asks for a refresh (``modules.analytics.refresh``), mined five minutes after the
first change with the changes until then riding along."""

from __future__ import annotations

from collections.abc import Sequence

from customization.events.models import DomainEvent
from modules.analytics.basket.tasks import KEY, tenant_has_basket_analysis
from modules.analytics.refresh.services import ask_for_refresh


def consume(events: Sequence[DomainEvent]) -> None:
    """Registered in ``AnalyticsConfig.ready``; idempotent (a redelivered event finds the refresh asked for)."""
    if any(event.entity == "order" for event in events) and tenant_has_basket_analysis():
        ask_for_refresh(KEY)
