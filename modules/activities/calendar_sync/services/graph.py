"""Two-way sync of a user's meetings and calls with their Microsoft 365 / Outlook.com calendar
through Microsoft Graph (the connection's ``oauth_account``).

A run (under the connection's job lock, taken by ``sync.sync_connection``):

1. reads ``/me/calendarView/delta`` — the first time over the window from ``past_days`` ago to a
   year ahead, later from the stored ``@odata.deltaLink`` — page by page (the link is stored
   after each page, so a run that dies goes on from there). A single event is applied as a
   CalDAV one is (``sync.apply_object``: created, updated, or overruled by a later change made
   here, the conflict recorded); an event already known with the same ``changeKey`` (our own
   write coming back) is skipped; a removed one deletes its meeting here. Instances of a series
   (``occurrence``, ``exception``) bring their series master (``/me/events/{id}``) and its changed
   instances (``/me/events/{id}/instances``), kept as one meeting with its RRULE and overrides;
2. writes what changed here: ``POST /me/events`` for a meeting never synced (with a
   ``transactionId`` made from its UID, so a run that dies after the POST and tries again does not
   create it twice), ``PATCH`` for a changed one, ``POST …/cancel`` for a cancelled one and
   ``DELETE`` for one deleted here. A series' occurrences changed here are PATCHed onto Graph's
   occurrences and those deleted or cancelled here DELETEd (found in ``/instances`` by their
   ``originalStart``); reading a series, an occurrence its pattern makes that ``/instances`` does
   not list was deleted there and becomes an EXDATE here. A series whose rule Graph cannot express
   is written as the nearest pattern Graph has, the occurrences it adds deleted there
   (``graph_patterns``); read back with that pattern it keeps its rule.

Exchange e-mails the attendees of the events written here (invitations, updates, cancellations),
so the platform sends no iTIP message of its own for the meetings of a user synced to Graph
(``itip``, ``selectors.sending_calendar``).

An account whose access was withdrawn stops the connection (the user was told); Graph errors back
off as CalDAV errors do."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta, tzinfo
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from modules.activities.calendar_sync.models import CalendarConnection, SyncedEvent
from modules.activities.calendar_sync.services import sync as caldav_sync
from modules.activities.calendar_sync.services.events import CalendarObject, UnreadableEvent
from modules.activities.calendar_sync.services.graph_events import (
    activity_event,
    event_object,
    instant,
    parse_moment,
    written_pattern,
)
from modules.activities.calendar_sync.services.graph_patterns import NearestPattern, deleted_there, same_pattern
from modules.activities.calendar_sync.services.sync import SyncResult, apply_object, changed_here, local_version
from modules.activities.choices import ActivityStatus
from modules.activities.models import Activity
from modules.activities.services.activities import delete_activity
from modules.activities.services.recurrence import excluded_starts
from modules.oauth_accounts.graph import GraphClient, GraphError
from modules.oauth_accounts.services.tokens import AccountRevoked, OAuthError

logger = logging.getLogger(__name__)

FUTURE_DAYS = 365
PREFER = 'outlook.timezone="UTC", outlook.body-content-type="text"'
SELECT = (
    "id,iCalUId,changeKey,subject,body,location,start,end,isAllDay,isCancelled,lastModifiedDateTime,type,"
    "seriesMasterId,originalStart,recurrence,attendees,organizer"
)


def sync_provider_calendar(connection: CalendarConnection, zone: tzinfo) -> SyncResult | None:
    account = connection.oauth_account
    if account is None:
        caldav_sync._stop(connection, _("The calendar's account is not connected: connect it again."))
        return None
    result = SyncResult()
    try:
        client = GraphClient(account)
        with timezone.override(zone):
            _pull(connection, client, zone, result)
            _push(connection, client, result)
    except AccountRevoked as error:
        caldav_sync._stop(connection, str(error))
        return None
    except OAuthError as error:
        caldav_sync._back_off(connection, str(error))
        return None
    caldav_sync._succeeded(connection)
    return result


def window_of(connection: CalendarConnection) -> dict[str, str]:
    now = timezone.now().replace(microsecond=0)
    start = now - timedelta(days=connection.past_days)
    end = now + timedelta(days=FUTURE_DAYS)
    return {"startDateTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "endDateTime": end.strftime("%Y-%m-%dT%H:%M:%SZ")}


def _pull(connection: CalendarConnection, client: GraphClient, zone: tzinfo, result: SyncResult) -> None:
    link = connection.delta_link or "me/calendarView/delta"
    params = None if connection.delta_link else window_of(connection)
    for page in client.pages(link, params=params, prefer=PREFER):
        series: dict[str, None] = {}
        for item in page.items:
            graph_id = str(item.get("id", ""))[:1000]
            if not graph_id:
                continue
            if "@removed" in item:
                _removed(connection, graph_id, result)
            elif item.get("type") in ("occurrence", "exception") and item.get("seriesMasterId"):
                series[str(item["seriesMasterId"])[:1000]] = None
            else:
                _apply(connection, item, zone, result)
        for master_id in series:
            _apply_series(connection, client, master_id, zone, result)
        CalendarConnection.objects.filter(pk=connection.pk).update(
            delta_link=page.next_link or page.delta_link or connection.delta_link
        )


def _removed(connection: CalendarConnection, graph_id: str, result: SyncResult) -> None:
    synced = connection.events.select_related("activity").filter(href=graph_id).first()
    if synced is not None:
        caldav_sync._deleted_there(synced, result)


def _apply(
    connection: CalendarConnection,
    item: dict[str, Any],
    zone: tzinfo,
    result: SyncResult,
    exceptions: list[dict[str, Any]] | None = None,
    listed: tuple[list[str], dict[str, str]] | None = None,
) -> None:
    graph_id = str(item["id"])[:1000]
    change_key = str(item.get("changeKey", "") or "")[:255]
    known = connection.events.filter(href=graph_id).first()
    if known is not None and change_key and known.etag == change_key and exceptions is None:
        return  # our own write (or nothing new) coming back
    try:
        event = event_object(item, zone, exceptions, listed=listed)
        if listed is not None and known is not None and known.activity_id is not None:
            _keep_rule(known.activity, item, event, listed)
    except UnreadableEvent as error:
        logger.info("calendar connection %s: event skipped: %s", connection.pk, error)
        caldav_sync._remember(
            connection, uid=f"unreadable:{graph_id}"[:255], href=graph_id, etag=change_key, activity=None, ignored=True
        )
        return
    apply_object(connection, event, href=graph_id, etag=change_key, result=result)


def _keep_rule(
    series: Activity | None, item: dict[str, Any], event: CalendarObject, listed: tuple[list[str], dict[str, str]]
) -> None:
    """A series written as the nearest pattern of its rule, read back with that pattern: it keeps
    its rule, and the rule's occurrences no longer listed there were deleted there (EXDATEs)."""
    nearest = written_pattern(series) if series is not None else None
    if (
        series is None
        or nearest is None
        or event.master is None
        or not same_pattern(item.get("recurrence"), nearest.recurrence)
    ):
        return
    starts, window = listed
    present = {instant(parse_moment(text)) for text in starts}
    low, high = parse_moment(window["startDateTime"]), parse_moment(window["endDateTime"])
    event.master.calendar_fields.update(
        rrule=series.rrule, rdates=list(series.rdates or []), time_zone=series.time_zone,
        exdates=deleted_there(series, nearest, item.get("recurrence") or {}, present, (low, high)),
    )  # fmt: skip


