"""Instances of recurring events in the local Google Calendar (``tests/google_server.py``), as the
Calendar API documents them: an instance's id is ``<event id>_<original start, UTC,
YYYYMMDDTHHMMSSZ>``, ``events.instances`` with ``originalStart`` returns the one instance starting
there (its stored exception, or the series' values moved to that start), and ``events.update`` of
an instance id stores an exception of the series (``recurringEventId``, ``originalStartTime``).
The series' ``recurrence`` lines (RRULE, EXDATE, RDATE) are expanded with dateutil."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule

ID_STAMP = "%Y%m%dT%H%M%SZ"


def _moment(value: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(value["dateTime"]).replace("Z", "+00:00"))


def _zone(series: dict[str, Any]) -> Any:
    try:
        return ZoneInfo(str((series.get("start") or {}).get("timeZone") or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def starts_at(series: dict[str, Any], original: datetime) -> bool:
    """Whether the series has an instance starting at ``original`` (EXDATEs honoured)."""
    if not series.get("recurrence") or "dateTime" not in (series.get("start") or {}):
        return False
    first = _moment(series["start"]).astimezone(_zone(series))
    rules = rrule.rrulestr("\n".join(series["recurrence"]), dtstart=first, forceset=True)
    near = rules.between(original - timedelta(seconds=1), original + timedelta(seconds=1), inc=True)
    return any(abs((moment - original).total_seconds()) < 1 for moment in near)


def instance_id(series_id: str, original: datetime) -> str:
    return f"{series_id}_{original.astimezone(UTC).strftime(ID_STAMP)}"


def computed_instance(events: dict[str, dict[str, Any]], event_id: str) -> dict[str, Any] | None:
    """The unchanged instance an instance id names, or None when it names none."""
    series_id, separator, stamp = event_id.rpartition("_")
    series = events.get(series_id)
    if not separator or series is None or series.get("status") == "cancelled":
        return None
    try:
        original = datetime.strptime(stamp, ID_STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None
    if not starts_at(series, original):
        return None
    length = _moment(series["end"]) - _moment(series["start"])
    zone_name = str(series["start"].get("timeZone") or "UTC")
    return {
        **{key: value for key, value in series.items() if key not in ("recurrence", "id", "etag", "updated")},
        "id": event_id,
        "recurringEventId": series_id,
        "originalStartTime": {"dateTime": original.isoformat(), "timeZone": zone_name},
        "start": {"dateTime": original.isoformat(), "timeZone": zone_name},
        "end": {"dateTime": (original + length).isoformat(), "timeZone": zone_name},
        "etag": series.get("etag", ""),
    }


def instances_at(events: dict[str, dict[str, Any]], series_id: str, original_start: str) -> list[dict[str, Any]]:
    """``events.instances`` with ``originalStart``: the stored exception or the computed instance."""
    try:
        original = datetime.fromisoformat(original_start.replace("Z", "+00:00"))
    except ValueError:
        return []
    if original.tzinfo is None:
        return []
    wanted = instance_id(series_id, original)
    stored = events.get(wanted)
    if stored is not None:
        return [dict(stored)]
    found = computed_instance(events, wanted)
    return [found] if found is not None else []
