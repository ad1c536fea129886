"""Microsoft Graph events read into meeting values, and meetings written as Graph events.

Times are asked and written in UTC (``Prefer: outlook.timezone="UTC"``); whole-day events are
dates with an exclusive end (the day after), as in iCalendar. A series (``seriesMaster``) keeps its
recurrence as an RRULE: Graph's patterns (daily, weekly, absolute and relative monthly and
yearly) and ranges (end date, number of occurrences, no end) map one to one onto RRULE parts; a
meeting's RRULE that Graph cannot express (e.g. BYSETPOS) is written as the nearest pattern Graph
has, its extra occurrences deleted there (``graph_patterns``). A changed or cancelled instance
(``exception``) is an override keyed by its ``originalStart``."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core.input_bounds import moment_problem, without_control_characters
from modules.activities.calendar_sync.services.events import (
    DEFAULT_LENGTH,
    CalendarObject,
    EventValues,
    UnreadableEvent,
)
from modules.activities.calendar_sync.services.graph_patterns import NearestPattern
from modules.activities.calendar_sync.services.provider_attendees import graph_attendees, graph_invitees
from modules.activities.models import Activity
from modules.activities.services.recurrence import exdate_text, instance_starts
from modules.collaboration.sanitize import plain_text

DAYS = {
    "monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH", "friday": "FR", "saturday": "SA",
    "sunday": "SU",
}  # fmt: skip
GRAPH_DAYS = {code: name for name, code in DAYS.items()}
INDEXES = {"first": "1", "second": "2", "third": "3", "fourth": "4", "last": "-1"}
GRAPH_INDEXES = {code: name for name, code in INDEXES.items()}


def _zone(name: str) -> tzinfo:
    if not name or name == "UTC":
        return UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def parse_moment(value: Any) -> datetime:
    """A Graph ``dateTimeTimeZone`` (or an ISO 8601 text) as an aware datetime."""
    try:
        if isinstance(value, dict):
            text = str(value.get("dateTime", ""))
            zone = _zone(str(value.get("timeZone", "") or "UTC"))
        else:
            text, zone = str(value), UTC
        text = text.replace("Z", "+00:00")
        head, _dot, rest = text.partition(".")
        offset = ""
        for sign in ("+", "-"):
            if sign in rest:
                offset = sign + rest.split(sign, 1)[1]
        moment = datetime.fromisoformat(head + offset)
    except (TypeError, ValueError) as error:
        raise UnreadableEvent(_("The event has no valid start.")) from error
    problem = moment_problem(moment)
    if problem:
        raise UnreadableEvent(problem)
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=zone)


def _text(value: Any, limit: int) -> str:
    return without_control_characters(str(value or "")).strip()[:limit]


def _body(item: dict[str, Any]) -> str:
    found = item.get("body")
    body: dict[str, Any] = found if isinstance(found, dict) else {}
    content = str(body.get("content", "") or "")
    if str(body.get("contentType", "")).lower() == "html":
        content = plain_text(content)
    return _text(content, 10_000)


def recurrence_to_rrule(recurrence: Any) -> str:
    if not isinstance(recurrence, dict):
        return ""
    pattern = recurrence.get("pattern") or {}
    span = recurrence.get("range") or {}
    kind = str(pattern.get("type", ""))
    interval = int(pattern.get("interval") or 1)
    days = [DAYS[d] for d in pattern.get("daysOfWeek") or [] if d in DAYS]
    index = INDEXES.get(str(pattern.get("index", "first")), "1")
    parts: list[str]
    if kind == "daily":
        parts = ["FREQ=DAILY"]
    elif kind == "weekly":
        parts = ["FREQ=WEEKLY", *([f"BYDAY={','.join(days)}"] if days else [])]
    elif kind == "absoluteMonthly":
        parts = ["FREQ=MONTHLY", f"BYMONTHDAY={int(pattern.get('dayOfMonth') or 1)}"]
    elif kind == "relativeMonthly":
        parts = ["FREQ=MONTHLY", f"BYDAY={','.join(index + d for d in days)}"]
    elif kind == "absoluteYearly":
        parts = [
            "FREQ=YEARLY",
            f"BYMONTH={int(pattern.get('month') or 1)}",
            f"BYMONTHDAY={int(pattern.get('dayOfMonth') or 1)}",
        ]
    elif kind == "relativeYearly":
        parts = [
            "FREQ=YEARLY",
            f"BYMONTH={int(pattern.get('month') or 1)}",
            f"BYDAY={','.join(index + d for d in days)}",
        ]
    else:
        return ""
    if interval > 1:
        parts.insert(1, f"INTERVAL={interval}")
    if span.get("type") == "numbered" and span.get("numberOfOccurrences"):
        parts.append(f"COUNT={int(span['numberOfOccurrences'])}")
    elif span.get("type") == "endDate" and span.get("endDate"):
        end = date.fromisoformat(str(span["endDate"])[:10])
        parts.append(f"UNTIL={end:%Y%m%d}T235959Z")
    return ";".join(parts)


def rrule_to_recurrence(rrule: str, start: datetime, zone_name: str) -> dict[str, Any] | None:
    """Graph's ``patternedRecurrence`` for an RRULE, or None when Graph cannot express it."""
    parts = dict(part.split("=", 1) for part in rrule.removeprefix("RRULE:").split(";") if "=" in part)
    known = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "COUNT", "UNTIL", "WKST"}
    if not parts or set(parts) - known:
        return None
    local = start.astimezone(_zone(zone_name))
    interval = int(parts.get("INTERVAL", "1")) if parts.get("INTERVAL", "1").isdigit() else 1
    by_day = [d for d in parts.get("BYDAY", "").split(",") if d]
    frequency = parts.get("FREQ", "")
    pattern: dict[str, Any] = {"interval": interval}
    if frequency == "DAILY" and not by_day:
        pattern["type"] = "daily"
    elif frequency == "WEEKLY":
        codes = by_day or [list(DAYS.values())[local.weekday()]]
        if any(code not in GRAPH_DAYS for code in codes):
            return None
        pattern.update(type="weekly", daysOfWeek=[GRAPH_DAYS[c] for c in codes], firstDayOfWeek="monday")
    elif frequency == "MONTHLY" and not by_day:
        pattern.update(type="absoluteMonthly", dayOfMonth=int(parts.get("BYMONTHDAY", local.day)))
    elif frequency == "MONTHLY" and len(by_day) == 1 and by_day[0][:-2] in GRAPH_INDEXES:
        code = by_day[0]
        pattern.update(type="relativeMonthly", daysOfWeek=[GRAPH_DAYS[code[-2:]]], index=GRAPH_INDEXES[code[:-2]])
    elif frequency == "YEARLY" and not by_day:
        pattern.update(
            type="absoluteYearly", month=int(parts.get("BYMONTH", local.month)),
            dayOfMonth=int(parts.get("BYMONTHDAY", local.day)),
        )  # fmt: skip
    else:
        return None
    span: dict[str, Any] = {"startDate": local.date().isoformat(), "recurrenceTimeZone": zone_name or "UTC"}
    if parts.get("COUNT", "").isdigit():
        span.update(type="numbered", numberOfOccurrences=int(parts["COUNT"]))
    elif parts.get("UNTIL"):
        span.update(type="endDate", endDate=f"{parts['UNTIL'][:4]}-{parts['UNTIL'][4:6]}-{parts['UNTIL'][6:8]}")
    else:
        span["type"] = "noEnd"
    return {"pattern": pattern, "range": span}


