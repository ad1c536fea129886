"""What pages show of calendar sync: where a meeting is synced and its last conflict; a stopped sync;
whose calendar sends a meeting's invitations."""

from __future__ import annotations

from django.db.models import F

from identity.models import User
from modules.activities.calendar_sync.choices import CalendarKind, ConnectionState
from modules.activities.calendar_sync.models import CalendarConnection, SyncedEvent
from modules.activities.calendar_sync.services.graph_segments import one_series_for_good
from modules.activities.models import Activity


def calendar_copy(activity: Activity) -> SyncedEvent | None:
    """The synced event of the meeting (of its series for a changed instance), if any."""
    target = activity.series_id or activity.pk
    return (
        SyncedEvent.objects.filter(activity_id=target, ignored=False)
        .select_related("connection__user")
        .order_by(F("conflict_at").desc(nulls_last=True), "pk")
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
    writes there, attendees included). Microsoft 365 only for a meeting that is one Outlook event
    or series for good: Exchange would send one invitation per series, so a meeting written as
    several (or as its first occurrence only) is invited from here, once, with its whole rule."""
    meeting = activity.series if activity.series_id is not None and activity.series is not None else activity
    if meeting.assignee_id is None or meeting.due_at is None:
        return None
    found = (
        CalendarConnection.objects.filter(user_id=meeting.assignee_id, kind__in=SENDING_KINDS)
        .exclude(state=ConnectionState.BROKEN)
        .first()
    )
    if found is not None and found.kind == CalendarKind.MICROSOFT and not one_series_for_good(meeting):
        return None
    return found


def outlook_takes_several_series(activity: Activity) -> bool:
    """Whether the meeting's invitations go from here because Outlook would hold it as several
    series (or its first occurrence only): the attendees card says so."""
    meeting = activity.series if activity.series_id is not None and activity.series is not None else activity
    if meeting.assignee_id is None or meeting.due_at is None or not meeting.rrule.strip():
        return False
    connected = (
        CalendarConnection.objects.filter(user_id=meeting.assignee_id, kind=CalendarKind.MICROSOFT)
        .exclude(state=ConnectionState.BROKEN)
        .exists()
    )
    return connected and not one_series_for_good(meeting)


def partial_copies(connection: CalendarConnection) -> list[SyncedEvent]:
    """The connection's meetings written as their first occurrence only (``written_pattern
    ["partial"]``: the limit their rule passes), for the sync status."""
    return list(
        connection.events.filter(written_pattern__has_key="partial", activity__isnull=False)
        .select_related("activity")
        .order_by("activity__due_at", "pk")
    )
