"""Importing meetings from an .ics file: leniently, by UID, with recurrence, zones and attendees.

Each VEVENT is read on its own and reported (imported, updated, skipped and why, with warnings):
one bad event never blocks the others. An event whose UID the user already has (or a UID of the
user's own feed on this host) updates that meeting unless the stored SEQUENCE is newer. A series
keeps its RRULE/RDATE/EXDATE; an instance with a RECURRENCE-ID becomes an override row of its
series (a cancelled instance an override with status cancelled). TZIDs are resolved by the
icalendar library (VTIMEZONE, IANA names with a vendor prefix such as ``/Europe/Stockholm`` or
Evolution's, Windows zone names from Outlook); one that cannot be resolved is read in the user's
zone with a warning naming the event. ATTENDEE and ORGANIZER become attendee rows matched to
contacts and users by address.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.input_bounds import duration_problem, moment_problem, window_message, without_control_characters
from identity.models import User
from modules.activities.choices import ActivityKind, ActivityStatus
from modules.activities.models import Activity
from modules.activities.services.activities import cancel_activity, create_activity, update_activity
from modules.activities.services.attendees import Invitee, invitees_from_ical, match_invitees, set_attendees
from modules.activities.services.itip import apply_reply

MAX_IMPORT_BYTES = 1_000_000
MAX_IMPORT_EVENTS = 500
_BEGIN_EVENT = re.compile(rb"^BEGIN:VEVENT\s*$", re.IGNORECASE | re.MULTILINE)
_OWN_UID = re.compile(r"^activity-(\d+)@(.+)$")


class Skipped(Exception):
    """An event that cannot be imported, and why."""


@dataclass
class EventResult:
    """What happened to one VEVENT of the file (numbered from 1 in file order)."""

    number: int
    summary: str
    outcome: str = "skipped"  # imported, updated or skipped
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    activity_id: int | None = None

    @property
    def label(self) -> str:
        return {"imported": _("Imported"), "updated": _("Updated")}.get(self.outcome, _("Skipped"))


@dataclass
class ImportReport:
    results: list[EventResult]

    def count(self, outcome: str) -> int:
        return sum(1 for result in self.results if result.outcome == outcome)

    @property
    def imported(self) -> int:
        return self.count("imported")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def skipped(self) -> int:
        return self.count("skipped")


@dataclass
class _Event:
    number: int
    uid: str
    sequence: int
    recurrence_id: datetime | None
    cancelled: bool
    values: dict[str, Any]
    invitees: list[Invitee]
    result: EventResult


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _text(value: Any, limit: int | None = None) -> str:
    """Text of another program's file: control characters dropped (see core.input_bounds)."""
    text = without_control_characters(str(value)).strip()
    return text[:limit] if limit else text


def _components(data: bytes) -> tuple[list[Any], str]:
    """The file's VEVENTs and its iTIP METHOD; the events are counted before anything is parsed, so
    a huge file is refused cheaply."""
    if len(data) > MAX_IMPORT_BYTES:
        raise _file_error(_("The file is larger than 1 MB."))
    if len(_BEGIN_EVENT.findall(data)) > MAX_IMPORT_EVENTS:
        raise _file_error(_("The file holds more than %(count)d events.") % {"count": MAX_IMPORT_EVENTS})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # older Outlook exports
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise _file_error(_("This is not an iCalendar file: it does not begin with BEGIN:VCALENDAR."))
    try:
        with warnings.catch_warnings():  # guessed vendor-prefixed TZIDs are warned about per event
            warnings.simplefilter("ignore")
            calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception as error:  # the parser raises ValueError and others on a broken structure
        raise _file_error(_("This is not an iCalendar file: %(error)s") % {"error": _text(error, 200)}) from error
    events = [event for calendar in calendars for event in calendar.walk("VEVENT")]
    if not events:
        raise _file_error(_("The file holds no events."))
    method = str(calendars[0].get("method", "")).strip().upper() if calendars else ""
    return events, method


def _moment(value: date | datetime, zone: Any, result: EventResult, name: str) -> tuple[datetime, bool]:
    """An event time as an aware datetime and whether it was a whole day; a time with a TZID that
    could not be resolved is read in ``zone`` and named in a warning."""
    problem = moment_problem(value)
    if problem:
        raise Skipped(f"{name}: {problem}")
    if not isinstance(value, datetime):
        return datetime.combine(value, time.min, tzinfo=zone), True
    if value.tzinfo is None:
        return value.replace(tzinfo=zone), False
    return value, False


