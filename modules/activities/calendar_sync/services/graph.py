"""Two-way sync of a user's meetings and calls with their Microsoft 365 / Outlook.com calendar
through Microsoft Graph (the connection's ``oauth_account``).

A run (under the connection's job lock, taken by ``sync.sync_connection``):

1. reads ``/me/calendarView/delta`` — the first time over the window from ``past_days`` ago to a
   year ahead, later from the stored ``@odata.deltaLink``, and over a new window (a new delta)
   when less than ``RENEW_WINDOW_DAYS`` of the old one is left ahead — page by page (the link is stored
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
   is written as the nearest patterns Graph has, one series per time of day, the occurrences they
   add deleted there (``graph_patterns``, ``graph_segments``); read back with those patterns it
   keeps its rule and times. Endless ones are extended as time passes (``extend_series``).

Exchange e-mails the attendees of the events written here (invitations, updates, cancellations),
so a meeting organised elsewhere is written without attendees, and the platform sends no iTIP
message of its own for the meetings of a user synced to Graph (``itip``,
``selectors.sending_calendar``) — except a meeting Outlook holds as several series or as its first
occurrence only: its series are written without attendees too, and the platform sends its one
invitation of the whole rule (``graph_segments.one_series_for_good``). What Outlook changed in the
other series of such a meeting is read back by ``graph_parts``.

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
from modules.activities.calendar_sync.services.graph_events import event_object, parse_moment
from modules.activities.calendar_sync.services.graph_parts import (
    SELECT,
    Listed,
    PartsRead,
    after_parts_read,
    instances_of,
    keep_rule,
    read_parts,
    segments_by_key,
)
from modules.activities.calendar_sync.services.graph_segments import (
    PREFER,
    delete_there,
    extend_series,
    graph_window,
    main_record,
    parts_of,
    segment_key,
    segments_of,
    unwritable_reason,
    write_event,
    write_parts,
)
from modules.activities.calendar_sync.services.sync import SyncResult, apply_object, changed_here, local_version
from modules.activities.choices import Attendance, AttendeeRole
from modules.activities.models import Activity
from modules.activities.services import itip
from modules.activities.services.activities import delete_activity
from modules.activities.services.attendees import Invitee
from modules.activities.services.recurrence import exdate_text
from modules.oauth_accounts.graph import GraphClient, GraphError
from modules.oauth_accounts.services.tokens import AccountRevoked, OAuthError

logger = logging.getLogger(__name__)

FUTURE_DAYS = 365
RENEW_WINDOW_DAYS = 180  # a delta keeps its window: a new one is begun when less than this is left


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
    return graph_window(now - timedelta(days=connection.past_days), now + timedelta(days=FUTURE_DAYS))


def _pull(connection: CalendarConnection, client: GraphClient, zone: tzinfo, result: SyncResult) -> None:
    renew = connection.window_until is None or connection.window_until < timezone.now() + timedelta(
        days=RENEW_WINDOW_DAYS
    )
    if connection.delta_link and renew:
        # A new delta over a window from now: what it lists again is skipped by its changeKey, and
        # what it no longer lists (now older than the period) is left as it is.
        connection.delta_link = ""
    params = None
    if not connection.delta_link:
        params = window_of(connection)
        window_until = parse_moment(params["endDateTime"])
        CalendarConnection.objects.filter(pk=connection.pk).update(delta_link="", window_until=window_until)
    link = connection.delta_link or "me/calendarView/delta"
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
        read: set[str] = set()
        for master_id in series:
            whole = _meeting_event(connection, master_id)  # a meeting written as segments: read once
            if whole is not None and whole not in read:
                read.add(whole)
                _apply_series(connection, client, whole, zone, result)
        CalendarConnection.objects.filter(pk=connection.pk).update(
            delta_link=page.next_link or page.delta_link or connection.delta_link
        )


def _removed(connection: CalendarConnection, graph_id: str, result: SyncResult) -> None:
    synced = connection.events.select_related("activity").filter(href=graph_id).first()
    if synced is None:
        return
    if synced.written_pattern.get("part") and synced.activity is not None:
        # One of the series a meeting is written as, deleted there: its occurrences deleted here.
        series = synced.activity
        segment = segments_by_key(connection, series).get(segment_key(synced.written_pattern))
        if segment is not None:
            _exclude_here(connection, series, [exdate_text(series, start) for start in segment.originals])
        synced.delete()
        return
    caldav_sync._deleted_there(synced, result)


def _apply(
    connection: CalendarConnection,
    item: dict[str, Any],
    zone: tzinfo,
    result: SyncResult,
    exceptions: list[dict[str, Any]] | None = None,
    listed: Listed | None = None,
    parts: PartsRead | None = None,
) -> None:
    graph_id = str(item["id"])[:1000]
    change_key = str(item.get("changeKey", "") or "")[:255]
    known = connection.events.select_related("activity").filter(href=graph_id).first()
    if known is not None and known.written_pattern.get("part"):
        return  # one of the series a meeting is written as: read with the meeting (``_apply_series``)
    if known is not None and change_key and known.etag == change_key and exceptions is None:
        return  # our own write (or nothing new) coming back
    try:
        event = event_object(item, zone, exceptions, listed=listed)
        _owner_organises(connection, event)
        if listed is not None and known is not None and known.activity_id is not None:
            keep_rule(connection, known, item, event, listed, parts or PartsRead())
        if known is not None and known.activity is not None and known.written_pattern.get("partial"):
            _keep_partial_rule(known.activity, event)
    except UnreadableEvent as error:
        logger.info("calendar connection %s: event skipped: %s", connection.pk, error)
        caldav_sync._remember(
            connection, uid=f"unreadable:{graph_id}"[:255], href=graph_id, etag=change_key, activity=None, ignored=True
        )
        return
    before = _schedule(known.activity) if known is not None and known.activity is not None else None
    apply_object(connection, event, href=graph_id, etag=change_key, result=result)
    if known is not None and known.activity is not None and before is not None:
        _tell_attendees(known.activity.pk, before)
    if known is not None and known.written_pattern:  # kept through ``_remember``'s upsert
        SyncedEvent.objects.filter(connection=connection, href=graph_id).update(written_pattern=known.written_pattern)
    if (
        known is not None and known.activity is not None and parts is not None and parts.listed
        and not after_parts_read(connection, known.activity, parts)
    ):  # fmt: skip
        _settled(connection, known.activity)


def _keep_partial_rule(series: Activity, event: CalendarObject) -> None:
    """The one event a rule beyond the limits is written as stands for the meeting: read back, its
    time, subject and place are the meeting's, and the meeting keeps its rule."""
    if event.master is None:
        return
    event.master.calendar_fields.update(
        rrule=series.rrule, rdates=list(series.rdates or []), exdates=list(series.exdates or []),
        time_zone=series.time_zone,
    )  # fmt: skip


