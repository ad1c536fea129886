"""Writing the customer timeline. Every service that changes a record calls ``record_entry`` in
its own transaction, so the history never disagrees with the data."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from identity.models import User
from modules.activities.models import Activity
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry


def record_entry(
    kind: str,
    *,
    actor: User | None,
    data: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
    **links: Any,
) -> TimelineEntry:
    """One entry on the timelines of every record in ``links`` (company, contact, lead, deal, order, activity)."""
    entry = TimelineEntry(kind=kind, actor=actor, data=data or {}, **links)
    if occurred_at is not None:
        entry.occurred_at = occurred_at
    entry.save()
    return entry


def record_entries(
    kind: str, entries: list[tuple[dict[str, Any], dict[str, Any]]], *, occurred_at: datetime | None = None
) -> int:
    """Many entries of one kind in one INSERT, each ``(data, links)``, for writers of many at once
    (a marketing send's batch). No actor."""
    at = occurred_at or timezone.now()
    TimelineEntry.objects.bulk_create(
        TimelineEntry(kind=kind, actor=None, data=data, occurred_at=at, **links) for data, links in entries
    )
    return len(entries)


def record_activity_state(
    activity: Activity, event: str, *, actor: User | None, links: dict[str, Any]
) -> TimelineEntry:
    """Move an activity's one timeline entry to its new state (``completed``, ``cancelled``).

    An activity is one event on a timeline: planned or logged, then done or cancelled. Its entry is
    updated in place and moved to the time of the change (so it surfaces where it happened), and
    ``data["history"]`` keeps each step (event, time, actor id), so nothing said earlier is lost.
    """
    now = timezone.now()
    entry = (
        TimelineEntry.objects.select_for_update()
        .filter(activity=activity, kind=TimelineKind.ACTIVITY)
        .order_by("occurred_at", "id")
        .first()
    )
    if entry is None:  # written before entries were kept per activity, or removed by hand
        entry = TimelineEntry(kind=TimelineKind.ACTIVITY, activity=activity, data={"event": "created"}, **links)
        entry.occurred_at = activity.created_at or now
    data = dict(entry.data) if isinstance(entry.data, dict) else {}
    history = list(data.get("history") or [_step(data.get("event", "created"), entry.occurred_at, entry.actor_id)])
    history.append(_step(event, now, actor.pk if actor else None))
    data.update(event=event, history=history)
    entry.data = data
    entry.occurred_at = now
    entry.actor = actor
    entry.save()
    return entry


def _step(event: str, at: datetime, actor_id: int | None) -> dict[str, Any]:
    return {"event": event, "at": at.isoformat(), "actor": actor_id}


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
    if isinstance(value, dict):  # a custom money value: {"amount": "12.50", "currency": "EUR"}
        return {str(key): display_value(item) for key, item in value.items()}
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
