"""Series whose RRULE Microsoft Graph cannot express (BYSETPOS, several weekdays of a month, a
day of the year, several occurrences a day, an hourly rule …), written to Outlook as the nearest
patterns Graph has plus deleted occurrences, so Outlook shows every occurrence and only those.

A Graph series has one start time and at most one occurrence a day, so the rule's occurrences over
a span of days are grouped by their time of day in UTC (Graph's series are written in UTC; a
whole-day series is one group of dates) and each group becomes one Graph series, a *segment*: the
pattern of Graph's (daily; weekly on the weekdays the occurrences fall on; monthly or yearly on
their day) that makes every day of the group with the fewest extra ones, from its first day to its
last in the span. The extra days, and the group's EXDATEs, are deleted from the series there
(Graph keeps them as deleted occurrences). The pattern is chosen with the EXDATEs still in, so an
occurrence deleted on either side never changes the pattern written.

An endless rule is written ``HORIZON_DAYS`` ahead; once fewer than ``EXTEND_WHEN_LEFT_DAYS`` are
left, the next span is written as new segments (``graph_segments``) and those written before are
left as they are.

Read back, a segment whose pattern is still the one written keeps the meeting's rule; an
occurrence of the rule that Outlook no longer lists was deleted there and becomes an EXDATE here.
The first segment (the one holding the series' first occurrence) is the meeting's own event; a
pattern changed there in Outlook is read as Outlook has it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil import rrule

from modules.activities.calendar_sync.choices import PartialReason
from modules.activities.models import Activity
from modules.activities.services.recurrence import excluded_starts, exdate_text, starts_between, zone_of_series

GRAPH_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
HORIZON_DAYS = 365  # how far ahead an endless rule is written (as far as the sync reads)
EXTEND_WHEN_LEFT_DAYS = 180  # fewer days than this written ahead: the next span is written
MAX_EXTRA = 2_000  # more extra occurrences than this to delete: not worth a series there
MAX_TIMES = 48  # more times of day than this: the rule is written as its first occurrence only
MAX_OCCURRENCES = 20_000  # in one span


# Why a rule is written as its first occurrence only (``SyncedEvent.written_pattern["partial"]``).
TOO_FREQUENT = str(PartialReason.FREQUENT)  # SECONDLY, or MINUTELY without BYHOUR
TOO_MANY_TIMES = str(PartialReason.TIMES)  # more than MAX_TIMES times of day
TOO_MANY_OCCURRENCES = str(PartialReason.OCCURRENCES)  # more than MAX_OCCURRENCES in a span
TOO_MANY_EXTRA = str(PartialReason.EXTRA)  # more than MAX_EXTRA occurrences to delete from a nearest pattern


class Unwritable(Exception):
    """The rule's occurrences are too many to write as Graph series; ``reason`` says which limit."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Span:
    first: date
    last: date


@dataclass(frozen=True)
class NearestPattern:
    recurrence: dict[str, Any]  # Graph's ``patternedRecurrence``
    starts: tuple[datetime, ...]  # the kept occurrences where Graph puts them (UTC; a whole day at 00:00 UTC)
    originals: tuple[datetime, ...]  # the same occurrences as the rule makes them (for EXDATEs)
    extra: tuple[date, ...]  # the days the pattern makes and the rule keeps not (to delete there)
    first_start: datetime  # the Graph series' first instance (UTC)
    span: Span  # the days it covers
    clock: str = ""  # the UTC time of day of the group ("" for a whole-day series)

    def record(self, *, part: bool) -> dict[str, Any]:
        """What the synced event remembers of it (``SyncedEvent.written_pattern``)."""
        found: dict[str, Any] = {
            "recurrence": self.recurrence, "clock": self.clock, "from": self.span.first.isoformat(),
            "until": self.span.last.isoformat(),
        }  # fmt: skip
        if part:
            found["part"] = True
        return found


def _candidates(days: list[date]) -> list[tuple[dict[str, Any], list[date]]]:
    """Graph patterns that make every day of ``days`` (sorted, distinct), with the days each makes
    from the first to the last."""
    first, last = days[0], days[-1]
    weekdays = sorted({day.weekday() for day in days})
    found: list[tuple[dict[str, Any], list[date]]] = []

    def made(**options: Any) -> list[date]:
        start = datetime.combine(first, datetime.min.time())
        until = datetime.combine(last, datetime.min.time())
        return [value.date() for value in rrule.rrule(dtstart=start, until=until, **options)]

    found.append(({"type": "daily", "interval": 1}, made(freq=rrule.DAILY)))
    weekly = {"type": "weekly", "interval": 1, "daysOfWeek": [GRAPH_DAY_NAMES[d] for d in weekdays],
              "firstDayOfWeek": "monday"}  # fmt: skip
    found.append((weekly, made(freq=rrule.WEEKLY, byweekday=weekdays)))
    if len({day.day for day in days}) == 1:
        found.append(
            ({"type": "absoluteMonthly", "interval": 1, "dayOfMonth": first.day},
             made(freq=rrule.MONTHLY, bymonthday=first.day))
        )  # fmt: skip
        if len({day.month for day in days}) == 1:
            found.append(
                ({"type": "absoluteYearly", "interval": 1, "dayOfMonth": first.day, "month": first.month},
                 made(freq=rrule.YEARLY, bymonth=first.month, bymonthday=first.day))
            )  # fmt: skip
    return found


