"""Writing the customer timeline. Every service that changes a record calls ``record_entry`` in
its own transaction, so the history never disagrees with the data."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import models

from identity.models import User
from modules.contacts.models import TimelineEntry


def record_entry(
    kind: str,
    *,
    actor: User | None,
    data: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
    **links: Any,
) -> TimelineEntry:
    """One entry on the timelines of every record in ``links`` (company, contact, lead, deal, activity)."""
    entry = TimelineEntry(kind=kind, actor=actor, data=data or {}, **links)
    if occurred_at is not None:
        entry.occurred_at = occurred_at
    entry.save()
    return entry


def display_value(value: Any) -> Any:
    """A JSON-safe rendering of a field value for the change history."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple):
        return [display_value(item) for item in value]
    return str(value)


def field_changes(instance: models.Model, changes: dict[str, Any]) -> list[dict[str, Any]]:
    """[{field, label, old, new}] for the values in ``changes`` that differ from ``instance``'s."""
    result = []
    for name, new in changes.items():
        old = getattr(instance, name)
        if old == new:
            continue
        field = instance._meta.get_field(name)
        result.append(
            {
                "field": name,
                "label": str(getattr(field, "verbose_name", name)),
                "old": display_value(old),
                "new": display_value(new),
            }
        )
    return result
