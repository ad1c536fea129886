"""Occurrences of a series in the local Microsoft Graph (``tests/msgraph_server.py``), as Graph
documents them: ``/me/events/{id}/instances`` lists the series' occurrences in the window asked
(its pattern expanded, less deleted occurrences, with exceptions in place of the occurrences they
replace), each with ``originalStart``; PATCH of an occurrence makes it an exception and DELETE
of one removes it from the series. The pattern is expanded with dateutil."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from dateutil import rrule

FREQUENCIES = {
    "daily": rrule.DAILY, "weekly": rrule.WEEKLY, "absoluteMonthly": rrule.MONTHLY, "relativeMonthly": rrule.MONTHLY,
    "absoluteYearly": rrule.YEARLY, "relativeYearly": rrule.YEARLY,
}  # fmt: skip
DAYS = {"monday": rrule.MO, "tuesday": rrule.TU, "wednesday": rrule.WE, "thursday": rrule.TH, "friday": rrule.FR,
        "saturday": rrule.SA, "sunday": rrule.SU}  # fmt: skip
INDEXES = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}


def moment(value: Any) -> datetime:
    """A Graph ``dateTimeTimeZone`` in UTC (the fake keeps every time in UTC) or an ISO text."""
    text = str(value.get("dateTime") if isinstance(value, dict) else value).replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text.split(".")[0] if "." in text and "+" not in text else text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def occurrence_starts(master: dict[str, Any], low: datetime, high: datetime) -> list[datetime]:
    recurrence = master.get("recurrence") or {}
    pattern, span = recurrence.get("pattern") or {}, recurrence.get("range") or {}
    first = moment(master["start"])
    options: dict[str, Any] = {"dtstart": first, "interval": int(pattern.get("interval") or 1)}
    days = [DAYS[day] for day in pattern.get("daysOfWeek") or [] if day in DAYS]
    kind = str(pattern.get("type", ""))
    if kind == "weekly" and days:
        options["byweekday"] = days
    elif kind.startswith("relative"):
        options["byweekday"] = [day(INDEXES.get(str(pattern.get("index", "first")), 1)) for day in days]
    elif kind.startswith("absolute"):
        options["bymonthday"] = int(pattern.get("dayOfMonth") or first.day)
    if kind.endswith("Yearly"):
        options["bymonth"] = int(pattern.get("month") or first.month)
    if span.get("type") == "numbered":
        options["count"] = int(span.get("numberOfOccurrences") or 1)
    elif span.get("type") == "endDate":
        last = date.fromisoformat(str(span["endDate"])[:10])
        options["until"] = datetime.combine(last, datetime.max.time(), tzinfo=UTC)
    rule = rrule.rrule(FREQUENCIES[kind], **options)
    return [value for value in rule.between(low - timedelta(seconds=1), high, inc=True) if value < high]


def occurrence_id(master_id: str, start: datetime) -> str:
    return f"{master_id}-occ-{start.astimezone(UTC):%Y%m%dT%H%M%S}"


def occurrence(master_id: str, master: dict[str, Any], start: datetime) -> dict[str, Any]:
    length = moment(master["end"]) - moment(master["start"])
    shown = {key: value for key, value in master.items() if key not in ("recurrence", "transactionId")}
    return {
        **shown, "id": occurrence_id(master_id, start), "type": "occurrence", "seriesMasterId": master_id,
        "originalStart": stamp(start),
        "start": {"dateTime": start.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"},
        "end": {"dateTime": (start + length).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"},
    }  # fmt: skip


def instances(
    master_id: str, master: dict[str, Any], exceptions: list[dict[str, Any]], deleted: set[str], low: datetime,
    high: datetime,
) -> list[dict[str, Any]]:  # fmt: skip
    """The series' instances in [low, high): occurrences, and exceptions where they replace one."""
    replaced = {stamp(moment(item["originalStart"])): item for item in exceptions}
    found = []
    for start in occurrence_starts(master, low, high):
        key = stamp(start)
        if key in deleted:
            continue
        found.append(dict(replaced[key]) if key in replaced else occurrence(master_id, master, start))
    return found


def find_occurrence(master_id: str, master: dict[str, Any], event_id: str) -> dict[str, Any] | None:
    """The unchanged occurrence an id names (``<master>-occ-<UTC start>``), or None."""
    prefix = f"{master_id}-occ-"
    if not event_id.startswith(prefix):
        return None
    try:
        start = datetime.strptime(event_id.removeprefix(prefix), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    if not occurrence_starts(master, start, start + timedelta(seconds=1)):
        return None
    return occurrence(master_id, master, start)