def _apply_series(
    connection: CalendarConnection, client: GraphClient, master_id: str, zone: tzinfo, result: SyncResult
) -> None:
    try:
        master = client.json("GET", f"me/events/{master_id}", params={"$select": SELECT}, headers={"Prefer": PREFER})
    except GraphError as error:
        if error.status == 404:
            _removed(connection, master_id, result)
            return
        raise
    window = window_of(connection)
    listed = [
        item for page in client.pages(f"me/events/{master_id}/instances", params=window, prefer=PREFER)
        for item in page.items
    ]  # fmt: skip
    exceptions = [item for item in listed if item.get("type") == "exception"]
    # An occurrence the pattern makes and the listing lacks was deleted there: an EXDATE here.
    starts = [str(item["originalStart"]) for item in listed if item.get("originalStart")]
    _apply(connection, master, zone, result, exceptions, listed=(starts, window))


def _push(connection: CalendarConnection, client: GraphClient, result: SyncResult) -> None:
    for deleted in list(connection.events.filter(activity__isnull=True, ignored=False)):
        _delete_there(client, deleted.href)
        deleted.delete()
        result.deleted_there += 1
    mapped: dict[int | None, SyncedEvent | None] = {
        synced.activity_id: synced for synced in connection.events.filter(activity__isnull=False)
    }
    for activity, synced in list(changed_here(connection, mapped)):
        _write_there(connection, client, activity, synced, result)
    for gone in mapped.values():  # no longer this user's meeting or call: gone from their calendar
        if gone is None:
            continue
        _delete_there(client, gone.href)
        gone.delete()
        result.deleted_there += 1


