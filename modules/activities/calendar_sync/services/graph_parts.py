"""Reading back a meeting written to Outlook as several Graph series (``graph_segments``): its own
event and its *parts*, each read whole when the delta names any of them.

What Outlook may have changed in a part, and what it becomes here:

- an occurrence deleted → an EXDATE of the meeting (``keep_rule``), a whole part deleted → EXDATEs
  of its occurrences (``graph._removed``);
- one occurrence moved or its subject, place or notes changed → an override of that occurrence
  (its ``/instances`` exception, read with the meeting's own);
- the subject or place of the whole part → the meeting's (it has one of each; the push
  then writes them to its other series too);
- the whole part moved to another time of day → the meeting's rule says so (``moved_rule``: its
  BYHOUR hour changed; the EXDATEs of those occurrences moved with it) and the part is
  remembered at its new time, so the push changes it in place instead of writing it again. A move
  the rule cannot say (another minute, another day, a new pattern, a rule without BYHOUR hours)
  is recorded as a conflict the meeting kept (its page shows it) and the push writes the part
  back as the meeting has it.

Nothing read is written back as it was read: the synced events keep the ``changeKey`` of what was
read, and a meeting taken over from a part is pushed once with the values it now has."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from modules.activities.calendar_sync.choices import ConflictWinner
from modules.activities.calendar_sync.models import CalendarConnection, SyncedEvent
from modules.activities.calendar_sync.services.events import CalendarObject
from modules.activities.calendar_sync.services.graph_events import event_values, instant, parse_moment
from modules.activities.calendar_sync.services.graph_patterns import (
    NearestPattern,
    deleted_there,
    moved_exdates,
    moved_rule,
    same_pattern,
)
from modules.activities.calendar_sync.services.graph_segments import PREFER, parts_of, segment_key, segments_of
from modules.activities.models import Activity
from modules.oauth_accounts.graph import GraphClient, GraphError

SELECT = (
    "id,iCalUId,changeKey,subject,body,location,start,end,isAllDay,isCancelled,lastModifiedDateTime,type,"
    "seriesMasterId,originalStart,recurrence,attendees,organizer"
)
Listed = tuple[list[str], dict[str, str]]  # the original starts ``/instances`` gave, and its window
# What a whole part changed in Outlook gives the meeting (not the notes: Exchange may hand back the
# text reformatted, which would read as a change).
TAKEN = ("subject", "location")


@dataclass
class PartsRead:
    """What the parts of a meeting hold in Outlook (``SyncedEvent`` pk → …)."""

    listed: dict[int, list[str]] = field(default_factory=dict)  # original starts ``/instances`` gave
    exceptions: list[dict[str, Any]] = field(default_factory=list)  # changed occurrences
    values: dict[str, Any] = field(default_factory=dict)  # subject/location/body changed on a part
    modified: datetime | None = None  # latest change of a part made there
    moved: dict[int, tuple[datetime, dict[str, Any]]] = field(default_factory=dict)  # new start, recurrence
    rekeyed: dict[int, dict[str, Any]] = field(default_factory=dict)  # written_pattern after a move read
    refused: list[str] = field(default_factory=list)  # moves the rule cannot say (kept as here)


def instances_of(client: GraphClient, master_id: str, window: dict[str, str]) -> list[dict[str, Any]]:
    return [
        item for page in client.pages(f"me/events/{master_id}/instances", params=window, prefer=PREFER)
        for item in page.items
    ]  # fmt: skip


def read_parts(client: GraphClient, series: Activity, rows: list[SyncedEvent], window: dict[str, str]) -> PartsRead:
    read = PartsRead()
    for row in rows:
        try:
            item = client.json("GET", f"me/events/{row.href}", params={"$select": SELECT}, headers={"Prefer": PREFER})
        except GraphError as error:
            if error.status == 404:
                continue  # deleted there: the delta's ``@removed`` brings it
            raise
        found = instances_of(client, row.href, window)
        read.exceptions += [entry for entry in found if entry.get("type") == "exception"]
        read.listed[row.pk] = [str(entry["originalStart"]) for entry in found if entry.get("originalStart")]
        if str(item.get("changeKey", "") or "") == row.etag:
            continue  # as written (or as read last time)
        values = event_values(item, timezone.get_current_timezone()).values
        changed = {name: values[name] for name in TAKEN if values[name] != getattr(series, name)}
        modified = parse_moment(item["lastModifiedDateTime"]) if item.get("lastModifiedDateTime") else None
        if changed or _moved(row, item, series):
            read.values.update(changed)
            read.modified = max(filter(None, [read.modified, modified]), default=None)
        if _moved(row, item, series):
            read.moved[row.pk] = (instant(parse_moment(item.get("start"))), item.get("recurrence") or {})
    return read


def _moved(row: SyncedEvent, item: dict[str, Any], series: Activity) -> bool:
    """Whether a part's series starts at another time of day than written (a timed series)."""
    if series.all_day or item.get("isAllDay") or not item.get("start") or not row.written_pattern.get("clock"):
        return False
    return bool(instant(parse_moment(item["start"])).strftime("%H:%M:%S") != row.written_pattern["clock"])


