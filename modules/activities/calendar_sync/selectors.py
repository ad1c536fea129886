"""What pages show of calendar sync: where a meeting is synced and its last conflict; a stopped sync."""

from __future__ import annotations

from identity.models import User
from modules.activities.calendar_sync.choices import ConnectionState
from modules.activities.calendar_sync.models import CalendarConnection, SyncedEvent
from modules.activities.models import Activity


def calendar_copy(activity: Activity) -> SyncedEvent | None:
    """The synced event of the meeting (of its series for a changed instance), if any."""
    target = activity.series_id or activity.pk
    return (
        SyncedEvent.objects.filter(activity_id=target, ignored=False)
        .select_related("connection__user")
        .order_by("-conflict_at", "pk")
        .first()
    )


def stopped_connection(user: User) -> CalendarConnection | None:
    """The user's calendar connection when its sync has stopped (the calendar page says so)."""
    return CalendarConnection.objects.filter(user=user, state=ConnectionState.BROKEN).first()
