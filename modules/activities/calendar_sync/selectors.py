"""What pages show of calendar sync: where a meeting is synced and its last conflict; a stopped sync;
whose calendar sends a meeting's invitations."""

from __future__ import annotations

from identity.models import User
from modules.activities.calendar_sync.choices import CalendarKind, ConnectionState
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


# Calendars that e-mail a meeting's attendees themselves when the organiser's event carries them:
# Exchange always does for an event with attendees written through Graph (it cannot be told not
# to), and Google does when asked (``sendUpdates=all``, which its sync passes).
SENDING_KINDS = (CalendarKind.MICROSOFT, CalendarKind.GOOGLE)


def sending_calendar(activity: Activity) -> CalendarConnection | None:
    """The connected calendar that sends the invitations of ``activity`` (a meeting, or one
    occurrence of a series), or None when they go from here: the organiser's (the assignee's)
    Microsoft 365 or Google calendar, unless its sync stopped, for a dated meeting (which the sync
    writes there, attendees included)."""
    meeting = activity.series if activity.series_id is not None and activity.series is not None else activity
    if meeting.assignee_id is None or meeting.due_at is None:
        return None
    return (
        CalendarConnection.objects.filter(user_id=meeting.assignee_id, kind__in=SENDING_KINDS)
        .exclude(state=ConnectionState.BROKEN)
        .first()
    )