def _owner_organises(connection: CalendarConnection, event: CalendarObject) -> None:
    """An event the calendar's owner organises (its organiser the account itself, or none named)
    is a meeting organised here: its organiser row stays the assignee, so its attendees are still
    written (and invited by Exchange) after it is read back."""
    master = event.master
    if master is None or master.attendees is None:
        return
    account = connection.oauth_account.email.lower() if connection.oauth_account is not None else ""
    user = connection.user
    organisers = [invitee for invitee in master.attendees if invitee.is_organizer]
    if organisers and organisers[0].email not in (account, user.email.lower()):
        return
    owner = Invitee(user.email.lower(), user.display_name, AttendeeRole.CHAIR, Attendance.ACCEPTED, True, user=user)
    others = [i for i in master.attendees if not i.is_organizer and i.email not in (account, owner.email)]
    master.attendees = [owner, *others]


def _exclude_here(connection: CalendarConnection, series: Activity, texts: list[str]) -> None:
    exdates = sorted({*(series.exdates or []), *texts})
    if exdates != sorted(series.exdates or []):
        before = _schedule(series)
        Activity.objects.filter(pk=series.pk).update(exdates=exdates, updated_at=timezone.now())
        series.exdates = exdates
        _tell_attendees(series.pk, before)
    _settled(connection, series)


def _schedule(series: Activity) -> tuple[str, list[str]]:
    return series.rrule, sorted(series.exdates or [])


