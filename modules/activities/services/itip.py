"""Meeting invitations by e-mail (iTIP, RFC 5546): REQUEST when a meeting organised here is made,
changed or gains an attendee, CANCEL when it is cancelled, deleted or an attendee is removed, each
an .ics attachment sent through the platform's mail by a Celery task after the transaction
commits; REPLY files update the attendance of the attendee who answered.

A meeting is organised here when its organiser row is its assignee, which the first invitation
sent from here makes it: a meeting imported from someone else's calendar never sends anything. Its
UID is set when it is first sent (the one its feed already publishes), and SEQUENCE grows with each
change attendees are told of. One occurrence of a series changed on its own is sent as a REQUEST of
that instance (the series' UID and the occurrence's RECURRENCE-ID, RFC 5546 §3.2.2), to the
attendees the occurrence has.

When the organiser's connected calendar sends invitations itself (Microsoft 365 always does for an
event with attendees, Google when asked to), calendar sync writes the meeting there with its
attendees and that calendar invites, updates and cancels: nothing is sent from here, so nobody is
invited twice (``calendar_sync.selectors.sending_calendar``). A meeting Outlook can only hold as
several series is the exception: Exchange would invite once per series, so its series carry no
attendees and its one invitation goes from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import vobject
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from identity.models import User
from modules.activities.choices import ActivityKind, Attendance, AttendeeRole
from modules.activities.models import Activity, ActivityAttendee
from modules.activities.services.attendees import (
    PARTSTATS,
    ROLES,
    address_of,
    attendee_lines,
    record_attendee_change,
)

# Changes attendees are told about (a new REQUEST with a higher SEQUENCE).
SCHEDULING_FIELDS = frozenset(
    {"subject", "body", "location", "due_at", "ends_at", "all_day", "rrule", "rdates", "exdates"}
)
_PARTSTAT_OUT: dict[str, str] = {str(value): key for key, value in PARTSTATS.items()}
_ROLE_OUT: dict[str, str] = {str(value): key for key, value in ROLES.items()}


def uid_domain() -> str:
    """The current tenant's host, which the feed's UIDs use too."""
    tenant = getattr(connection, "tenant", None)
    host = getattr(tenant, "primary_host", "") if tenant is not None else ""
    return str(host or "relata.invalid")


def organiser_of(activity: Activity) -> ActivityAttendee | None:
    return next((row for row in activity.attendees.all() if row.is_organizer), None)


def _may_organise(activity: Activity) -> bool:
    return activity.kind == ActivityKind.MEETING and activity.assignee_id is not None and activity.series_id is None


def organised_here(activity: Activity) -> bool:
    """A meeting whose organiser row is its assignee: one invitations were sent for from here (an
    imported meeting, even without an ORGANIZER, tells nobody of its changes)."""
    organiser = organiser_of(activity)
    return _may_organise(activity) and organiser is not None and organiser.user_id == activity.assignee_id


def invitees(activity: Activity) -> list[ActivityAttendee]:
    return [row for row in activity.attendees.all() if not row.is_organizer]


def ensure_organiser(activity: Activity) -> None:
    """The assignee as the organiser row (invitations name them), created once."""
    assignee = activity.assignee
    if assignee is None or organiser_of(activity) is not None:
        return
    ActivityAttendee.objects.create(
        activity=activity,
        email=assignee.email.lower(),
        name=assignee.display_name,
        role=AttendeeRole.CHAIR,
        attendance=Attendance.ACCEPTED,
        is_organizer=True,
        user=assignee,
    )


def _ensure_uid(activity: Activity) -> None:
    if not activity.ical_uid:
        activity.ical_uid = f"activity-{activity.pk}@{uid_domain()}"
        Activity.objects.filter(pk=activity.pk).update(ical_uid=activity.ical_uid)


def _address(prop: Any, row: ActivityAttendee, *, organiser: bool) -> None:
    prop.value = f"mailto:{row.email}"
    if row.name:
        prop.params["CN"] = [row.name]
    if not organiser:
        prop.params["ROLE"] = [_ROLE_OUT.get(row.role, "REQ-PARTICIPANT")]
        prop.params["PARTSTAT"] = [_PARTSTAT_OUT.get(row.attendance, "NEEDS-ACTION")]
        prop.params["RSVP"] = ["TRUE"]


def itip_calendar(activity: Activity, method: str) -> str:
    """The meeting as an iTIP message (``REQUEST`` or ``CANCEL``) with its organiser and attendees."""
    from modules.activities.services.ical import add_component

    calendar = vobject.iCalendar()
    calendar.add("prodid").value = "-//Relata//Meetings//EN"
    calendar.add("method").value = method
    component = add_component(calendar, activity, uid_domain=uid_domain())
    component.add("sequence").value = str(activity.ical_sequence)
    if method == "CANCEL":
        component.status.value = "CANCELLED"
    rows = list(activity.attendees.all())
    for row in rows:
        if row.is_organizer:
            _address(component.add("organizer"), row, organiser=True)
    for row in rows:
        if not row.is_organizer:
            _address(component.add("attendee"), row, organiser=False)
    return str(calendar.serialize())


def _queue(activity: Activity, method: str, recipients: Iterable[str]) -> None:
    from modules.activities.calendar_sync.selectors import sending_calendar
    from modules.activities.tasks import send_meeting_message

    to = sorted(set(recipients))
    if not to or sending_calendar(activity) is not None:
        return
    organiser = organiser_of(activity)
    reply_to = organiser.email if organiser is not None else ""
    start = timezone.localtime(activity.due_at) if activity.due_at else None
    when = f"{start:%Y-%m-%d %H:%M %Z}" if start is not None else ""
    if method == "CANCEL":
        subject = _("Cancelled: %(subject)s") % {"subject": activity.subject}
        body = _("This meeting is cancelled: %(subject)s, %(when)s.") % {"subject": activity.subject, "when": when}
    elif activity.series_id is not None:
        subject = _("Updated occurrence: %(subject)s") % {"subject": activity.subject}
        body = _(
            "One occurrence of a series you are invited to changed: %(subject)s, now %(when)s. The update is "
            "attached; answer it in your calendar."
        ) % {"subject": activity.subject, "when": when}
    else:
        subject = _("Invitation: %(subject)s") % {"subject": activity.subject}
        body = _(
            "You are invited to %(subject)s, %(when)s. The invitation is attached; answer it in your calendar."
        ) % {"subject": activity.subject, "when": when}
    payload = {"method": method, "calendar": itip_calendar(activity, method), "subject": subject, "body": body}
    transaction.on_commit(lambda: send_meeting_message.delay(to=to, reply_to=reply_to, **payload))


def invite(activity: Activity, *, to: Iterable[ActivityAttendee] | None = None) -> None:
    """Send a REQUEST of the meeting to ``to`` (all its attendees by default), its assignee becoming
    the organiser if it has none; nothing for a meeting someone else organises."""
    if not _may_organise(activity):
        return
    ensure_organiser(activity)
    if not organised_here(activity):
        return
    _ensure_uid(activity)
    rows = invitees(activity) if to is None else list(to)
    _queue(activity, "REQUEST", [row.email for row in rows])


def cancel(activity: Activity, *, to: Iterable[ActivityAttendee] | None = None) -> None:
    """Send a CANCEL of a meeting organised here to ``to`` (all its attendees by default)."""
    if not organised_here(activity) or (to is None and not invitees(activity)):
        return
    _ensure_uid(activity)
    rows = invitees(activity) if to is None else list(to)
    _queue(activity, "CANCEL", [row.email for row in rows])


def invite_occurrence(row: Activity) -> None:
    """Send the attendees of one changed occurrence (an override row of a series organised here)
    its new version: a REQUEST of that instance with a higher SEQUENCE than the series'."""
    series = row.series
    if series is None or row.recurrence_id is None or not organised_here(series):
        return
    rows = invitees(row)
    if not rows:
        return
    _ensure_uid(series)
    row.ical_sequence = max(row.ical_sequence, series.ical_sequence) + 1
    Activity.objects.filter(pk=row.pk).update(ical_sequence=row.ical_sequence)
    _queue(row, "REQUEST", [person.email for person in rows])


