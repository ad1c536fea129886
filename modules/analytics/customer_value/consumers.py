"""The outbox consumer: an order created, changed or deleted (or customers merged, which moves
orders) asks for the tenant's customer values to be computed again (``modules.analytics.refresh``),
two minutes after the first change with the changes until then riding along."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from customization.events.models import DomainEvent
from modules.analytics.customer_value.tasks import KEY
from modules.analytics.refresh.services import ask_for_refresh
from modules.registry import is_enabled


def consume(events: Sequence[DomainEvent]) -> None:
    if not any(event.entity == "order" or event.type.endswith(".merged") for event in events):
        return
    if not is_enabled(getattr(connection, "tenant", None), "analytics"):
        return
    ask_for_refresh(KEY)