def event_values(item: dict[str, Any], zone: tzinfo) -> EventValues:
    all_day = bool(item.get("isAllDay"))
    start = parse_moment(item.get("start"))
    end = parse_moment(item.get("end")) if item.get("end") else start
    if all_day:  # a date: midnight of that day here, the exclusive end made inclusive
        start = timezone.make_aware(datetime.combine(start.date(), time.min), zone)
        end = timezone.make_aware(datetime.combine(end.date(), time.min), zone) - timedelta(days=1)
    end = max(end, start)
    found = item.get("location")
    location: dict[str, Any] = found if isinstance(found, dict) else {}
    recurrence = item.get("recurrence")
    zone_name = ""
    if isinstance(recurrence, dict):
        zone_name = str((recurrence.get("range") or {}).get("recurrenceTimeZone", "") or "")
    original = item.get("originalStart")
    modified = item.get("lastModifiedDateTime")
    return EventValues(
        values={
            "subject": _text(item.get("subject"), 255) or _("(no subject)"),
            "body": _body(item),
            "location": _text(location.get("displayName"), 255),
            "due_at": start,
            "ends_at": end,
            "all_day": all_day,
            "cancelled": bool(item.get("isCancelled")),
        },
        calendar_fields={
            "rrule": recurrence_to_rrule(recurrence),
            "rdates": [],
            "exdates": [],
            "time_zone": zone_name if zone_name and (zone_name == "UTC" or _zone(zone_name) is not UTC) else "",
            "ical_sequence": 0,
        },
        recurrence_id=parse_moment(original) if original else None,
        last_modified=parse_moment(modified) if modified else None,
        attendees=graph_invitees(item),
    )