def after_update(activity: Activity, changed: Iterable[str]) -> None:
    """After a change: attendees of a meeting organised here get the new version."""
    if not SCHEDULING_FIELDS.intersection(changed):
        return
    if activity.series_id is not None:
        invite_occurrence(activity)
        return
    if not organised_here(activity) or not invitees(activity):
        return
    activity.ical_sequence += 1
    Activity.objects.filter(pk=activity.pk).update(ical_sequence=activity.ical_sequence)
    invite(activity)


def apply_reply(event: Any, *, by: User) -> tuple[Activity, ActivityAttendee] | None:
    """An iTIP REPLY's VEVENT: the answering attendee's PARTSTAT on the user's meeting with that UID
    (and instance). None when no meeting or attendee matches."""
    uid = str(event.get("uid", "")).strip()
    if not uid:
        return None
    meetings = Activity.objects.filter(assignee=by, ical_uid=uid)
    recurrence = event.get("recurrence-id")
    meeting = None
    if recurrence is not None:
        meeting = meetings.filter(recurrence_id=getattr(recurrence, "dt", None)).first()
    meeting = meeting or meetings.filter(series__isnull=True, recurrence_id__isnull=True).first()
    if meeting is None:
        return None
    answers = event.get("attendee") or []
    for prop in answers if isinstance(answers, list) else [answers]:
        email = address_of(prop)
        status = PARTSTATS.get(str(getattr(prop, "params", {}).get("PARTSTAT", "")).upper())
        if email is None or status is None:
            continue
        row = meeting.attendees.filter(email__iexact=email).first()
        if row is None:
            continue
        before = attendee_lines(meeting)
        row.attendance, row.responded_at = status, timezone.now()
        row.save(update_fields=["attendance", "responded_at"])
        record_attendee_change(meeting, old=before, new=attendee_lines(meeting), by=by)
        return meeting, row
    return None