def _property_time(event: Any, name: str, zone: Any, result: EventResult) -> tuple[datetime, bool] | None:
    prop = event.get(name)
    if prop is None:
        return None
    if isinstance(prop, list):
        prop = prop[0]
    try:
        value = prop.dt
    except Exception as error:  # a broken value: the library keeps it and raises when read
        raise Skipped(_("%(property)s cannot be read.") % {"property": name.upper()}) from error
    if isinstance(value, datetime) and value.tzinfo is None and "TZID" in getattr(prop, "params", {}):
        tzid = _text(prop.params["TZID"], 64)
        result.warnings.append(
            _("The time zone %(zone)s is unknown; the times were read in your time zone.") % {"zone": tzid}
        )
    return _moment(value, zone, result, name.upper())


def _zone_name(value: datetime) -> str:
    zone = value.tzinfo
    if isinstance(zone, ZoneInfo):
        return zone.key
    return "UTC" if value.utcoffset() == timedelta(0) and zone is not None and "UTC" in str(zone) else ""


def _moments_of(event: Any, name: str, zone: Any) -> list[str]:
    """RDATE/EXDATE values as stored: ISO date for a whole day, else an aware ISO date-time."""
    props = event.get(name)
    if props is None:
        return []
    found = []
    for prop in props if isinstance(props, list) else [props]:
        for item in getattr(prop, "dts", []):
            value = item.dt
            if isinstance(value, tuple):  # a PERIOD: its start
                value = value[0]
            if moment_problem(value):
                continue
            if isinstance(value, datetime):
                found.append((value if value.tzinfo else value.replace(tzinfo=zone)).isoformat())
            else:
                found.append(value.isoformat())
    return found


def _read(event: Any, number: int, zone: Any) -> _Event:
    summary = _text(event.get("summary", ""), 255)
    result = EventResult(number=number, summary=summary)
    start = _property_time(event, "dtstart", zone, result)
    if start is None:
        raise Skipped(_("The event has no start (DTSTART)."))
    begins, all_day = start
    end = _property_time(event, "dtend", zone, result)
    if end is not None:
        finish = end[0] - timedelta(days=1) if all_day else end[0]  # a whole day's DTEND is the day after
    elif event.get("duration") is not None:
        try:
            duration = event["duration"].dt
        except Exception as error:
            raise Skipped(_("DURATION cannot be read.")) from error
        if not isinstance(duration, timedelta):
            raise Skipped(_("DURATION cannot be read."))
        if problem := duration_problem(duration):
            raise Skipped(f"DURATION: {problem}")
        try:
            finish = begins + duration
        except OverflowError as error:
            raise Skipped(f"DURATION: {window_message()}") from error
        if problem := moment_problem(finish):
            raise Skipped(f"DURATION: {problem}")
    else:
        finish = begins
    if finish < begins:
        result.warnings.append(_("The end was before the start; the event was given no length."))
        finish = begins
    recurrence = _property_time(event, "recurrence-id", begins.tzinfo or zone, result)
    rrule = event.get("rrule")
    if isinstance(rrule, list):
        rrule = rrule[0]
    status = _text(event.get("status", "")).upper()
    sequence = event.get("sequence", 0)
    sequence = sequence if isinstance(sequence, int) and 0 <= sequence < 2**31 else 0
    uid = _text(event.get("uid", ""), 255)
    values = {
        "kind": ActivityKind.MEETING,
        "subject": summary or _("(no subject)"),
        "body": _text(event.get("description", "")),
        "location": _text(event.get("location", ""), 255),
        "due_at": begins,
        "ends_at": finish,
        "all_day": all_day,
        "time_zone": "" if all_day else _zone_name(begins),
        "rrule": rrule.to_ical().decode() if rrule is not None and recurrence is None else "",
        "rdates": _moments_of(event, "rdate", begins.tzinfo) if recurrence is None else [],
        "exdates": _moments_of(event, "exdate", begins.tzinfo) if recurrence is None else [],
        "ical_uid": uid,
        "ical_sequence": sequence,
    }
    if all_day and (values["rrule"] or values["rdates"]):
        values["time_zone"] = timezone.get_current_timezone_name()
    return _Event(
        number=number,
        uid=uid,
        sequence=sequence,
        recurrence_id=recurrence[0] if recurrence else None,
        cancelled=status == "CANCELLED",
        values=values,
        invitees=invitees_from_ical(event),
        result=result,
    )


