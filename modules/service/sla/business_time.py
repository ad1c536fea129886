"""Business-time arithmetic: pure functions over a ``Schedule`` (no database, no Django).

A schedule is a time zone, working intervals per weekday in wall-clock minutes, and holidays (days
without working time). Each working day's intervals become real instants in UTC, and business time
is the real time that passes inside them, so the DST changes come out right: on Europe/Berlin's
spring-forward day an interval 01:00–04:00 holds two hours, on the fall-back day three. Wall-clock
times that do not exist (the skipped hour) map to the moment the clock jumps; times that exist
twice (the repeated hour) to their first occurrence, so an interval's instants never run backwards.

Intervals do not cross midnight (``validate_week`` refuses them), and a schedule without any working
time is refused, so ``add_business_time`` always ends.
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
# How far the arithmetic looks for working time before giving up: a schedule whose holidays cover
# every working day of ten years has none left to count.
MAX_SEARCH_DAYS = 3660

Interval = tuple[int, int]  # (start minute, end minute) of a local day; 0 <= start < end <= 1440
Week = tuple[tuple[Interval, ...], ...]  # seven entries: Monday .. Sunday


class NoWorkingTime(ValueError):
    """The schedule has no working time (none in its week, or holidays cover it all)."""


class InvalidWeek(ValueError):
    """The working intervals are not usable; ``weekday`` says which day (None: the whole week)."""

    def __init__(self, message: str, weekday: int | None = None) -> None:
        super().__init__(message)
        self.weekday = weekday


def validate_week(week: Week) -> None:
    """Raise ``InvalidWeek`` unless ``week`` is seven days of sorted-able, non-overlapping intervals
    inside their day, with some working time in the week."""
    if len(week) != 7:
        raise InvalidWeek("a week has seven days")
    for weekday, intervals in enumerate(week):
        ordered = sorted(intervals)
        for start, end in ordered:
            if not (0 <= start < MINUTES_PER_DAY and 0 < end <= MINUTES_PER_DAY):
                raise InvalidWeek("an interval lies outside its day", weekday)
            if end <= start:
                raise InvalidWeek("an interval ends before it starts (intervals cannot cross midnight)", weekday)
        for (_start, end), (next_start, _end) in pairwise(ordered):
            if next_start < end:
                raise InvalidWeek("intervals overlap", weekday)
    if not any(week):
        raise InvalidWeek("the week has no working time")


@dataclass(frozen=True)
class Schedule:
    """Working time: ``week[weekday]`` intervals in ``zone``'s wall clock, none on ``holidays``."""

    zone: ZoneInfo
    week: Week
    holidays: Container[date] = frozenset()

    def __post_init__(self) -> None:
        validate_week(self.week)
        object.__setattr__(self, "week", tuple(tuple(sorted(day)) for day in self.week))

    def windows(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working windows of local ``day`` as UTC instants (none on a holiday)."""
        intervals = self.week[day.weekday()]
        if not intervals or day in self.holidays:
            return []
        midnight = datetime(day.year, day.month, day.day)  # noqa: DTZ001 - a wall-clock time, placed below
        windows = []
        for start, end in intervals:
            begins = _instant(midnight + timedelta(minutes=start), self.zone)
            ends = _instant(midnight + timedelta(minutes=end), self.zone)
            if ends > begins:
                windows.append((begins, ends))
        return windows

    def windows_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working windows ending after ``moment``, in order (the first may have begun before it).
        Raises ``NoWorkingTime`` after ``MAX_SEARCH_DAYS`` days without any."""
        day = moment.astimezone(self.zone).date() - timedelta(days=1)
        empty_days = 0
        while True:
            found = False
            for begins, ends in self.windows(day):
                found = True
                if ends > moment:
                    yield begins, ends
            empty_days = 0 if found else empty_days + 1
            if empty_days > MAX_SEARCH_DAYS:
                raise NoWorkingTime("no working time within ten years")
            day += timedelta(days=1)


def _instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of a naive wall-clock time in ``zone``: its first occurrence when it exists
    twice, the moment of the jump when the clock skips it."""
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    # Inside a skipped hour: the jump lies between the instants of the offsets after and before it.
    low = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = first
    if low > high:
        low, high = high, low
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0) if high.microsecond else high


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("business time needs aware datetimes")
    return moment.astimezone(UTC)


def add_business_time(schedule: Schedule, start: datetime, duration: timedelta) -> datetime:
    """The instant at which ``duration`` of working time has passed since ``start``.

    A zero duration gives ``start``; otherwise the answer lies inside (or at the end of) a window."""
    start = _aware(start)
    if duration < timedelta(0):
        raise ValueError("a business duration cannot be negative")
    if duration == timedelta(0):
        return start
    remaining = duration
    for begins, ends in schedule.windows_from(start):
        counted_from = max(begins, start)
        available = ends - counted_from
        if remaining <= available:
            return counted_from + remaining
        remaining -= available
    raise NoWorkingTime("unreachable")  # pragma: no cover - windows_from raises first


def business_time_between(schedule: Schedule, start: datetime, end: datetime) -> timedelta:
    """Working time inside [start, end) (zero when ``end`` is not after ``start``)."""
    start, end = _aware(start), _aware(end)
    total = timedelta(0)
    if end <= start:
        return total
    for begins, ends in schedule.windows_from(start):
        if begins >= end:
            break
        total += min(ends, end) - max(begins, start)
    return total


def add_business_minutes(schedule: Schedule, start: datetime, minutes: int) -> datetime:
    return add_business_time(schedule, start, timedelta(minutes=minutes))


def business_minutes_between(schedule: Schedule, start: datetime, end: datetime) -> int:
    """Whole working minutes inside [start, end)."""
    return int(business_time_between(schedule, start, end).total_seconds() // 60)


def is_working(schedule: Schedule, moment: datetime) -> bool:
    moment = _aware(moment)
    for begins, ends in schedule.windows_from(moment):
        return begins <= moment < ends
    return False  # pragma: no cover
