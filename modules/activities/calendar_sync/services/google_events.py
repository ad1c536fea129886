"""Google Calendar events (the API's JSON resource) read into meeting values, and a meeting written
as one.

Reading goes through the iCalendar reader of the CalDAV sync (``events.read_object``): the
event's fields are put in a VEVENT (Google's ``recurrence`` lines are RFC 5545 RRULE, EXDATE and
RDATE lines already), so times, zones, whole days and recurrence are read by one code path
whichever calendar they come from. A changed or cancelled instance of a series
(``recurringEventId``) is read as an override of it at ``originalStartTime``. Writing puts a
series' RRULE, EXDATE and RDATE lines as ``events.write_object`` writes them in ``recurrence``
and its times in the series' zone (Google needs a ``timeZone`` for a series)."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

import vobject
from dateutil import tz
from django.utils import timezone
from django.utils.translation import gettext as _

from core.input_bounds import without_control_characters
from modules.activities.calendar_sync.services.events import (
    DEFAULT_LENGTH,
    CalendarObject,
    EventValues,
    UnreadableEvent,
    read_object,
    write_object,
)
from modules.activities.calendar_sync.services.provider_attendees import google_attendees, google_invitees
from modules.activities.choices import ActivityStatus
from modules.activities.models import Activity

RECURRENCE_LINES = ("RRULE", "EXDATE", "RDATE")
MAX_TEXT = 10_000


def _moment(value: dict[str, Any] | None, name: str) -> date | datetime:
    value = value or {}
    try:
        if value.get("dateTime"):
            moment = datetime.fromisoformat(str(value["dateTime"]).replace("Z", "+00:00"))
            if timezone.is_naive(moment):
                raise ValueError(name)
            return moment
        if value.get("date"):
            return date.fromisoformat(str(value["date"]))
    except (TypeError, ValueError, OverflowError) as error:
        raise UnreadableEvent(_("The event has no valid start.")) from error
    raise UnreadableEvent(_("The event has no valid start."))


def _updated(item: dict[str, Any]) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(item.get("updated", "")).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else None


def _text(item: dict[str, Any], name: str) -> str:
    return without_control_characters(str(item.get(name) or ""))[:MAX_TEXT]


def _named_zone(name: str) -> tzinfo:
    """The event's zone as vobject can write it (a dateutil zone carrying its TZID), else UTC."""
    found = tz.gettz(name) if name and len(name) <= 64 else None
    if found is None:
        return tz.UTC
    zone = copy.copy(found)  # gettz shares its zones: name a copy
    zone.tzid = name  # type: ignore[attr-defined]  # the TZID vobject writes
    return zone


def _as_calendar(item: dict[str, Any], *, recurrence: list[str]) -> str:
    """The event as a VCALENDAR holding one VEVENT (the series' lines when it is one); times in
    the event's own zone, so a series keeps its wall-clock time."""
    calendar = vobject.iCalendar()
    component = calendar.add("vevent")
    component.add("uid").value = str(item.get("iCalUID") or item.get("id") or "")[:255]
    for field, prop in (("summary", "summary"), ("description", "description"), ("location", "location")):
        if item.get(field):
            component.add(prop).value = _text(item, field)
    start = _moment(item.get("start"), "start")
    end = _moment(item.get("end"), "end") if item.get("end") else start
    zone = _named_zone(_zone_of(item))
    if isinstance(start, datetime):
        start = start.astimezone(zone)
    if isinstance(end, datetime):
        end = end.astimezone(zone)
    component.add("dtstart").value = start
    component.add("dtend").value = end
    if item.get("status") == "cancelled":
        component.add("status").value = "CANCELLED"
    for line in recurrence:
        try:
            component.add(vobject.base.textLineToContentLine(line))
        except Exception as error:  # vobject raises several unrelated types on malformed input
            raise UnreadableEvent(_("The event's recurrence could not be read.")) from error
    return str(calendar.serialize())


def _zone_of(item: dict[str, Any]) -> str:
    return str((item.get("start") or {}).get("timeZone") or "")


def read_event(item: dict[str, Any], *, zone: tzinfo) -> CalendarObject:
    """A Google event (not an instance) as a series or a single event, without overrides."""
    recurrence = [str(line) for line in item.get("recurrence") or [] if str(line).upper().startswith(RECURRENCE_LINES)]
    event = read_object(_as_calendar(item, recurrence=recurrence), zone=zone)
    if event.master is None:
        raise UnreadableEvent(_("The resource holds no event."))
    event.master.last_modified = _updated(item)
    event.master.attendees = google_invitees(item)
    if _zone_of(item) and (recurrence or not event.master.calendar_fields["time_zone"]):
        event.master.calendar_fields["time_zone"] = _zone_of(item)[:64]
    return event


def read_instance(item: dict[str, Any], *, zone: tzinfo) -> EventValues:
    """A changed or cancelled instance of a series, with its ``recurrence_id`` (original start)."""
    event = read_object(_as_calendar(item, recurrence=[]), zone=zone)
    if event.master is None:
        raise UnreadableEvent(_("The resource holds no event."))
    original = _moment(item.get("originalStartTime"), "originalStartTime")
    if isinstance(original, datetime):
        event.master.recurrence_id = original
    else:
        event.master.recurrence_id = timezone.make_aware(datetime.combine(original, datetime.min.time()), zone)
    event.master.last_modified = _updated(item)
    event.master.attendees = google_invitees(item)
    return event.master


def _recurrence_lines(activity: Activity) -> list[str]:
    if not (activity.rrule or activity.rdates or activity.exdates):
        return []
    text = write_object(activity, []).replace("\r\n ", "").replace("\r\n\t", "")
    inside, lines = False, []
    for line in text.split("\r\n"):
        if line == "BEGIN:VEVENT":
            inside = True
        elif line == "END:VEVENT":
            inside = False
        elif inside and line.split(";", 1)[0].split(":", 1)[0].upper() in RECURRENCE_LINES:
            lines.append(line)
    return lines


def _times(activity: Activity, zone_name: str) -> tuple[dict[str, str], dict[str, str]]:
    start = activity.due_at or activity.created_at
    if activity.all_day:
        first = timezone.localdate(start)
        last = timezone.localdate(activity.ends_at) if activity.ends_at else first
        return {"date": first.isoformat()}, {"date": (last + timedelta(days=1)).isoformat()}
    end = activity.ends_at or start + DEFAULT_LENGTH
    return (
        {"dateTime": start.isoformat(), "timeZone": zone_name},
        {"dateTime": end.isoformat(), "timeZone": zone_name},
    )


def event_body(activity: Activity, *, zone_name: str, attendees: bool = True) -> dict[str, Any]:
    """The Google event of a meeting (a series with its rule; changed instances are not written),
    with its attendees only when ``attendees`` (a meeting organised here)."""
    start, end = _times(activity, activity.time_zone or zone_name or "UTC")
    body: dict[str, Any] = {
        "summary": activity.subject,
        "description": activity.body,
        "location": activity.location,
        "start": start,
        "end": end,
        "status": "confirmed",
    }
    if attendees:
        body["attendees"] = google_attendees(activity)
    recurrence = _recurrence_lines(activity)
    if recurrence:
        body["recurrence"] = recurrence
    return body


def is_cancelled_here(activity: Activity) -> bool:
    return activity.status == ActivityStatus.CANCELLED
