"""Writing one meeting to Microsoft Graph: its event, and for a rule Graph cannot express the
segments ``graph_patterns`` makes of it, each its own Graph series.

The first segment is the meeting's own event (the synced event of its UID); each other one is a
synced event of its own (``written_pattern["part"]``, UID ``<meeting UID>#<first day>T<time>``),
written, changed and deleted with the meeting. Every event's extra occurrences are deleted there
after it is written.

Exchange e-mails the attendees of every event written with them, one invitation per event, and
Graph has no way to create or change an event with attendees without that. So attendees are
written only when the meeting is one Outlook event or series for as long as it lasts
(``one_series_for_good``) and is organised here (its organiser is the calendar's owner,
``itip.organised_here``): Exchange then sends its one invitation (a new series gets its attendees
only after its extra occurrences are deleted, so nobody is told of occurrences the pattern
added). A meeting organised here that takes several series, or its first occurrence only, is
written with none (``attendees: []``, which also takes off any an earlier write put there), and
the platform sends its own iTIP invitation of the whole rule (``selectors.sending_calendar``): one
per meeting. A meeting organised elsewhere (an invitation received, a file imported) is written
without them too, and read back it keeps its attendees (an event listing none leaves them as they
are).

A rule is written ``HORIZON_DAYS`` ahead (the main event's ``written_pattern["horizon"]``); each
run extends a series with fewer than ``EXTEND_WHEN_LEFT_DAYS`` left by writing the next span (its
occurrences, if the rule has any there) as new segments, without touching those written before
(so no occurrence synced earlier is deleted or moved there, and Exchange sends nothing about
them)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.utils import timezone

from modules.activities.calendar_sync.models import CalendarConnection, SyncedEvent
from modules.activities.calendar_sync.services import sync as caldav_sync
from modules.activities.calendar_sync.services.graph_events import (
    activity_event,
    instant,
    parse_moment,
    rrule_to_recurrence,
)
from modules.activities.calendar_sync.services.graph_patterns import (
    EXTEND_WHEN_LEFT_DAYS,
    HORIZON_DAYS,
    NearestPattern,
    Span,
    Unwritable,
    first_span,
    plan,
    plan_or_raise,
)
from modules.activities.choices import ActivityStatus
from modules.activities.models import Activity
from modules.activities.services import itip
from modules.activities.services.recurrence import excluded_starts, starts_between
from modules.oauth_accounts.graph import GraphClient, GraphError

PREFER = 'outlook.timezone="UTC", outlook.body-content-type="text"'


def writes_attendees(activity: Activity) -> bool:
    """Whether the meeting's Graph events carry its attendees (so Exchange invites them)."""
    return itip.organised_here(activity) and one_series_for_good(activity)


