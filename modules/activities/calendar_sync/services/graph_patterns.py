"""Series whose RRULE Microsoft Graph cannot express (BYSETPOS, several weekdays of a month, a
day of the year, a weekday on a given day of the month …), written to Outlook as the nearest
pattern Graph has plus exceptions, so Outlook shows every occurrence and only those.

The nearest pattern is the one of Graph's (daily; weekly on the weekdays the occurrences fall on;
monthly or yearly on their day) that makes every occurrence of the rule with the fewest extra
ones, from the first occurrence to the last one within ``horizon`` (an endless rule's range ends
there and moves on whenever the series is written again). The extra occurrences are deleted from
the series there, which Graph keeps as deleted occurrences of the series. This needs every
occurrence at the same wall-clock time and at most one a day, which day-based rules give; a rule
that does not (an hourly one) is still written as its first occurrence only.

Read back, a series whose pattern is still the one written for the meeting's rule keeps that rule;
an occurrence of the rule that Outlook no longer lists was deleted there and becomes an EXDATE
here. A pattern changed in Outlook is read as Outlook has it (its pattern and deleted
occurrences)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from dateutil import rrule

from modules.activities.models import Activity
from modules.activities.services.recurrence import exdate_text, instance_starts, zone_of_series

GRAPH_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_EXTRA = 2_000  # more extra occurrences than this to delete: not worth a series there


@dataclass(frozen=True)
class NearestPattern:
    recurrence: dict[str, Any]  # Graph's ``patternedRecurrence``
    starts: tuple[datetime, ...]  # the rule's occurrences (UTC) up to the range's end
    extra: tuple[date, ...]  # the days the pattern makes and the rule does not (to delete there)


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


def nearest_pattern(series: Activity, horizon: datetime) -> NearestPattern | None:
    """The nearest Graph pattern of a series' rule (its occurrences up to ``horizon``, less its
    EXDATEs), or None when its occurrences are not one a day at one wall-clock time."""
    if series.due_at is None or not series.rrule.strip() or series.all_day:
        return None
    zone = zone_of_series(series)
    starts = instance_starts(series, start=series.due_at, end=horizon)
    if not starts:
        return None
    local = [start.astimezone(zone) for start in starts]
    clock = local[0].time()
    days = sorted({moment.date() for moment in local})
    if any(moment.time() != clock for moment in local) or len(days) != len(local):
        return None
    pattern, made = min(_candidates(days), key=lambda candidate: len(candidate[1]))
    extra = tuple(sorted(set(made) - set(days)))
    if len(extra) > MAX_EXTRA:
        return None
    span = {
        "type": "endDate", "startDate": days[0].isoformat(), "endDate": days[-1].isoformat(),
        "recurrenceTimeZone": series.time_zone or "UTC",
    }  # fmt: skip
    return NearestPattern({"pattern": pattern, "range": span}, tuple(s.astimezone(UTC) for s in starts), extra)


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
    """The series' EXDATEs after reading it back with its pattern unchanged: its own, and the
    occurrences of its rule in the window and the range read that ``/instances`` no longer lists
    (``listed``: their original starts, UTC to the second)."""
    low, high = window
    end_text = str((read.get("range") or {}).get("endDate", "") or "")[:10]
    zone = zone_of_series(series)
    last = date.fromisoformat(end_text) if end_text else None
    missing = [
        start for start in written.starts
        if low <= start < high and (last is None or start.astimezone(zone).date() <= last)
        and start.replace(microsecond=0) not in listed
    ]  # fmt: skip
    return sorted({*(series.exdates or []), *(exdate_text(series, start) for start in missing)})