def event_object(
    item: dict[str, Any],
    zone: tzinfo,
    exceptions: list[dict[str, Any]] | None = None,
    *,
    listed: tuple[list[str], dict[str, str]] | None = None,
) -> CalendarObject:
    """A single event, or a series master with its changed instances; ``listed`` (the original
    starts ``/instances`` gave over a window) makes the occurrences missing from it EXDATEs."""
    uid = _text(item.get("iCalUId") or item.get("id"), 255)
    if not uid:
        raise UnreadableEvent(_("The event has no UID."))
    overrides = []
    for exception in exceptions or []:
        if exception.get("originalStart"):
            overrides.append(event_values(exception, zone))
    master = event_values(item, zone)
    if listed is not None and master.calendar_fields["rrule"]:
        master.calendar_fields["exdates"] = _deleted_occurrences(master, *listed)
    return CalendarObject(uid=uid, master=master, overrides=overrides)


def instant(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def _deleted_occurrences(master: EventValues, starts: list[str], window: dict[str, str]) -> list[str]:
    probe = Activity(
        due_at=master.values["due_at"], ends_at=master.values["ends_at"], all_day=master.values["all_day"],
        rrule=master.calendar_fields["rrule"], time_zone=master.calendar_fields["time_zone"],
    )  # fmt: skip
    present = {instant(parse_moment(text)) for text in starts}
    low, high = parse_moment(window["startDateTime"]), parse_moment(window["endDateTime"])
    expected = instance_starts(probe, start=low, end=high)
    return sorted(exdate_text(probe, moment) for moment in expected if instant(moment) not in present)


def _graph_time(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


def activity_event(
    activity: Activity, segment: NearestPattern | None = None, *, attendees: bool = True
) -> dict[str, Any]:
    """The Graph event of a meeting: its series' recurrence when Graph can express it, else the
    nearest pattern ``segment`` starting on that segment's first day; with its attendees only when
    ``attendees`` (a meeting organised elsewhere is written without them, so Exchange invites
    nobody: see ``graph.writes_attendees``)."""
    start = activity.due_at or activity.created_at
    body: dict[str, Any] = {
        "subject": activity.subject,
        "body": {"contentType": "text", "content": activity.body or ""},
        "location": {"displayName": activity.location or ""},
        "isAllDay": activity.all_day,
    }
    if attendees:
        body["attendees"] = graph_attendees(activity)
    if activity.all_day:
        first = timezone.localdate(start)
        last = timezone.localdate(activity.ends_at) if activity.ends_at else first
        body.update(_whole_days(first, last))
    else:
        body["start"] = _graph_time(start)
        body["end"] = _graph_time(activity.ends_at or start + DEFAULT_LENGTH)
    if activity.rrule.strip():
        recurrence = rrule_to_recurrence(activity.rrule.strip(), start, activity.time_zone)
        if recurrence is None and segment is not None:
            recurrence = segment.recurrence
            body.update(_segment_times(activity, segment))
        if recurrence is not None:
            body["recurrence"] = recurrence
    return body


def _whole_days(first: date, last: date) -> dict[str, dict[str, str]]:
    return {
        "start": {"dateTime": f"{first.isoformat()}T00:00:00", "timeZone": "UTC"},
        "end": {"dateTime": f"{(last + timedelta(days=1)).isoformat()}T00:00:00", "timeZone": "UTC"},
    }


def _segment_times(activity: Activity, segment: NearestPattern) -> dict[str, dict[str, str]]:
    """Start and end of a segment's first instance (the series' length kept)."""
    start = activity.due_at or activity.created_at
    if activity.all_day:
        days = (timezone.localdate(activity.ends_at) - timezone.localdate(start)).days if activity.ends_at else 0
        first = segment.first_start.date()
        return _whole_days(first, first + timedelta(days=max(days, 0)))
    length = (activity.ends_at or start + DEFAULT_LENGTH) - start
    return {"start": _graph_time(segment.first_start), "end": _graph_time(segment.first_start + length)}