def _existing(item: _Event, by: User, own_host: str) -> Activity | None:
    """The user's meeting this event is a new version of: same UID (and instance), or the user's
    own feed's UID for one of their meetings."""
    mine = Activity.objects.filter(assignee=by)
    if item.uid:
        found = mine.filter(ical_uid=item.uid, recurrence_id=item.recurrence_id).first()
        if found is not None or item.recurrence_id is not None:
            return found
        own = _OWN_UID.match(item.uid)
        if own and own.group(2) == own_host:
            return mine.filter(pk=int(own.group(1)), recurrence_id__isnull=True).first()
    return None


def _series_for(item: _Event, by: User, imported: dict[str, Activity], own_host: str) -> Activity | None:
    if item.uid in imported:
        return imported[item.uid]
    master = _Event(item.number, item.uid, 0, None, False, {}, [], item.result)
    return _existing(master, by, own_host)


def _save(item: _Event, by: User, imported: dict[str, Activity], own_host: str) -> None:
    values = dict(item.values)
    if item.recurrence_id is not None:
        series = _series_for(item, by, imported, own_host)
        values["recurrence_id"] = item.recurrence_id
        if series is not None and series.series_id is None:
            values["series"] = series
        else:
            item.result.warnings.append(_("Its recurring series is not in the file; it was imported on its own."))
    current = _existing(item, by, own_host)
    with transaction.atomic():
        if current is None:
            values["status"] = ActivityStatus.CANCELLED if item.cancelled else ActivityStatus.OPEN
            activity = create_activity(by=by, assignee=by, **values)
            item.result.outcome = "imported"
        elif current.ical_sequence > item.sequence:
            raise Skipped(_("Your calendar already holds a newer version of this event."))
        else:
            values.pop("kind")
            values["ical_uid"] = current.ical_uid or item.uid  # keep the UID it is published under
            activity = update_activity(current, by=by, **values)
            if item.cancelled and activity.status == ActivityStatus.OPEN:
                cancel_activity(activity, by=by)
            item.result.outcome = "updated"
        set_attendees(activity, item.invitees, by=by)
        if activity.contact_id is None and (contact := next((i.contact for i in item.invitees if i.contact), None)):
            update_activity(activity, by=by, contact=contact)
    item.result.activity_id = activity.pk
    if item.recurrence_id is None and item.uid:
        imported[item.uid] = activity


def import_calendar(data: bytes, *, by: User, own_host: str = "") -> ImportReport:
    """Import every VEVENT of ``data`` as the user's meetings, each on its own; ``own_host`` is the
    host the user's feed is published on (its UIDs update the meetings they came from).

    A file that cannot be read at all raises a ValidationError on ``file``."""
    zone = timezone.get_current_timezone()
    events, method = _components(data)
    if method == "REPLY":
        return _replies(events, by=by)
    items: list[_Event] = []
    results: list[EventResult] = []
    for number, event in enumerate(events, start=1):
        try:
            item = _read(event, number, zone)
        except Skipped as reason:
            results.append(EventResult(number, _text(event.get("summary", ""), 255), reason=str(reason)))
            continue
        results.append(item.result)
        items.append(item)
    match_invitees([invitee for item in items for invitee in item.invitees], by=by)
    imported: dict[str, Activity] = {}
    for item in sorted(items, key=lambda item: (item.recurrence_id is not None, item.number)):  # series first
        try:
            _save(item, by, imported, own_host)
        except Skipped as reason:
            item.result.reason = str(reason)
        except ValidationError as error:
            item.result.reason = "; ".join(error.messages)
            item.result.outcome = "skipped"
        except IntegrityError:  # e.g. two events of the file claiming the same instance
            item.result.reason = _("It conflicts with another event of the file or of your calendar.")
            item.result.outcome = "skipped"
    return ImportReport(results)


def _replies(events: list[Any], *, by: User) -> ImportReport:
    """An iTIP REPLY file: each answer updates the attendance on the user's meeting it answers."""
    results = []
    for number, event in enumerate(events, start=1):
        result = EventResult(number, _text(event.get("summary", ""), 255))
        with transaction.atomic():
            answered = apply_reply(event, by=by)
        if answered is None:
            result.reason = _("No meeting of yours has this event's UID and attendee.")
        else:
            meeting, attendee = answered
            result.outcome, result.activity_id = "updated", meeting.pk
            result.summary = result.summary or meeting.subject
            result.warnings.append(
                _("%(who)s: %(answer)s") % {"who": attendee.email, "answer": attendee.get_attendance_display()}
            )
        results.append(result)
    return ImportReport(results)