def segments_by_key(connection: CalendarConnection, series: Activity) -> dict[tuple[str, str], NearestPattern]:
    """The segments the series' synced events were written as, as the series is now."""
    main = connection.events.filter(activity=series).exclude(written_pattern__has_key="part").first()
    planned = segments_of(connection, series, main, extend=False)
    return {segment_key(segment.record(part=False)): segment for segment in (planned[0] if planned else [])}


def keep_rule(
    connection: CalendarConnection,
    known: SyncedEvent,
    item: dict[str, Any],
    event: CalendarObject,
    listed: Listed,
    parts: PartsRead,
) -> None:
    """A series written as nearest patterns, read back with the pattern written: it keeps its
    rule and times, and the occurrences of its rule no longer listed there, in its own event
    or its other parts, were deleted there; what its parts changed is taken (see the module)."""
    series = known.activity
    record = known.written_pattern
    if (
        series is None or event.master is None or "recurrence" not in record
        or not same_pattern(item.get("recurrence"), record["recurrence"])
    ):  # fmt: skip
        return
    starts, window = listed
    low, high = parse_moment(window["startDateTime"]), parse_moment(window["endDateTime"])
    missing = list(series.exdates or [])
    segments = segments_by_key(connection, series)
    rows = [known, *[row for row in parts_of(connection, series) if row.pk in parts.listed]]
    for row in rows:
        segment = segments.get(segment_key(row.written_pattern))
        if segment is None or row.pk in parts.moved:
            continue  # a moved part's occurrences are elsewhere now, not deleted
        shown = {instant(parse_moment(text)) for text in (starts if row is known else parts.listed[row.pk])}
        read = item.get("recurrence") if row is known else row.written_pattern["recurrence"]
        missing += deleted_there(series, segment, read or {}, shown, (low, high))
    rule, exdates = series.rrule, sorted(set(missing))
    for row in rows[1:]:
        if row.pk not in parts.moved:
            continue
        new_start, recurrence = parts.moved[row.pk]
        segment = segments.get(segment_key(row.written_pattern))
        probe = Activity(**{**_rule_fields(series), "rrule": rule, "exdates": exdates})
        changed = moved_rule(probe, segment.first_start, new_start) if segment is not None else None
        if segment is None or changed is None or not same_pattern(recurrence, row.written_pattern["recurrence"]):
            when = f"{timezone.localtime(new_start):%Y-%m-%d %H:%M}"
            parts.refused.append(
                _("%(subject)s moved in Outlook to %(when)s, which the meeting's rule cannot hold")
                % {"subject": series.subject, "when": when}
            )
            continue
        rule, exdates = changed, moved_exdates(probe, segment.first_start, new_start)
        clock = new_start.astimezone(UTC).strftime("%H:%M:%S")
        parts.rekeyed[row.pk] = {**row.written_pattern, "clock": clock, "recurrence": recurrence}
    event.master.values.update(due_at=series.due_at, ends_at=series.ends_at, all_day=series.all_day)
    event.master.values.update(parts.values)
    latest = event.master.last_modified
    if parts.modified is not None and (latest is None or parts.modified > latest):
        event.master.last_modified = parts.modified  # a part's change counts as the meeting's
    event.master.calendar_fields.update(
        rrule=rule, rdates=list(series.rdates or []), time_zone=series.time_zone, exdates=exdates
    )


def _rule_fields(series: Activity) -> dict[str, Any]:
    return {
        "due_at": series.due_at, "ends_at": series.ends_at, "all_day": series.all_day, "rrule": series.rrule,
        "rdates": list(series.rdates or []), "exdates": list(series.exdates or []), "time_zone": series.time_zone,
    }  # fmt: skip


def after_parts_read(connection: CalendarConnection, series: Activity, parts: PartsRead) -> bool:
    """Remember the parts moved at their new time, record a move the meeting could not take, and
    say whether the meeting must be written again (it took a part's change, which its other series
    do not have yet, or a part must be put back)."""
    for pk, record in parts.rekeyed.items():
        SyncedEvent.objects.filter(pk=pk).update(written_pattern=record)
    main = connection.events.filter(activity=series).exclude(written_pattern__has_key="part")
    if parts.refused:
        main.update(
            conflict_at=timezone.now(), conflict_winner=ConflictWinner.CRM, conflict_lost="; ".join(parts.refused)[:500]
        )
    if not (parts.values or parts.rekeyed or parts.refused):
        return False
    main.update(local_version=None)  # written again by this run's push
    return True