def _instant(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def first_span(series: Activity, now: datetime) -> Span:
    """The span written first: from the series' first day to ``HORIZON_DAYS`` after ``now``."""
    return Span(_day_of(series, series.due_at or now), (now + timedelta(days=HORIZON_DAYS)).astimezone(UTC).date())


def _day_of(series: Activity, moment: datetime) -> date:
    return moment.astimezone(zone_of_series(series) if series.all_day else UTC).date()


def rule_starts(series: Activity, span: Span) -> list[datetime]:
    """The rule's occurrences (its EXDATEs still in) on the span's days, sorted."""
    if series.due_at is None:
        return []
    parts = dict(part.split("=", 1) for part in series.rrule.upper().split(";") if "=" in part)
    if parts.get("FREQ") == "SECONDLY" or (parts.get("FREQ") == "MINUTELY" and "BYHOUR" not in parts):
        raise Unwritable(TOO_FREQUENT)  # more times of a day than series there
    zone = zone_of_series(series) if series.all_day else UTC
    low = max(series.due_at, datetime.combine(span.first, time.min, tzinfo=zone))
    end = datetime.combine(span.last + timedelta(days=1), time.min, tzinfo=zone)
    found = starts_between(series, start=low, end=end, limit=MAX_OCCURRENCES)
    if found is None:
        raise Unwritable(TOO_MANY_OCCURRENCES)
    return found


def plan(series: Activity, spans: list[Span]) -> list[NearestPattern] | None:
    """The segments a series is written as over ``spans`` (the first one holding its first
    occurrence), or None when its occurrences are too many for that."""
    try:
        return plan_or_raise(series, spans)
    except Unwritable:
        return None


def plan_or_raise(series: Activity, spans: list[Span]) -> list[NearestPattern] | None:
    """As ``plan``, raising ``Unwritable`` (with the limit passed) instead of returning None for a
    rule with too many occurrences."""
    if series.due_at is None or not series.rrule.strip():
        return None
    excluded = {_instant(moment) for moment in excluded_starts(series)}
    found: list[NearestPattern] = []
    for span in spans:
        groups: dict[str, list[datetime]] = {}
        for start in rule_starts(series, span):
            clock = "" if series.all_day else start.astimezone(UTC).strftime("%H:%M:%S")
            groups.setdefault(clock, []).append(start)
        if len(groups) > MAX_TIMES:
            raise Unwritable(TOO_MANY_TIMES)
        first_clock = "" if series.all_day else series.due_at.astimezone(UTC).strftime("%H:%M:%S")
        for clock in sorted(groups, key=lambda name: (name != first_clock, name)):
            segment = _segment(series, span, clock, groups[clock], excluded)
            if segment is not None:
                found.append(segment)
    return found


def _segment(
    series: Activity, span: Span, clock: str, starts: list[datetime], excluded: set[datetime]
) -> NearestPattern | None:
    days = sorted({_day_of(series, start) for start in starts})
    kept = [start for start in starts if _instant(start) not in excluded]
    if not kept:
        return None
    pattern, made = min(_candidates(days), key=lambda candidate: len(candidate[1]))
    extra = tuple(sorted(set(made) - {_day_of(series, start) for start in kept}))
    if len(extra) > MAX_EXTRA:
        raise Unwritable(TOO_MANY_EXTRA)
    span_range = {
        "type": "endDate", "startDate": days[0].isoformat(), "endDate": days[-1].isoformat(),
        "recurrenceTimeZone": "UTC",
    }  # fmt: skip

    def there(start: datetime) -> datetime:
        if series.all_day:
            return datetime.combine(_day_of(series, start), time.min, tzinfo=UTC)
        return _instant(start)

    return NearestPattern(
        recurrence={"pattern": pattern, "range": span_range}, starts=tuple(there(s) for s in kept),
        originals=tuple(_instant(s) for s in kept), extra=extra, first_start=there(starts[0]), span=span, clock=clock,
    )  # fmt: skip


def nearest_pattern(series: Activity, horizon: datetime) -> NearestPattern | None:
    """The one series a rule is written as up to ``horizon`` (None when it takes several, or
    cannot be written so)."""
    if series.due_at is None:
        return None
    found = plan(series, [Span(_day_of(series, series.due_at), horizon.astimezone(UTC).date())])
    return found[0] if found is not None and len(found) == 1 else None


def same_pattern(read: Any, written: dict[str, Any]) -> bool:
    """Whether the recurrence Graph gives back is the pattern written (Graph adds fields of its own
    and may move an endless rule's range end, which is not compared)."""
    if not isinstance(read, dict):
        return False
    theirs, ours = read.get("pattern") or {}, written["pattern"]
    days = sorted(str(day).lower() for day in theirs.get("daysOfWeek") or [])
    return (
        theirs.get("type") == ours["type"]
        and int(theirs.get("interval") or 1) == ours["interval"]
        and (ours["type"] != "weekly" or days == sorted(ours["daysOfWeek"]))
        and (not ours["type"].startswith("absolute") or int(theirs.get("dayOfMonth") or 0) == ours["dayOfMonth"])
        and (ours["type"] != "absoluteYearly" or int(theirs.get("month") or 0) == ours["month"])
        and str((read.get("range") or {}).get("startDate", ""))[:10] == written["range"]["startDate"]
    )


def deleted_there(
    series: Activity,
    written: NearestPattern,
    read: dict[str, Any],
    listed: set[datetime],
    window: tuple[datetime, datetime],
) -> list[str]:
    """The EXDATEs of the occurrences of a segment in the window and the range read that
    ``/instances`` no longer lists (``listed``: their original starts, UTC to the second)."""
    low, high = window
    end_text = str((read.get("range") or {}).get("endDate", "") or "")[:10]
    last = date.fromisoformat(end_text) if end_text else None
    return [
        exdate_text(series, original)
        for there, original in zip(written.starts, written.originals, strict=True)
        if low <= there < high and (last is None or there.date() <= last) and there not in listed
    ]


def moved_rule(series: Activity, old: datetime, new: datetime) -> str | None:
    """The series' rule with the occurrences at the wall-clock time of ``old`` moved to that of
    ``new`` (one series a time of day moved in Outlook), or None when the rule cannot say so: only
    a rule whose times of day are its BYHOUR hours (or an hourly rule repeating the same hours every
    day, written as a daily one with those hours) at one minute, the move keeping the minute."""
    if series.due_at is None or series.all_day:
        return None
    zone = zone_of_series(series)
    before, after = old.astimezone(zone), new.astimezone(zone)
    first = series.due_at.astimezone(zone)
    if (before.minute, before.second) != (after.minute, after.second) or before.date() != after.date():
        return None
    parts: list[tuple[str, str]] = [
        (name, value) for name, _sep, value in (part.partition("=") for part in series.rrule.upper().split(";")) if _sep
    ]
    rule = dict(parts)
    minute = rule.get("BYMINUTE", str(first.minute))
    if {"BYSECOND", "BYSETPOS"} & set(rule) or not minute.isdigit() or int(minute) != before.minute:
        return None
    frequency = rule.get("FREQ", "")
    if frequency in ("DAILY", "WEEKLY", "MONTHLY", "YEARLY") and rule.get("BYHOUR"):
        hours = {int(hour) for hour in rule["BYHOUR"].split(",") if hour.isdigit()}
    elif frequency == "HOURLY" and "BYHOUR" not in rule and 24 % int(rule.get("INTERVAL", "1") or 1) == 0:
        step = int(rule.get("INTERVAL", "1") or 1)
        hours = {(first.hour + step * count) % 24 for count in range(24 // step)}
        parts = [("FREQ", "DAILY"), *[(name, value) for name, value in parts if name not in ("FREQ", "INTERVAL")]]
    else:
        return None
    if before.hour not in hours or after.hour in hours or before.hour == first.hour:
        return None
    moved = sorted((hours - {before.hour}) | {after.hour})
    kept = [(name, value) for name, value in parts if name not in ("BYHOUR", "BYMINUTE")]
    return ";".join([*(f"{name}={value}" for name, value in kept), f"BYHOUR={','.join(map(str, moved))}",
                     f"BYMINUTE={before.minute}"])  # fmt: skip


def moved_exdates(series: Activity, old: datetime, new: datetime) -> list[str]:
    """The series' EXDATEs with those at the wall-clock time of ``old`` moved to that of ``new``
    (so an occurrence deleted before a move stays deleted after it)."""
    zone = zone_of_series(series)
    before, after = old.astimezone(zone).time(), new.astimezone(zone).time()
    found: list[str] = []
    for moment in excluded_starts(series):
        local = moment.astimezone(zone)
        if local.time() == before:
            local = datetime.combine(local.date(), after, tzinfo=zone)
        found.append(exdate_text(series, local))
    return sorted(set(found))
