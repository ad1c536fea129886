"""Recurring meetings expanded into their occurrences when read (RFC 5545 §3.8.5).

A recurring meeting is stored once, at its first occurrence: ``rrule`` holds the RRULE value
(``FREQ=WEEKLY;BYDAY=MO;UNTIL=20300101T000000Z``), ``rdates`` and ``exdates`` ISO strings (an
aware date-time, or a plain date for a whole-day series), ``time_zone`` the IANA zone the rule
runs in (blank: the current zone). An instance that was moved, changed or cancelled is its own row
with ``series`` pointing at the series and ``recurrence_id`` the original start it replaces; a
cancelled instance is such a row with status ``cancelled``.

How to call it::

    from modules.activities.services.recurrence import expand, recurring_or_in_range

    rows = visible_activities(user).filter(recurring_or_in_range(start, end), assignee=user)
    for occurrence in expand(rows, start=start, end=end):
        occurrence.activity        # the row whose subject, place, attendees… the occurrence shows
        occurrence.start, occurrence.end          # aware datetimes of this occurrence
        occurrence.recurrence_id   # its original start within the series (None: not recurring)

``expand`` returns the occurrences overlapping [start, end) sorted by start: plain meetings as
they are, each series' generated instances (less its EXDATEs and its overridden instances) and the
override rows themselves, whose data wins over the series'. It runs one query for all the series
it is given (their overridden instances). Times follow the series' zone on the wall clock, so a
09:00 meeting stays at 09:00 across a DST change, and a time in a DST gap moves forward by the
gap's length as RFC 5545 §3.3.5 says. ``occurrences_of`` expands one series and ``instance_starts``
gives the bare start times, for callers (calendar sync) that hold no saved rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule
from django.db.models import Q
from django.utils import timezone

from core.input_bounds import in_window
from modules.activities.models import Activity

# A series expands to at most this many instances in one window: a minutely rule cannot make one
# calendar request build millions of events.
MAX_INSTANCES_PER_WINDOW = 1000


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a meeting in a window; ``activity`` is the row holding its details."""

    activity: Activity
    start: datetime
    end: datetime | None
    recurrence_id: datetime | None = None

    @property
    def is_instance(self) -> bool:
        """True for a generated instance of a series (not a row of its own)."""
        return self.recurrence_id is not None and self.activity.series_id is None


def is_recurring(activity: Activity) -> bool:
    return activity.series_id is None and bool(activity.rrule or activity.rdates)


def recurring_or_in_range(start: datetime, end: datetime) -> Q:
    """Rows that may have an occurrence in [start, end): dated rows overlapping it, and every series
    that starts before its end (its instances are found by ``expand``)."""
    overlapping = (Q(due_at__gte=start) | Q(ends_at__gt=start)) & Q(due_at__lt=end) & in_window("ends_at")
    return (overlapping | (series_rows() & Q(due_at__lt=end))) & in_window("due_at")


def series_rows() -> Q:
    """Rows that are recurring series (a rule or extra dates, not an override)."""
    return Q(series__isnull=True) & (~Q(rrule="") | ~Q(rdates=[]))


def zone_of_series(activity: Activity) -> tzinfo:
    """The zone the rule runs in: the stored IANA name, else the current zone."""
    if activity.time_zone:
        try:
            return ZoneInfo(activity.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.get_current_timezone()


def parse_moment(value: str, zone: tzinfo) -> datetime | None:
    """An RDATE/EXDATE as stored (ISO date-time, or date for a whole day) as an aware datetime; a
    naive date-time is wall-clock time in ``zone``. None when it cannot be read."""
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time.min, tzinfo=zone)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def _same_instant(value: datetime) -> datetime:
    """Comparable key: the UTC instant, to the second."""
    return value.astimezone(UTC).replace(microsecond=0)


def _rule(text: str, first: datetime) -> rrule.rrule | rrule.rruleset | None:
    """The RRULE from ``first`` (aware, in the series' zone); a rule whose UNTIL has no zone is read
    on the wall clock. None when the rule cannot be read."""
    try:
        return rrule.rrulestr(text, dtstart=first, ignoretz=False)
    except ValueError:
        try:  # UNTIL given without Z (floating or a date): read the rule in wall-clock time
            naive = rrule.rrulestr(text, dtstart=first.replace(tzinfo=None))
        except (ValueError, TypeError, OverflowError):
            return None
        zone = first.tzinfo
        return _WallClockRule(naive, zone) if zone is not None else None
    except (TypeError, OverflowError):
        return None


class _WallClockRule:
    """A naive dateutil rule whose instances are placed in ``zone``."""

    def __init__(self, rule: rrule.rrule | rrule.rruleset, zone: tzinfo) -> None:
        self.rule, self.zone = rule, zone

    def between(self, after: datetime, before: datetime, inc: bool = False) -> list[datetime]:
        naive_after = after.astimezone(self.zone).replace(tzinfo=None) - timedelta(days=1)
        naive_before = before.astimezone(self.zone).replace(tzinfo=None) + timedelta(days=1)
        found = (value.replace(tzinfo=self.zone) for value in self.rule.between(naive_after, naive_before, inc=True))
        return [value for value in found if after <= value <= before]


def _normalised(value: datetime) -> datetime:
    """A wall-clock time in a DST gap moves forward by the gap (RFC 5545 §3.3.5), once through UTC."""
    return value.astimezone(UTC).astimezone(value.tzinfo)