def _delete_there(client: GraphClient, graph_id: str) -> None:
    try:
        client.request("DELETE", f"me/events/{graph_id}")
    except GraphError as error:
        if error.status != 404:  # already gone there
            raise


def _write_there(
    connection: CalendarConnection,
    client: GraphClient,
    activity: Activity,
    synced: SyncedEvent | None,
    result: SyncResult,
) -> None:
    if not activity.ical_uid:
        # Committed before the POST: a run that dies after it sends the same transactionId again.
        activity.ical_uid = f"{uuid.uuid4()}@relata"
        Activity.objects.filter(pk=activity.pk).update(ical_uid=activity.ical_uid)
    version = local_version(activity)
    body = activity_event(activity)
    nearest = written_pattern(activity) if "recurrence" in body else None
    # A new series written as a nearest pattern gets its attendees once its extra occurrences are
    # deleted: Exchange would otherwise send them a cancellation for each.
    invite_after = bool(synced is None and nearest is not None and nearest.extra and body.get("attendees"))
    if synced is None:
        transaction_id = str(uuid.uuid5(uuid.NAMESPACE_URL, activity.ical_uid))
        first = {**body, "attendees": []} if invite_after else body
        written = client.json("POST", "me/events", json={**first, "transactionId": transaction_id})
    else:
        try:
            written = client.json("PATCH", f"me/events/{synced.href}", json=body)
        except GraphError as error:
            if error.status != 404:
                raise
            # Deleted there since the last read: deleted here too (the delta brings its removal).
            delete_activity(activity, by=None)
            synced.delete()
            result.deleted_here += 1
            return
    graph_id = str(written.get("id", ""))[:1000]
    if nearest is not None:
        _trim_to_rule(client, graph_id, nearest)
    if invite_after:
        written = client.json("PATCH", f"me/events/{graph_id}", json={"attendees": body["attendees"]})
    if "recurrence" in body:
        _write_instances(client, graph_id, activity)
    if activity.status == ActivityStatus.CANCELLED and not written.get("isCancelled"):
        client.request("POST", f"me/events/{graph_id}/cancel", json={"comment": ""})
        written = client.json("GET", f"me/events/{graph_id}", params={"$select": "id,changeKey,iCalUId"})
    caldav_sync._remember(
        connection,
        uid=activity.ical_uid,
        href=graph_id,
        etag=str(written.get("changeKey", "") or "")[:255],
        activity=activity,
        ignored=False,
    )
    if version is not None:
        SyncedEvent.objects.filter(connection=connection, uid=activity.ical_uid).update(local_version=version)
    result.pushed += 1


def _trim_to_rule(client: GraphClient, graph_id: str, nearest: NearestPattern) -> None:
    """A series written as the nearest pattern of its rule: the occurrences the pattern makes and
    the rule does not are deleted there (those deleted before are no longer listed)."""
    if not nearest.extra:
        return
    wanted = {instant(start) for start in nearest.starts}
    window = {
        "startDateTime": (nearest.starts[0] - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "endDateTime": (nearest.starts[-1] + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    for page in client.pages(f"me/events/{graph_id}/instances", params=window, prefer=PREFER):
        for item in page.items:
            if (
                item.get("originalStart")
                and item.get("id")
                and instant(parse_moment(item["originalStart"])) not in wanted
            ):
                _delete_there(client, str(item["id"]))


def _write_instances(client: GraphClient, graph_id: str, series: Activity) -> None:
    """The series' occurrences changed here PATCHed onto their Graph occurrences, and those
    deleted or cancelled here DELETEd there (Graph's patterns hold no EXDATE), found by
    ``originalStart`` in ``/instances`` around them."""
    overrides = list(series.overrides.filter(recurrence_id__isnull=False))
    excluded = excluded_starts(series)
    moments = [row.recurrence_id for row in overrides if row.recurrence_id is not None] + excluded
    if not moments:
        return
    window = {
        "startDateTime": (min(moments) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "endDateTime": (max(moments) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    listed = {
        instant(parse_moment(item["originalStart"])): str(item.get("id", ""))
        for page in client.pages(f"me/events/{graph_id}/instances", params=window, prefer=PREFER)
        for item in page.items
        if item.get("originalStart") and item.get("id")
    }
    for row in overrides:
        found = listed.get(instant(row.recurrence_id)) if row.recurrence_id is not None else None
        if found is None:
            continue  # not an occurrence there (any more)
        if row.status == ActivityStatus.CANCELLED:
            _delete_there(client, found)
        else:
            client.json("PATCH", f"me/events/{found}", json=activity_event(row))
    for moment in excluded:
        found = listed.get(instant(moment))
        if found is not None:
            _delete_there(client, found)