def one_series_for_good(activity: Activity) -> bool:
    """Whether the meeting is one Outlook event or series for as long as it lasts: no rule, a rule
    Graph holds as it is, or a rule that ends within ``HORIZON_DAYS`` of its first day and makes a
    single nearest pattern (so no later span adds a series). Time-independent, so a meeting never
    changes who sends its invitations unless its rule changes."""
    start = activity.due_at
    rule = activity.rrule.strip()
    if start is None or not rule or rrule_to_recurrence(rule, start, activity.time_zone) is not None:
        return True
    parts = {part.split("=", 1)[0] for part in rule.upper().split(";") if "=" in part}
    if not parts & {"COUNT", "UNTIL"}:
        return False  # endless: each new span written is a new series
    first = first_span(activity, start).first
    span = Span(first, first + timedelta(days=HORIZON_DAYS))
    after = datetime.combine(span.last + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    later = starts_between(activity, start=after, end=after + timedelta(days=HORIZON_DAYS * 100), limit=1)
    if later is None or later:
        return False
    found = plan(activity, [span])
    return found is not None and len(found) <= 1


def unwritable_reason(activity: Activity) -> str:
    """Why a series is written to Outlook as its first occurrence only (a ``graph_patterns``
    limit), or "" when it is written whole."""
    start = activity.due_at
    if start is None or not activity.rrule.strip() or rrule_to_recurrence(activity.rrule, start, activity.time_zone):
        return ""
    try:
        plan_or_raise(activity, [first_span(activity, timezone.now())])
    except Unwritable as error:
        return error.reason
    return ""


def graph_window(low: datetime, high: datetime) -> dict[str, str]:
    return {"startDateTime": low.strftime("%Y-%m-%dT%H:%M:%SZ"), "endDateTime": high.strftime("%Y-%m-%dT%H:%M:%SZ")}


def part_uid(meeting_uid: str, segment: NearestPattern) -> str:
    return f"{meeting_uid[:200]}#{segment.span.first:%Y%m%d}T{segment.clock.replace(':', '') or 'day'}"


def parts_of(connection: CalendarConnection, activity: Activity) -> list[SyncedEvent]:
    return list(connection.events.filter(activity=activity, written_pattern__has_key="part"))


def _spans(rows: list[SyncedEvent]) -> list[Span]:
    found = {
        Span(date.fromisoformat(row.written_pattern["from"]), date.fromisoformat(row.written_pattern["until"]))
        for row in rows
        if row.written_pattern.get("from") and row.written_pattern.get("until")
    }
    spans = sorted(found, key=lambda span: span.first)
    horizons = [row.written_pattern["horizon"] for row in rows if row.written_pattern.get("horizon")]
    if spans and horizons:  # spans written since that held no occurrence
        spans[-1] = Span(spans[-1].first, max(spans[-1].last, date.fromisoformat(max(horizons))))
    return spans


def segments_of(
    connection: CalendarConnection, activity: Activity, main: SyncedEvent | None, *, extend: bool = True
) -> tuple[list[NearestPattern], date] | None:
    """The segments a series is written as, and the last day they cover (None: not a series
    Graph cannot express, or one with too many occurrences, written as its first occurrence).
    The spans are those written before, the first starting on the series' first day, and the next
    one when the last runs out soon."""
    start = activity.due_at
    if start is None or not activity.rrule.strip() or rrule_to_recurrence(activity.rrule, start, activity.time_zone):
        return None
    now = timezone.now()
    spans = _spans(([main] if main is not None else []) + parts_of(connection, activity))
    if not spans:
        spans = [first_span(activity, now)]
    first = first_span(activity, now).first
    spans[0] = Span(min(first, spans[0].first), spans[0].last)
    if extend and spans[-1].last < (now + timedelta(days=EXTEND_WHEN_LEFT_DAYS)).date():
        spans.append(Span(spans[-1].last + timedelta(days=1), (now + timedelta(days=HORIZON_DAYS)).date()))
    found = plan(activity, spans)
    return (found, spans[-1].last) if found else None


def main_record(planned: tuple[list[NearestPattern], date] | None) -> dict[str, Any]:
    """What the meeting's own synced event remembers: its segment, and the last day written."""
    if not planned:
        return {}
    segments, horizon = planned
    return {**segments[0].record(part=False), "horizon": horizon.isoformat()}


def segment_key(record: dict[str, Any]) -> tuple[str, str]:
    return str(record.get("from", "")), str(record.get("clock", ""))


def write_event(
    client: GraphClient, activity: Activity, *, href: str | None, key: str, segment: NearestPattern | None
) -> dict[str, Any] | None:
    """POST (``href`` None, with a ``transactionId`` made from ``key`` so a retried POST creates
    nothing twice) or PATCH one Graph event of the meeting; None when it was deleted there."""
    invite = writes_attendees(activity)
    body = activity_event(activity, segment, attendees=invite)
    if not invite and itip.organised_here(activity):
        body["attendees"] = []  # the platform invites: none there, and none left from an earlier write
    invite_after = bool(href is None and segment is not None and segment.extra and body.get("attendees"))
    if href is None:
        first = {**body, "attendees": []} if invite_after else body
        transaction_id = str(uuid.uuid5(uuid.NAMESPACE_URL, key))
        written = client.json("POST", "me/events", json={**first, "transactionId": transaction_id})
    else:
        try:
            written = client.json("PATCH", f"me/events/{href}", json=body)
        except GraphError as error:
            if error.status != 404:
                raise
            return None
    graph_id = str(written.get("id", ""))[:1000]
    if segment is not None:
        trim_to_rule(client, graph_id, segment)
    if invite_after:
        written = client.json("PATCH", f"me/events/{graph_id}", json={"attendees": body["attendees"]})
    if "recurrence" in body:
        write_instances(client, graph_id, activity, attendees=invite)
    if activity.status == ActivityStatus.CANCELLED and not written.get("isCancelled"):
        client.request("POST", f"me/events/{graph_id}/cancel", json={"comment": ""})
    if "recurrence" in body or activity.status == ActivityStatus.CANCELLED:
        # Deleting or changing occurrences, and cancelling, give the event a new changeKey: the one
        # remembered is the one it has now, so reading it back does not take it for a change there.
        written = client.json("GET", f"me/events/{graph_id}", params={"$select": "id,changeKey,iCalUId,isCancelled"})
    return written


def write_parts(
    connection: CalendarConnection,
    client: GraphClient,
    activity: Activity,
    segments: list[NearestPattern],
    *,
    only_new: bool = False,
) -> None:
    """The meeting's segments after its first written as events of their own (``only_new``: only
    those not written yet); the parts no longer among them deleted there."""
    existing = {segment_key(row.written_pattern): row for row in parts_of(connection, activity)}
    for segment in segments:
        row = existing.pop(segment_key(segment.record(part=True)), None)
        if row is not None and only_new:
            continue
        uid = row.uid if row is not None else part_uid(activity.ical_uid, segment)
        written = write_event(client, activity, href=row.href if row else None, key=uid, segment=segment)
        if written is None:
            continue  # deleted there since the last read: the delta brings its removal
        href = str(written.get("id", ""))[:1000]
        etag = str(written.get("changeKey", "") or "")[:255]
        caldav_sync._remember(connection, uid=uid, href=href, etag=etag, activity=activity, ignored=False)
        SyncedEvent.objects.filter(connection=connection, uid=uid).update(written_pattern=segment.record(part=True))
    if only_new:
        return
    for row in existing.values():
        delete_there(client, row.href)
        row.delete()


def extend_series(connection: CalendarConnection, client: GraphClient) -> int:
    """Series written as segments whose written days run out soon: the next span written
    (as new segments; those written before stay as they are). Returns how many were extended."""
    soon = (timezone.now() + timedelta(days=EXTEND_WHEN_LEFT_DAYS)).date()
    extended = 0
    rows = connection.events.select_related("activity").filter(activity__isnull=False).exclude(written_pattern={})
    for main in rows.exclude(written_pattern__has_key="part"):
        activity = main.activity
        horizon = main.written_pattern.get("horizon")
        if activity is None or not horizon or date.fromisoformat(horizon) >= soon:
            continue
        planned = segments_of(connection, activity, main)
        if planned is None:
            continue
        write_parts(connection, client, activity, planned[0][1:], only_new=True)
        record = {**main.written_pattern, "horizon": planned[1].isoformat()}
        SyncedEvent.objects.filter(pk=main.pk).update(written_pattern=record)
        extended += 1
    return extended


def delete_there(client: GraphClient, graph_id: str) -> None:
    try:
        client.request("DELETE", f"me/events/{graph_id}")
    except GraphError as error:
        if error.status != 404:  # already gone there
            raise


def trim_to_rule(client: GraphClient, graph_id: str, segment: NearestPattern) -> None:
    """The occurrences a segment's pattern makes and the rule does not (or an EXDATE excludes)
    deleted there (those deleted before are no longer listed)."""
    if not segment.extra:
        return
    wanted = set(segment.starts)
    window = graph_window(
        datetime.combine(segment.extra[0], datetime.min.time(), tzinfo=UTC) - timedelta(days=1),
        datetime.combine(segment.extra[-1], datetime.min.time(), tzinfo=UTC) + timedelta(days=2),
    )
    for page in client.pages(f"me/events/{graph_id}/instances", params=window, prefer=PREFER):
        for item in page.items:
            if (
                item.get("originalStart")
                and item.get("id")
                and instant(parse_moment(item["originalStart"])) not in wanted
            ):
                delete_there(client, str(item["id"]))


def write_instances(client: GraphClient, graph_id: str, series: Activity, *, attendees: bool) -> None:
    """The series' occurrences changed here PATCHed onto their Graph occurrences, and those
    deleted or cancelled here DELETEd there (Graph's patterns hold no EXDATE), found by
    ``originalStart`` in ``/instances`` around them."""
    overrides = list(series.overrides.filter(recurrence_id__isnull=False))
    excluded = excluded_starts(series)
    moments = [row.recurrence_id for row in overrides if row.recurrence_id is not None] + excluded
    if not moments:
        return
    window = graph_window(min(moments) - timedelta(days=1), max(moments) + timedelta(days=1))
    listed = {
        instant(parse_moment(item["originalStart"])): str(item.get("id", ""))
        for page in client.pages(f"me/events/{graph_id}/instances", params=window, prefer=PREFER)
        for item in page.items
        if item.get("originalStart") and item.get("id")
    }
    for row in overrides:
        found = listed.get(instant(row.recurrence_id)) if row.recurrence_id is not None else None
        if found is None:
            continue  # not an occurrence of this event there (any more)
        if row.status == ActivityStatus.CANCELLED:
            delete_there(client, found)
        else:
            client.json("PATCH", f"me/events/{found}", json=activity_event(row, attendees=attendees))
    for moment in excluded:
        found = listed.get(instant(moment))
        if found is not None:
            delete_there(client, found)
