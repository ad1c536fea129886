"""What a meeting's page shows beyond an activity's: its attendees and its recurring series."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from identity.models import User
from modules.activities.calendar_sync.selectors import outlook_takes_several_series, sending_calendar
from modules.activities.choices import ActivityKind
from modules.activities.models import Activity, ActivityAttendee
from modules.activities.selectors import visible_activities
from modules.activities.services.free_busy import busy_times
from modules.activities.services.recurrence import is_recurring, occurrences_of
from modules.contacts.selectors.lists import visible_contacts

UPCOMING = 5
LOOK_AHEAD = timedelta(days=366)


def meeting_context(activity: Activity, user: User) -> dict[str, Any]:
    """Attendees (a matched contact linked only when the viewer may see it), the series an override
    belongs to, and a series' next occurrences; a fixed number of queries whatever the counts."""
    attendees = list(activity.attendees.select_related("user"))
    contact_ids = {row.contact_id for row in attendees if row.contact_id}
    visible = (
        set(visible_contacts(user).filter(pk__in=contact_ids).values_list("pk", flat=True)) if contact_ids else set()
    )
    series = None
    if activity.series_id is not None:
        series = visible_activities(user).filter(pk=activity.series_id).first()
    upcoming = []
    if is_recurring(activity):
        now = timezone.now()
        overridden = [row.recurrence_id for row in activity.overrides.only("recurrence_id") if row.recurrence_id]
        upcoming = occurrences_of(activity, start=now, end=now + LOOK_AHEAD, overridden=overridden)[:UPCOMING]
    return {
        "attendees": [(row, row.contact_id in visible) for row in attendees],
        "availability": _availability(activity, attendees),
        "series": series,
        "upcoming": upcoming,
        "recurring": is_recurring(activity),
        # The organiser's connected calendar that e-mails the attendees instead of the platform.
        "invitations_sender": sending_calendar(activity) if attendees else None,
        "invitations_from_here_for_outlook": bool(attendees) and outlook_takes_several_series(activity),
    }


def _availability(activity: Activity, attendees: list[ActivityAttendee]) -> list[dict[str, Any]]:
    """The free/busy of the colleagues taking part (the assignee and attendees who are users) on the
    meeting's day in the reader's zone, and whether each is busy at the meeting's time."""
    if activity.kind != ActivityKind.MEETING or activity.due_at is None or activity.all_day:
        return []
    people = {row.user_id: row.user for row in attendees if row.user_id and row.user is not None}
    if activity.assignee_id and activity.assignee is not None:
        people.setdefault(activity.assignee_id, activity.assignee)
    if not people:
        return []
    day = timezone.localtime(activity.due_at).replace(hour=0, minute=0, second=0, microsecond=0)
    busy = busy_times(people, start=day, end=day + timedelta(days=1), leave_out=activity.series_id or activity.pk)
    finish = activity.ends_at or activity.due_at
    rows = []
    for user_id, user in sorted(people.items(), key=lambda item: str(item[1])):
        spans = busy.get(user_id, [])
        clash = any(begin < finish and end > activity.due_at for begin, end in spans)
        rows.append({"user": user, "busy": spans, "clash": clash})
    return rows
