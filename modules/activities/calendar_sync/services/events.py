"""A calendar resource (one VCALENDAR: an event, or a series with its changed instances) read
into meeting values, and a meeting (with its overrides) written as one.

Times are written in UTC, except a series' times, written in its zone (``time_zone``) so that
its instances keep their wall-clock time across daylight-saving changes. Whole-day events are
dates (DTEND the day after). A floating time (no zone) is read in the user's zone."""

from __future__ import annotations

import copy
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import vobject
from dateutil import tz
from django.utils import timezone
from django.utils.translation import gettext as _

from core.input_bounds import moment_problem, without_control_characters
from modules.activities.choices import ActivityStatus, Attendance, AttendeeRole
from modules.activities.models import Activity
from modules.activities.services.attendees import PARTSTATS, ROLES, Invitee, address_of

DEFAULT_LENGTH = timedelta(minutes=30)
MAX_ATTENDEES = 500  # a larger list is read up to this many
PARTSTAT_OF: dict[str, str] = {str(attendance): name for name, attendance in PARTSTATS.items()}
ROLE_OF: dict[str, str] = {str(role): name for name, role in ROLES.items()}


class UnreadableEvent(ValueError):
    """The resource is not an event this sync can read; the message says why."""


@dataclass
class EventValues:
    """What one VEVENT says, as meeting fields (``values``) plus what the sync itself needs."""

    values: dict[str, Any]
    calendar_fields: dict[str, Any]
    recurrence_id: datetime | None = None
    last_modified: datetime | None = None
    # ORGANIZER and ATTENDEE, one per address; None when the event names nobody (the meeting's
    # own attendees are then left as they are).
    attendees: list[Invitee] | None = None


@dataclass
class CalendarObject:
    uid: str
    master: EventValues | None
    overrides: list[EventValues] = field(default_factory=list)

    @property
    def last_modified(self) -> datetime | None:
        stamps = [event.last_modified for event in [self.master, *self.overrides] if event and event.last_modified]
        return max(stamps) if stamps else None

    @property
    def latest_end(self) -> datetime | None:
        """The end of its last dated event (None for a series: it may go on)."""
        events = [event for event in [self.master, *self.overrides] if event is not None]
        if any(event.calendar_fields.get("rrule") or event.calendar_fields.get("rdates") for event in events):
            return None
        ends = [event.values["ends_at"] for event in events]
        return max(ends) if ends else None


def _text(component: Any, name: str, limit: int | None = None) -> str:
    if name not in component.contents:
        return ""
    value = without_control_characters(str(getattr(component, name).value)).strip()
    return value[:limit] if limit else value


def _moment(value: date | datetime, zone: tzinfo) -> tuple[datetime, bool]:
    problem = moment_problem(value)
    if problem:
        raise UnreadableEvent(problem)
    if isinstance(value, datetime):
        return (value if timezone.is_aware(value) else timezone.make_aware(value, zone)), False
    return timezone.make_aware(datetime.combine(value, time.min), zone), True


def _iso_list(lines: list[Any], zone: tzinfo) -> list[str]:
    found: list[str] = []
    for line in lines:
        for value in line.value if isinstance(line.value, list) else [line.value]:
            if isinstance(value, datetime):
                found.append(_moment(value, zone)[0].isoformat())
            elif isinstance(value, date):
                found.append(value.isoformat())
    return sorted(set(found))