def _tell_attendees(series_id: int, before: tuple[str, list[str]]) -> None:
    """A rule or excluded dates read from Outlook (set beside ``update_activity``, which tells of
    the rest): attendees the platform invites get the new version (``itip.after_update`` sends
    nothing for a meeting Exchange invites for, which tells its attendees itself)."""
    series = Activity.objects.filter(pk=series_id).first()
    if series is None:
        return
    now = _schedule(series)
    changed = [name for name, old, new in zip(("rrule", "exdates"), before, now, strict=True) if old != new]
    if changed:
        itip.after_update(series, changed)


def _settled(connection: CalendarConnection, series: Activity) -> None:
    """Every synced event of the meeting holds its version now: what was read is not written back."""
    SyncedEvent.objects.filter(connection=connection, activity=series).update(local_version=local_version(series))


def _meeting_event(connection: CalendarConnection, master_id: str) -> str | None:
    """The series to read for a series there: itself, or for one of the segments a meeting is
    written as, the meeting's own event (None when that is gone)."""
    part = connection.events.filter(href=master_id, written_pattern__has_key="part").first()
    if part is None:
        return master_id
    if part.activity_id is None:
        return None
    main = connection.events.filter(activity_id=part.activity_id).exclude(written_pattern__has_key="part").first()
    return main.href if main is not None else None


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
    listed = instances_of(client, master_id, window)
    exceptions = [item for item in listed if item.get("type") == "exception"]
    # An occurrence the pattern makes and the listing lacks was deleted there: an EXDATE here.
    starts = [str(item["originalStart"]) for item in listed if item.get("originalStart")]
    known = connection.events.select_related("activity").filter(href=master_id).first()
    parts = None
    if known is not None and known.activity is not None and "recurrence" in known.written_pattern:
        # The meeting's other series, read with it (``graph_parts``).
        parts = read_parts(client, known.activity, parts_of(connection, known.activity), window)
        exceptions += parts.exceptions
    _apply(connection, master, zone, result, exceptions, listed=(starts, window), parts=parts)


def _push(connection: CalendarConnection, client: GraphClient, result: SyncResult) -> None:
    for deleted in list(connection.events.filter(activity__isnull=True, ignored=False)):
        delete_there(client, deleted.href)
        deleted.delete()
        result.deleted_there += 1
    mapped: dict[int | None, SyncedEvent | None] = {
        synced.activity_id: synced
        for synced in connection.events.filter(activity__isnull=False).exclude(written_pattern__has_key="part")
    }
    for activity, synced in list(changed_here(connection, mapped)):
        _write_there(connection, client, activity, synced, result)
    for gone in mapped.values():  # no longer this user's meeting or call: gone from their calendar
        if gone is None:
            continue
        parts = connection.events.filter(activity=gone.activity_id, written_pattern__has_key="part")
        for row in [*parts, gone]:
            delete_there(client, row.href)
            row.delete()
        result.deleted_there += 1
    extend_series(connection, client)


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
    planned = segments_of(connection, activity, synced)
    segments = planned[0] if planned else []
    href = synced.href if synced is not None else None
    written = write_event(client, activity, href=href, key=activity.ical_uid, segment=segments[0] if segments else None)
    if written is None:
        # Deleted there since the last read: deleted here too (the delta brings its removal).
        delete_activity(activity, by=None)
        if synced is not None:
            synced.delete()
        result.deleted_here += 1
        return
    write_parts(connection, client, activity, segments[1:])
    caldav_sync._remember(
        connection,
        uid=activity.ical_uid,
        href=str(written.get("id", ""))[:1000],
        etag=str(written.get("changeKey", "") or "")[:255],
        activity=activity,
        ignored=False,
    )
    record = main_record(planned)
    if not planned and (reason := unwritable_reason(activity)):
        record = {"partial": reason}  # the first occurrence only: the meeting and the sync status say so
    SyncedEvent.objects.filter(connection=connection, uid=activity.ical_uid).update(written_pattern=record)
    if version is not None:
        SyncedEvent.objects.filter(connection=connection, activity=activity).update(local_version=version)
    result.pushed += 1
