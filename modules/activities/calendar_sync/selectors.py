"""What the meeting page shows of calendar sync: where the meeting is synced and its last conflict."""

from __future__ import annotations

from modules.activities.calendar_sync.models import SyncedEvent
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
