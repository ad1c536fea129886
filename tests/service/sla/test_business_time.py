"""Business-time arithmetic, property-based across working weeks, holidays, time zones and the DST
changes (Europe/Berlin on 2025-03-30 and 2025-10-26 explicitly)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modules.service.sla.business_time import (
    InvalidWeek,
    NoWorkingTime,
    Schedule,
    add_business_minutes,
    add_business_time,
    business_minutes_between,
    business_time_between,
    is_working,
)

BERLIN = ZoneInfo("Europe/Berlin")
ZONES = [ZoneInfo(name) for name in ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC")]
OFFICE = (((9 * 60, 12 * 60), (13 * 60, 17 * 60)),) * 5 + ((), ())


@st.composite
def days(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    """A day's non-overlapping intervals (possibly none), on a 15-minute grid up to 24:00."""
    cuts = sorted(draw(st.sets(st.integers(0, 96), max_size=6)))
    pairs = [(cuts[i] * 15, cuts[i + 1] * 15) for i in range(0, len(cuts) - 1, 2)]
    return tuple(pair for pair in pairs if pair[0] < pair[1])


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    week = tuple(draw(days()) for _day in range(7))
    if not any(week):
        week = (((8 * 60, 16 * 60),), *week[1:])
    start = date(2025, 1, 1)
    holidays = frozenset(start + timedelta(days=n) for n in draw(st.sets(st.integers(0, 730), max_size=40)))
    return Schedule(zone=draw(st.sampled_from(ZONES)), week=week, holidays=holidays)


def wall(*parts: int) -> datetime:
    return datetime(*parts)  # type: ignore[misc]  # noqa: DTZ001 (Hypothesis takes naive bounds)


# Instants around the two 2025 DST changes in Europe and anywhere in 2025.
moments = st.one_of(
    st.datetimes(min_value=wall(2025, 3, 27), max_value=wall(2025, 4, 2), timezones=st.just(UTC)),
    st.datetimes(min_value=wall(2025, 10, 23), max_value=wall(2025, 10, 29), timezones=st.just(UTC)),
    st.datetimes(min_value=wall(2025, 1, 1), max_value=wall(2025, 12, 31), timezones=st.just(UTC)),
)
durations = st.integers(min_value=0, max_value=60 * 24 * 20).map(lambda minutes: timedelta(minutes=minutes))


@given(schedules(), moments, durations)
def test_adding_business_time_then_measuring_it_gives_it_back(
    schedule: Schedule, start: datetime, span: timedelta
) -> None:
    end = add_business_time(schedule, start, span)
    assert end >= start
    assert business_time_between(schedule, start, end) == span


@given(schedules(), moments, durations, durations)
def test_adding_in_two_steps_is_adding_the_sum(schedule: Schedule, start: datetime, a: timedelta, b: timedelta) -> None:
    assert add_business_time(schedule, add_business_time(schedule, start, a), b) == add_business_time(
        schedule, start, a + b
    )


@given(schedules(), moments, moments, moments)
def test_business_time_is_additive_and_never_more_than_real_time(
    schedule: Schedule, a: datetime, b: datetime, c: datetime
) -> None:
    first, middle, last = sorted((a, b, c))
    whole = business_time_between(schedule, first, last)
    assert whole == business_time_between(schedule, first, middle) + business_time_between(schedule, middle, last)
    assert timedelta(0) <= whole <= last - first


@given(schedules(), moments, st.integers(min_value=1, max_value=60 * 24 * 20))
def test_a_due_time_falls_in_working_time_on_a_working_day(schedule: Schedule, start: datetime, minutes: int) -> None:
    due = add_business_minutes(schedule, start, minutes)
    # The last business instant counted lies inside a window of a day that is not a holiday.
    last_counted = due - timedelta(microseconds=1)
    assert is_working(schedule, last_counted)
    assert last_counted.astimezone(schedule.zone).date() not in schedule.holidays