def instance_starts(activity: Activity, *, start: datetime, end: datetime) -> list[datetime]:
    """Original start times of a series' instances that may overlap [start, end) (RRULE and RDATE,
    less EXDATE; overrides not applied), aware in the series' zone."""
    if activity.due_at is None:
        return []
    zone = zone_of_series(activity)
    first = activity.due_at.astimezone(zone)
    length = (activity.ends_at - activity.due_at) if activity.ends_at else timedelta(0)
    after = start - length - timedelta(seconds=1)  # an instance started earlier may still run
    starts: dict[datetime, datetime] = {}
    rule = _rule(activity.rrule, first) if activity.rrule else None
    if rule is not None:
        for value in _take(_between(rule, after, end)):
            starts[_same_instant(value)] = value
    else:
        starts[_same_instant(first)] = first  # RDATEs alone: the first start is an instance too
    for text in activity.rdates or ():
        extra = parse_moment(str(text), zone)
        if extra is not None and after <= extra < end:
            starts[_same_instant(extra)] = extra
    excluded = _excluded(activity)
    kept = (_normalised(value) for key, value in sorted(starts.items()) if key not in excluded)
    return [value for value in kept if value < end and (value + length > start or value >= start)]


def starts_between(activity: Activity, *, start: datetime, end: datetime, limit: int) -> list[datetime] | None:
    """Original start times of a series' instances that start in [start, end) (RRULE and RDATE;
    EXDATE not applied), aware in the series' zone; None when there are more than ``limit`` (for
    callers, like calendar sync, that need every one of them over a long window)."""
    if activity.due_at is None:
        return []
    zone = zone_of_series(activity)
    first = activity.due_at.astimezone(zone)
    starts: dict[datetime, datetime] = {}
    rule = _rule(activity.rrule, first) if activity.rrule else None
    if rule is not None:
        for count, value in enumerate(_between(rule, start - timedelta(hours=3), end)):
            if count >= limit:
                return None
            starts[_same_instant(value)] = value
    else:
        starts[_same_instant(first)] = first
    for text in activity.rdates or ():
        extra = parse_moment(str(text), zone)
        if extra is not None and start <= extra < end:
            starts[_same_instant(extra)] = extra
    kept = (_normalised(value) for _key, value in sorted(starts.items()))
    return [value for value in kept if start <= value < end]


def _between(rule: rrule.rrule | rrule.rruleset | _WallClockRule, after: datetime, end: datetime) -> Iterator[datetime]:
    for value in rule.between(after, end, inc=True):
        if value < end:
            yield value


def _take(values: Iterable[datetime]) -> Iterator[datetime]:
    for count, value in enumerate(values):
        if count >= MAX_INSTANCES_PER_WINDOW:
            return
        yield value


def _excluded(activity: Activity) -> set[datetime]:
    return {_same_instant(value) for value in excluded_starts(activity)}


def exdate_text(activity: Activity, original: datetime) -> str:
    """How a series stores an excluded instance: its start in the series' zone (a date for a
    whole-day series), as calendars' EXDATEs are read back."""
    local = original.astimezone(zone_of_series(activity))
    return local.date().isoformat() if activity.all_day else local.isoformat()


def excluded_starts(activity: Activity) -> list[datetime]:
    """The series' EXDATEs as aware instants (a date names that day's instance)."""
    zone = zone_of_series(activity)
    found = []
    for text in activity.exdates or ():
        value = parse_moment(str(text), zone)
        if value is None:
            continue
        if len(str(text)) == 10 and activity.due_at is not None:
            value = datetime.combine(value.date(), activity.due_at.astimezone(zone).time(), tzinfo=zone)
        found.append(value)
    return found


def occurrences_of(
    activity: Activity, *, start: datetime, end: datetime, overridden: Iterable[datetime] = ()
) -> list[Occurrence]:
    """The instances of one series in [start, end), less those in ``overridden`` (recurrence ids of
    its override rows, which the caller shows instead)."""
    skip = {_same_instant(value) for value in overridden}
    length = (activity.ends_at - activity.due_at) if activity.ends_at and activity.due_at else None
    return [
        Occurrence(activity, value, value + length if length is not None else None, recurrence_id=value)
        for value in instance_starts(activity, start=start, end=end)
        if _same_instant(value) not in skip
    ]


def _overlaps(activity: Activity, start: datetime, end: datetime) -> bool:
    if activity.due_at is None:
        return False
    finish = activity.ends_at or activity.due_at
    return activity.due_at < end and (finish > start or activity.due_at >= start)


def expand(activities: Iterable[Activity], *, start: datetime, end: datetime) -> list[Occurrence]:
    """Every occurrence of ``activities`` overlapping [start, end), sorted by start (see the module)."""
    rows = list(activities)
    series_ids = [row.pk for row in rows if is_recurring(row)]
    overridden: dict[int, list[datetime]] = {}
    if series_ids:
        pairs = Activity.objects.filter(series_id__in=series_ids, recurrence_id__isnull=False)
        for series_id, recurrence_id in pairs.values_list("series_id", "recurrence_id"):
            overridden.setdefault(series_id, []).append(recurrence_id)
    found: list[Occurrence] = []
    for row in rows:
        if is_recurring(row):
            found.extend(occurrences_of(row, start=start, end=end, overridden=overridden.get(row.pk, ())))
        elif row.due_at is not None and _overlaps(row, start, end):
            found.append(Occurrence(row, row.due_at, row.ends_at, recurrence_id=row.recurrence_id))
    found.sort(key=lambda occurrence: (occurrence.start, occurrence.activity.pk))
    return found