def _zone_name(component: Any) -> str:
    """The IANA name of the start's zone, when it has one (vobject turns TZID into a tzinfo)."""
    value = component.dtstart.value if "dtstart" in component.contents else None
    zone = getattr(value, "tzinfo", None)
    params = component.dtstart.params if "dtstart" in component.contents else {}
    candidates = [
        *(params.get("TZID") or []),
        getattr(zone, "key", None),
        getattr(zone, "tzid", None),
        getattr(zone, "_tzid", None),
        str(getattr(zone, "_filename", "") or "").rpartition("zoneinfo/")[2],
    ]
    for name in candidates:
        if not name or len(str(name)) > 64:
            continue
        try:
            zoneinfo.ZoneInfo(str(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        return str(name)
    return ""


def _param(line: Any, name: str) -> str:
    values = (getattr(line, "params", {}) or {}).get(name) or [""]
    return without_control_characters(str(values[0])).strip()


def _invitees(component: Any) -> list[Invitee] | None:
    """ORGANIZER and ATTENDEE lines, one invitee per address (the organiser flagged on theirs)."""
    organizers = component.contents.get("organizer") or []
    attendees = (component.contents.get("attendee") or [])[:MAX_ATTENDEES]
    if not organizers and not attendees:
        return None
    found: dict[str, Invitee] = {}
    for line in organizers[:1]:
        if email := address_of(line.value):
            found[email] = Invitee(email, _param(line, "CN")[:255], AttendeeRole.CHAIR, Attendance.ACCEPTED, True)
    for line in attendees:
        email = address_of(line.value)
        if email is None:
            continue
        invitee = found.get(email) or Invitee(email, _param(line, "CN")[:255])
        invitee.role = ROLES.get(_param(line, "ROLE").upper(), invitee.role)
        invitee.attendance = PARTSTATS.get(_param(line, "PARTSTAT").upper(), invitee.attendance)
        found[email] = invitee
    return list(found.values())


def _event(component: Any, zone: tzinfo) -> EventValues:
    try:
        start, all_day = _moment(component.dtstart.value, zone)
        if "dtend" in component.contents:
            end, _whole = _moment(component.dtend.value, zone)
            if all_day:
                end -= timedelta(days=1)
        elif "duration" in component.contents:
            end = start + component.duration.value
        else:
            end = start
    except (AttributeError, TypeError, ValueError, OverflowError) as error:
        raise UnreadableEvent(_("The event has no valid start.")) from error
    end = max(end, start)
    recurrence_id = None
    if "recurrence-id" in component.contents:  # vobject keys contents by the property's own name
        recurrence_id = _moment(component.recurrence_id.value, zone)[0]
    last_modified = None
    for name in ("last-modified", "dtstamp"):
        lines = component.contents.get(name) or []
        if lines and isinstance(lines[0].value, datetime):
            last_modified = _moment(lines[0].value, zone)[0]
            break
    status = _text(component, "status").upper()
    rrule = _text(component, "rrule", 2000)
    sequence = _text(component, "sequence")
    return EventValues(
        values={
            "subject": _text(component, "summary", 255) or _("(no subject)"),
            "body": _text(component, "description", 10_000),
            "location": _text(component, "location", 255),
            "due_at": start,
            "ends_at": end,
            "all_day": all_day,
            "cancelled": status == "CANCELLED",
        },
        calendar_fields={
            "rrule": rrule,
            "rdates": _iso_list(component.contents.get("rdate", []), zone),
            "exdates": _iso_list(component.contents.get("exdate", []), zone),
            "time_zone": _zone_name(component),
            "ical_sequence": int(sequence) if sequence.isdigit() and len(sequence) < 9 else 0,
        },
        recurrence_id=recurrence_id,
        last_modified=last_modified,
        attendees=_invitees(component),
    )


def read_object(data: str, *, zone: tzinfo) -> CalendarObject:
    """The event (and its changed instances) of one calendar resource."""
    try:
        calendar = vobject.readOne(data)
    except Exception as error:  # vobject raises several unrelated types on malformed input
        raise UnreadableEvent(_("The event could not be read.")) from error
    components = [c for c in calendar.contents.get("vevent", [])] if calendar.name == "VCALENDAR" else []
    if not components:
        raise UnreadableEvent(_("The resource holds no event."))
    uids = {_text(component, "uid", 255) for component in components}
    if len(uids) != 1 or "" in uids:
        raise UnreadableEvent(_("The event has no UID."))
    events = [_event(component, zone) for component in components]
    master = next((event for event in events if event.recurrence_id is None), None)
    return CalendarObject(uid=uids.pop(), master=master, overrides=[e for e in events if e.recurrence_id is not None])


def _utc(value: datetime) -> datetime:
    return value.astimezone(tz.UTC)


def _add_times(component: Any, activity: Activity, zone: tzinfo | None) -> None:
    start = activity.due_at or activity.created_at  # only dated meetings and calls are synced
    if activity.all_day:
        first = timezone.localdate(start)
        last = timezone.localdate(activity.ends_at) if activity.ends_at else first
        component.add("dtstart").value = first
        component.add("dtend").value = last + timedelta(days=1)
        return
    end = activity.ends_at or start + DEFAULT_LENGTH
    if zone is not None:
        component.add("dtstart").value = start.astimezone(zone)
        component.add("dtend").value = end.astimezone(zone)
    else:
        component.add("dtstart").value = _utc(start)
        component.add("dtend").value = _utc(end)


def _dates(values: list[str], zone: tzinfo | None) -> list[date | datetime]:
    parsed: list[date | datetime] = []
    for value in values:
        try:
            moment: date | datetime = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            continue
        if isinstance(moment, datetime) and timezone.is_aware(moment):
            # vobject names only its own and dateutil's zones: the standard library's UTC is not one.
            moment = moment.astimezone(zone) if zone is not None else _utc(moment)
        parsed.append(moment)
    return parsed


def _series_zone(activity: Activity) -> tzinfo | None:
    if not activity.time_zone or not (activity.rrule or activity.rdates):
        return None
    found = tz.gettz(activity.time_zone)
    if found is None:
        return None
    zone = copy.copy(found)  # gettz shares its zones: name a copy
    zone.tzid = activity.time_zone  # type: ignore[attr-defined]  # the TZID vobject writes
    return zone


def _add_event(calendar: Any, activity: Activity, *, uid: str, zone: tzinfo | None) -> None:
    component = calendar.add("vevent")
    component.add("uid").value = uid
    component.add("dtstamp").value = _utc(timezone.now())
    component.add("last-modified").value = _utc(activity.updated_at)
    component.add("sequence").value = str(activity.ical_sequence)
    component.add("summary").value = activity.subject
    if activity.body:
        component.add("description").value = activity.body
    if activity.location:
        component.add("location").value = activity.location
    _add_times(component, activity, zone)
    _add_attendees(component, activity)
    component.add("status").value = "CANCELLED" if activity.status == ActivityStatus.CANCELLED else "CONFIRMED"
    if activity.recurrence_id is not None:
        rid = activity.recurrence_id
        component.add("recurrence-id").value = (
            timezone.localdate(rid) if activity.all_day else (rid.astimezone(zone) if zone else _utc(rid))
        )
        return
    rule = activity.rrule.strip()
    if rule:
        component.add("rrule").value = rule.removeprefix("RRULE:")
    for name, values in (("rdate", activity.rdates), ("exdate", activity.exdates)):
        moments = _dates(list(values or []), zone)
        if moments:
            component.add(name).value = moments


def _add_attendees(component: Any, activity: Activity) -> None:
    """The meeting's attendees as ATTENDEE lines (with their role and answer), its organiser also
    as ORGANIZER."""
    for row in activity.attendees.all():
        names = ["organizer", "attendee"] if row.is_organizer else ["attendee"]
        for name in names:
            line = component.add(name)
            line.value = f"mailto:{row.email}"
            if row.name:
                line.params["CN"] = [row.name]
            if name == "attendee":
                line.params["ROLE"] = [ROLE_OF.get(row.role, "REQ-PARTICIPANT")]
                line.params["PARTSTAT"] = [PARTSTAT_OF.get(row.attendance, "NEEDS-ACTION")]


def write_object(activity: Activity, overrides: list[Activity]) -> str:
    """The VCALENDAR text of a meeting (``ical_uid`` set) and its changed instances."""
    calendar = vobject.iCalendar()
    calendar.add("prodid").value = "-//Relata//Calendar sync//EN"
    zone = _series_zone(activity)
    _add_event(calendar, activity, uid=activity.ical_uid, zone=zone)
    for override in overrides:
        _add_event(calendar, override, uid=activity.ical_uid, zone=zone)
    return str(calendar.serialize())
