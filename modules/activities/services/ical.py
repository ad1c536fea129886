"""iCalendar: a user's secret feed of their activities, and importing meetings from an .ics file."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

import vobject
from dateutil import tz
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.input_bounds import duration_problem, moment_problem, without_control_characters
from identity.models import User
from modules.activities.choices import ActivityKind, ActivityStatus
from modules.activities.models import Activity, CalendarFeed
from modules.activities.models.notification import new_feed_token
from modules.activities.services.activities import create_activity

MAX_IMPORT_BYTES = 1_000_000
MAX_IMPORT_EVENTS = 500
TODO_STATUS = {
    ActivityStatus.OPEN: "NEEDS-ACTION",
    ActivityStatus.DONE: "COMPLETED",
    ActivityStatus.CANCELLED: "CANCELLED",
}


def feed_for(user: User) -> CalendarFeed:
    """The user's feed, created on first use."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def reset_feed(user: User) -> CalendarFeed:
    """A new secret token: the old feed URL stops working at once."""
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
        if not created:
            feed.token = new_feed_token()
            feed.save(update_fields=["token"])
    return feed


def _utc(value: datetime) -> datetime:
    """vobject writes times in its own UTC zone object (``...Z``), not the standard library's."""
    return value.astimezone(tz.UTC)


def _is_event(activity: Activity) -> bool:
    return activity.kind == ActivityKind.MEETING or activity.ends_at is not None


def build_feed(activities: Iterable[Activity], *, calendar_name: str, uid_domain: str) -> str:
    """Meetings and activities with an end become VEVENTs; the rest VTODOs with their due time."""
    calendar = vobject.iCalendar()
    calendar.add("prodid").value = "-//Relata//Activities//EN"
    calendar.add("x-wr-calname").value = calendar_name
    for activity in activities:
        component = calendar.add("vevent" if _is_event(activity) else "vtodo")
        component.add("uid").value = f"activity-{activity.pk}@{uid_domain}"
        component.add("dtstamp").value = _utc(activity.updated_at)
        component.add("summary").value = activity.subject
        if activity.body:
            component.add("description").value = activity.body
        if activity.location:
            component.add("location").value = activity.location
        if component.name == "VEVENT":
            _event_times(component, activity)
            component.add("status").value = "CANCELLED" if activity.status == ActivityStatus.CANCELLED else "CONFIRMED"
        else:
            if activity.due_at is not None:
                component.add("due").value = (
                    timezone.localdate(activity.due_at) if activity.all_day else _utc(activity.due_at)
                )
            component.add("status").value = TODO_STATUS[ActivityStatus(activity.status)]
            if activity.completed_at is not None:
                component.add("completed").value = _utc(activity.completed_at)
    return str(calendar.serialize())


def _event_times(component: Any, activity: Activity) -> None:
    start = activity.due_at or activity.created_at  # feeds list dated activities only
    if activity.all_day:
        first = timezone.localdate(start)
        last = timezone.localdate(activity.ends_at) if activity.ends_at else first
        component.add("dtstart").value = first
        component.add("dtend").value = last + timedelta(days=1)
    else:
        component.add("dtstart").value = _utc(start)
        component.add("dtend").value = _utc(activity.ends_at or start + timedelta(minutes=30))


def _aware(value: date | datetime) -> tuple[datetime, bool]:
    """An iCalendar time as an aware datetime in the current zone, and whether it was a whole day."""
    if isinstance(value, datetime):
        return (value if timezone.is_aware(value) else timezone.make_aware(value)), False
    return timezone.make_aware(datetime.combine(value, time.min)), True


def _error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _parse(data: bytes) -> list[Any]:
    if len(data) > MAX_IMPORT_BYTES:
        raise _error(_("The file is larger than 1 MB."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _error(_("The file is not UTF-8 text.")) from error
    try:
        components = list(vobject.readComponents(text))
    except Exception as error:  # vobject raises several unrelated types on malformed input
        raise _error(_("This is not a valid iCalendar file.")) from error
    events = [
        event
        for component in components
        if component.name == "VCALENDAR"
        for event in component.contents.get("vevent", [])
    ]
    if not components or any(component.name != "VCALENDAR" for component in components):
        raise _error(_("This is not a valid iCalendar file."))
    if not events:
        raise _error(_("The file holds no events."))
    if len(events) > MAX_IMPORT_EVENTS:
        raise _error(_("The file holds more than %(count)d events.") % {"count": MAX_IMPORT_EVENTS})
    return events


def _file_text(value: Any) -> str:
    """Text of another program's file: control characters it may hold are dropped (see core.input_bounds)."""
    return without_control_characters(str(value))


def _moment(event: Any, name: str, number: int) -> tuple[datetime, bool]:
    value = getattr(event, name).value
    problem = moment_problem(value) if isinstance(value, date) else None
    if problem:
        raise _error(_property_problem(number, name, problem))
    return _aware(value)


def _property_problem(number: int, name: str, problem: str) -> str:
    return _("Event %(number)d, %(property)s: %(problem)s") % {
        "number": number, "property": name.upper(), "problem": problem,
    }  # fmt: skip


def _event_values(event: Any, number: int) -> dict[str, Any]:
    contents = event.contents
    try:
        subject = _file_text(event.summary.value).strip() if "summary" in contents else ""
        start, all_day = _moment(event, "dtstart", number)
        if "dtend" in contents:
            end, _whole_day = _moment(event, "dtend", number)
            if all_day:
                end -= timedelta(days=1)  # DTEND of a whole-day event is the day after
        elif "duration" in contents:
            duration = event.duration.value
            problem = duration_problem(duration) if isinstance(duration, timedelta) else None
            if problem:
                raise _error(_property_problem(number, "duration", problem))
            end = start + duration
        else:
            end = start
    except (AttributeError, TypeError, ValueError, OverflowError) as error:
        raise _error(_("Event %(number)d has no valid start.") % {"number": number}) from error
    return {
        "kind": ActivityKind.MEETING,
        "subject": subject[:255] or _("(no subject)"),
        "body": _file_text(event.description.value) if "description" in contents else "",
        "location": _file_text(event.location.value)[:255] if "location" in contents else "",
        "due_at": start,
        "ends_at": end,
        "all_day": all_day,
    }


def import_events(data: bytes, *, by: User) -> list[Activity]:
    """Create a meeting for each VEVENT in ``data``, assigned to ``by``; all of them or none.

    Errors are raised as a ValidationError on ``file`` that says what is wrong."""
    events = _parse(data)
    values = [_event_values(event, number) for number, event in enumerate(events, start=1)]
    created = []
    with transaction.atomic():
        for number, event_values in enumerate(values, start=1):
            try:
                created.append(create_activity(by=by, assignee=by, **event_values))
            except ValidationError as error:
                detail = "; ".join(error.messages)
                raise _error(_("Event %(number)d: %(detail)s") % {"number": number, "detail": detail}) from error
    return created
