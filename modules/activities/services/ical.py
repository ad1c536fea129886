"""iCalendar: a user's secret feed of their activities (importing files: ``ics_import``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import vobject
from dateutil import tz
from django.db import transaction
from django.utils import timezone

from identity.models import User
from modules.activities.choices import ActivityKind, ActivityStatus
from modules.activities.models import Activity, CalendarFeed
from modules.activities.models.notification import new_feed_token
from modules.activities.services.recurrence import parse_moment, zone_of_series

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


def feed_uid(activity: Activity, uid_domain: str) -> str:
    """The UID a meeting is published under: its calendar UID, else one made from its id (which an
    import of the feed on the same host recognises). An override shares its series' UID."""
    if activity.series_id is not None and activity.series is not None:
        return feed_uid(activity.series, uid_domain)
    return activity.ical_uid or f"activity-{activity.pk}@{uid_domain}"


def build_feed(activities: Iterable[Activity], *, calendar_name: str, uid_domain: str) -> str:
    """Meetings and activities with an end become VEVENTs; the rest VTODOs with their due time.

    A recurring meeting is one VEVENT with its RRULE/RDATE/EXDATE in its own zone, each override a
    VEVENT with the series' UID and a RECURRENCE-ID, so calendar apps expand the series themselves."""
    calendar = vobject.iCalendar()
    calendar.add("prodid").value = "-//Relata//Activities//EN"
    calendar.add("x-wr-calname").value = calendar_name
    for activity in activities:
        add_component(calendar, activity, uid_domain=uid_domain)
    return str(calendar.serialize())


def add_component(calendar: Any, activity: Activity, *, uid_domain: str) -> Any:
    """Add ``activity`` to a vobject calendar as a VEVENT (with its recurrence) or VTODO; returns it."""
    component = calendar.add("vevent" if _is_event(activity) else "vtodo")
    component.add("uid").value = feed_uid(activity, uid_domain)
    component.add("dtstamp").value = _utc(activity.updated_at)
    component.add("summary").value = activity.subject
    if activity.body:
        component.add("description").value = activity.body
    if activity.location:
        component.add("location").value = activity.location
    if component.name == "VEVENT":
        _event_times(component, activity)
        component.add("status").value = "CANCELLED" if activity.status == ActivityStatus.CANCELLED else "CONFIRMED"
        _recurrence(component, activity)
    else:
        if activity.due_at is not None:
            component.add("due").value = (
                timezone.localdate(activity.due_at) if activity.all_day else _utc(activity.due_at)
            )
        component.add("status").value = TODO_STATUS[ActivityStatus(activity.status)]
        if activity.completed_at is not None:
            component.add("completed").value = _utc(activity.completed_at)
    return component


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


def _named_zone(name: str) -> Any:
    """The zone as vobject writes it: TZID the IANA name, with a VTIMEZONE built from its rules."""
    zone = tz.gettz(name) if name else None
    if zone is not None:
        zone.tzid = name  # vobject names the VTIMEZONE after ``tzid`` when a zone has one
    return zone


def _series_zone(activity: Activity) -> Any:
    if activity.series_id is not None and activity.series is not None:
        return _series_zone(activity.series)
    return _named_zone(activity.time_zone) if (activity.rrule or activity.rdates) else None


def _recurrence(component: Any, activity: Activity) -> None:
    zone = _series_zone(activity)
    if activity.series_id is None and (activity.rrule or activity.rdates):
        moments = _moments(activity)
        if activity.rrule:
            component.add("rrule").value = activity.rrule
        if rdates := moments(activity.rdates):
            component.add("rdate").value = rdates
        if exdates := moments(activity.exdates):
            component.add("exdate").value = exdates
        if zone is not None and activity.due_at is not None and not activity.all_day:
            component.dtstart.value = activity.due_at.astimezone(zone)
            component.dtend.value = (activity.ends_at or activity.due_at + timedelta(minutes=30)).astimezone(zone)
    elif activity.series_id is not None and activity.recurrence_id is not None:
        original = activity.recurrence_id
        series_all_day = activity.series.all_day if activity.series is not None else activity.all_day
        if series_all_day:
            component.add("recurrence-id").value = timezone.localdate(original)
        else:
            component.add("recurrence-id").value = original.astimezone(zone) if zone is not None else _utc(original)


def _moments(activity: Activity) -> Any:
    series_zone = zone_of_series(activity)

    def read(values: list[str]) -> list[Any]:
        found = [value for text in values or () if (value := parse_moment(str(text), series_zone)) is not None]
        return [value.date() for value in found] if activity.all_day else [_utc(value) for value in found]

    return read
