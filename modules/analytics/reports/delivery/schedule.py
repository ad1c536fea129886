"""When a subscription is due: the wall-clock hour in the tenant's time zone on the days its
frequency names. On a day the clocks skip that hour, the occurrence is the moment the zone gives for
it (zoneinfo's fold rule); a monthly day past the month's end is the month's last day."""

from __future__ import annotations

import calendar
import zoneinfo
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.db import connection

from modules.analytics.reports.choices import Frequency

SEARCH_DAYS = 62  # a monthly day is always found within two months
MAX_CATCH_UP = 400  # occurrences walked over after an outage, at most (over a year of days)


def tenant_zone() -> zoneinfo.ZoneInfo:
    name = getattr(getattr(connection, "tenant", None), "time_zone", "") or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _runs_on(day: datetime, frequency: str, weekday: int | None, day_of_month: int | None) -> bool:
    if frequency == Frequency.DAILY:
        return True
    if frequency == Frequency.WEEKLY:
        return day.weekday() == weekday
    last = calendar.monthrange(day.year, day.month)[1]
    return day.day == min(day_of_month or 1, last)


def next_after(
    moment: datetime, *, frequency: str, hour: int, weekday: int | None = None, day_of_month: int | None = None,
    zone: zoneinfo.ZoneInfo | None = None,
) -> datetime:  # fmt: skip
    """The first occurrence strictly after ``moment`` (an aware datetime, returned in UTC)."""
    zone = zone or tenant_zone()
    # Compared in UTC: two datetimes of the same zone compare by wall clock, which a repeated hour
    # in autumn would make ambiguous.
    moment = moment.astimezone(UTC)
    start = moment.astimezone(zone).date()
    for offset in range(SEARCH_DAYS):
        day = start + timedelta(days=offset)
        local = datetime.combine(day, time(hour), tzinfo=zone)
        if _runs_on(local, frequency, weekday, day_of_month) and local > moment:
            return local.astimezone(UTC)
    raise ValueError("no occurrence found")  # unreachable for a valid schedule


def latest_due(
    first: datetime, now: datetime, *, frequency: str, hour: int, weekday: int | None = None,
    day_of_month: int | None = None, zone: zoneinfo.ZoneInfo | None = None,
) -> datetime:  # fmt: skip
    """The latest occurrence at or before ``now``, starting from the due ``first``: after an outage
    one copy of the newest occurrence is sent, not one per missed day."""
    zone = zone or tenant_zone()
    occurrence = first
    for _step in range(MAX_CATCH_UP):
        following = next_after(
            occurrence, frequency=frequency, hour=hour, weekday=weekday, day_of_month=day_of_month, zone=zone
        )
        if following > now:
            break
        occurrence = following
    return occurrence