@given(moments, st.integers(min_value=1, max_value=60 * 24 * 10))
def test_holidays_only_push_due_times_later(start: datetime, minutes: int) -> None:
    plain = Schedule(zone=BERLIN, week=OFFICE)
    day = start.astimezone(BERLIN).date()
    with_holidays = Schedule(zone=BERLIN, week=OFFICE, holidays=frozenset(day + timedelta(days=n) for n in range(3)))
    assert add_business_minutes(with_holidays, start, minutes) >= add_business_minutes(plain, start, minutes)


def test_berlin_spring_forward_counts_the_real_hours_worked() -> None:
    """2025-03-30 02:00 CET jumps to 03:00 CEST: 01:00–04:00 on the wall clock is two real hours."""
    night_shift = Schedule(zone=BERLIN, week=(((60, 240),),) * 7)
    day_start = datetime(2025, 3, 30, 0, 0, tzinfo=BERLIN)
    assert business_minutes_between(night_shift, day_start, day_start + timedelta(days=1)) == 120
    # The 90th minute falls after the jump: 01:00 CET + 60 min = 03:00 CEST, + 30 = 03:30 CEST.
    assert add_business_minutes(night_shift, day_start, 90) == datetime(2025, 3, 30, 3, 30, tzinfo=BERLIN)


def test_berlin_fall_back_counts_the_repeated_hour() -> None:
    """2025-10-26 03:00 CEST falls back to 02:00 CET: 01:00–04:00 on the wall clock is four real hours."""
    night_shift = Schedule(zone=BERLIN, week=(((60, 240),),) * 7)
    day_start = datetime(2025, 10, 26, 0, 0, tzinfo=BERLIN)
    assert business_minutes_between(night_shift, day_start, day_start + timedelta(days=1)) == 240
    assert add_business_minutes(night_shift, day_start, 240) == datetime(2025, 10, 26, 4, 0, tzinfo=BERLIN)


def test_office_hours_across_the_berlin_dst_weekends() -> None:
    """A target of 8 business hours set on Friday afternoon before each change is due on Monday at
    the same wall-clock time, although the weekend between was an hour shorter or longer."""
    office = Schedule(zone=BERLIN, week=(((9 * 60, 17 * 60),),) * 5 + ((), ()))
    for friday in (date(2025, 3, 28), date(2025, 10, 24)):
        start = datetime(friday.year, friday.month, friday.day, 15, 0, tzinfo=BERLIN)
        monday = friday + timedelta(days=3)
        assert add_business_minutes(office, start, 8 * 60) == datetime(
            monday.year, monday.month, monday.day, 15, 0, tzinfo=BERLIN
        )


def test_a_holiday_moves_the_due_time_past_it() -> None:
    office = Schedule(zone=BERLIN, week=OFFICE, holidays=frozenset({date(2025, 10, 3)}))  # a Friday
    start = datetime(2025, 10, 2, 16, 0, tzinfo=BERLIN)
    assert add_business_minutes(office, start, 120) == datetime(2025, 10, 6, 10, 0, tzinfo=BERLIN)


def test_a_week_without_working_time_is_refused() -> None:
    with pytest.raises(InvalidWeek):
        Schedule(zone=BERLIN, week=((),) * 7)


@pytest.mark.parametrize(
    ("day", "problem"),
    [(((600, 540),), "ends before"), (((1200, 1500),), "outside"), (((540, 720), (700, 800)), "overlap")],
)
def test_bad_intervals_are_refused_naming_the_day(day: tuple[tuple[int, int], ...], problem: str) -> None:
    with pytest.raises(InvalidWeek, match=problem) as refused:
        Schedule(zone=BERLIN, week=(day,) + ((),) * 5 + (((60, 120),),))
    assert refused.value.weekday == 0


def test_holidays_covering_every_working_day_end_the_search() -> None:
    class Always:
        def __contains__(self, _day: object) -> bool:
            return True

    with pytest.raises(NoWorkingTime):
        add_business_minutes(Schedule(zone=BERLIN, week=OFFICE, holidays=Always()), datetime.now(tz=UTC), 1)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        add_business_minutes(Schedule(zone=BERLIN, week=OFFICE), wall(2025, 1, 1), 1)
