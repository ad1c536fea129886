"""Two-way sync of a user's meetings and calls with their Google Calendar (primary calendar).

A run (called by ``services.sync.sync_connection`` under the connection's job lock):

1. reads what changed there since the stored sync token (``ctag`` holds Google's
   ``nextSyncToken``); without one, or when Google answers ``410 Gone``, reads every event
   ending after the first-sync period again (an event known here and not listed any more, that
   would have been listed, was deleted there). Events whose ``etag`` is the one last read or
   written are skipped (the run's own writes come back this way). A deleted event
   (``status: cancelled``) deletes its meeting; a series' changed or cancelled instance
   (``recurringEventId``) becomes an override of its meeting;
2. writes there what changed here, as the CalDAV sync does: new meetings are inserted with their
   UID as the event's ``iCalUID`` (committed first, so a run that dies after the insert finds the
   event again, by the listing or by the insert's ``409``, instead of adding it twice), changed
   ones updated with ``If-Match`` on the ``etag`` read (a ``412`` leaves it to the next run,
   which reads the newer version first), deleted ones deleted; a meeting cancelled here is
   deleted there (a Google event has no cancelled state of its own).

Conflicts (both sides changed between two runs) follow the later modification (the event's
``updated`` against the meeting's) and are recorded on the synced event, as for CalDAV.
A series' occurrences changed or cancelled here are written to their instances (found by
``events.instances`` with ``originalStart``); occurrences deleted here are EXDATE lines of the series.

Invitations: for a meeting organised here the writes ask Google to e-mail its attendees
(``sendUpdates=all``: invitations, updates, cancellations), and the platform sends none of its own
for it (``itip``), so nobody is invited twice; a meeting someone else organises is written without
telling anyone (``sendUpdates=none``) and without its attendees (inserted without them, changed
by ``events.patch`` leaving Google's as they are), so Google neither e-mails them nor puts a copy
organised by the calendar's owner in their calendars.
"""

from __future__ import annotations

import logging
import uuid
from datetime import tzinfo
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from modules.activities.calendar_sync.choices import ConflictWinner
from modules.activities.calendar_sync.models import CalendarConnection, SyncedEvent
from modules.activities.calendar_sync.services import sync as caldav_sync
from modules.activities.calendar_sync.services.client import AccessRefused, CalDAVError, PreconditionFailed
from modules.activities.calendar_sync.services.events import CalendarObject, EventValues, UnreadableEvent
from modules.activities.calendar_sync.services.google_client import (
    AlreadyExists,
    EventGone,
    GoogleCalendarClient,
    SyncTokenGone,
)
from modules.activities.calendar_sync.services.google_events import (
    event_body,
    is_cancelled_here,
    read_event,
    read_instance,
)
from modules.activities.choices import ActivityStatus
from modules.activities.models import Activity
from modules.activities.services import itip
from modules.activities.services.activities import create_activity
from modules.oauth_accounts.google import token_source
from modules.oauth_accounts.services.tokens import AccountRevoked, OAuthError

logger = logging.getLogger(__name__)
SyncResult = caldav_sync.SyncResult


def run_google(connection: CalendarConnection, client: GoogleCalendarClient, zone: tzinfo) -> SyncResult:
    result = SyncResult()
    _pull(connection, client, zone, result)
    _push(connection, client, zone, result)
    return result


# Reading the calendar


def _pull(connection: CalendarConnection, client: GoogleCalendarClient, zone: tzinfo, result: SyncResult) -> None:
    full = not connection.ctag
    try:
        if full:
            items, token = client.changes(time_min=caldav_sync._cutoff(connection))
        else:
            items, token = client.changes(sync_token=connection.ctag)
    except SyncTokenGone:
        full = True
        items, token = client.changes(time_min=caldav_sync._cutoff(connection))
    known = {synced.href: synced for synced in connection.events.select_related("activity")}
    if full:
        listed = {str(item.get("id", "")) for item in items}
        cutoff = caldav_sync._cutoff(connection)
        for href, synced in known.items():
            activity = synced.activity
            if activity is None or synced.ignored or href in listed:
                continue
            if activity.rrule or (activity.ends_at or activity.due_at or cutoff) >= cutoff:
                caldav_sync._deleted_there(synced, result)  # it would have been listed: deleted there
    for item in items:
        if not item.get("recurringEventId"):
            _apply_event(connection, item, zone, result)
    for item in items:
        if item.get("recurringEventId"):
            _apply_instance(connection, item, zone, result)
    CalendarConnection.objects.filter(pk=connection.pk).update(ctag=token[:500])


def _apply_event(connection: CalendarConnection, item: dict[str, Any], zone: tzinfo, result: SyncResult) -> None:
    href, etag = str(item.get("id", ""))[:1000], str(item.get("etag", ""))[:255]
    if not href:
        return
    synced = connection.events.select_related("activity").filter(href=href).first()
    if synced is not None and etag and synced.etag == etag:
        return  # the version last read or written by this sync
    if item.get("status") == "cancelled":
        if synced is not None:
            caldav_sync._deleted_there(synced, result)
        return
    try:
        event = read_event(item, zone=zone)
    except UnreadableEvent as error:
        logger.info("calendar connection %s: an event was skipped: %s", connection.pk, error)
        caldav_sync._remember(connection, uid=f"unreadable:{href}"[:255], href=href, etag=etag, activity=None,
                              ignored=True)  # fmt: skip
        return
    master = event.master
    if master is None:  # read_event raises first; kept for the type checker
        return
    with transaction.atomic():
        synced = SyncedEvent.objects.select_for_update(of=("self",)).select_related("activity").filter(
            Q(href=href) | Q(uid=event.uid), connection=connection
        ).first()  # fmt: skip
        if synced is not None and synced.activity is None and not synced.ignored:
            return  # deleted here since the last run: the push deletes it there
        activity = synced.activity if synced is not None else caldav_sync._own_meeting(connection, event.uid)
        if activity is None:
            ends = master.values["ends_at"]
            if not master.calendar_fields.get("rrule") and ends < caldav_sync._cutoff(connection):
                caldav_sync._remember(connection, uid=event.uid, href=href, etag=etag, activity=None, ignored=True)
                return
            activity = caldav_sync._create(connection, event, master)
        elif synced is not None and synced.local_version is not None and caldav_sync._changed_here(activity, synced):
            if caldav_sync._here_wins(activity, event):
                caldav_sync._record_conflict(synced, ConflictWinner.CRM, event)
                result.conflicts += 1
                SyncedEvent.objects.filter(pk=synced.pk).update(etag=etag)  # overruled: the push writes ours
                return
            caldav_sync._record_conflict(synced, ConflictWinner.CALENDAR, activity)
            result.conflicts += 1
            _update_series(connection, activity, event)
        else:
            _update_series(connection, activity, event)
        result.pulled += 1
        caldav_sync._remember(connection, uid=event.uid, href=href, etag=etag, activity=activity, ignored=False)


def _update_series(connection: CalendarConnection, activity: Activity, event: CalendarObject) -> None:
    """The meeting's own values and attendees (its overrides come as instances of their own)."""
    if event.master is None:
        return
    caldav_sync._apply_values(activity, event.master)
    caldav_sync._apply_attendees(connection.user, activity, event.master)
    fields = event.master.calendar_fields
    if any(getattr(activity, name) != value for name, value in fields.items()) or activity.ical_uid != event.uid:
        Activity.objects.filter(pk=activity.pk).update(ical_uid=event.uid, updated_at=timezone.now(), **fields)


def _apply_instance(connection: CalendarConnection, item: dict[str, Any], zone: tzinfo, result: SyncResult) -> None:
    synced = (
        connection.events.select_related("activity").filter(href=str(item.get("recurringEventId", ""))[:1000]).first()
    )
    series = synced.activity if synced is not None else None
    if synced is None or series is None:
        return  # an instance of a series this sync does not keep
    try:
        values = read_instance(item, zone=zone)
    except UnreadableEvent as error:
        logger.info("calendar connection %s: an instance was skipped: %s", connection.pk, error)
        return
    with transaction.atomic():
        _upsert_override(series, values)
        # Read from there: not a change here to write back.
        SyncedEvent.objects.filter(pk=synced.pk).update(local_version=caldav_sync.local_version(series))
    result.pulled += 1


def _upsert_override(series: Activity, override: EventValues) -> None:
    row = series.overrides.filter(recurrence_id=override.recurrence_id).first()
    if row is not None:
        caldav_sync._apply_values(row, override)
        return
    values = dict(override.values)
    cancelled = values.pop("cancelled")
    row = create_activity(
        by=None,
        kind=series.kind,
        assignee=series.assignee,
        status=ActivityStatus.CANCELLED if cancelled else ActivityStatus.OPEN,
        **values,
    )
    Activity.objects.filter(pk=row.pk).update(series=series, recurrence_id=override.recurrence_id,
                                              ical_uid=series.ical_uid)  # fmt: skip


# Writing the calendar


def _push(connection: CalendarConnection, client: GoogleCalendarClient, zone: tzinfo, result: SyncResult) -> None:
    for deleted in list(connection.events.filter(activity__isnull=True, ignored=False)):
        client.delete(deleted.href, send_updates="all")  # Google tells attendees only of the user's own events
        deleted.delete()
        result.deleted_there += 1
    mapped: dict[int | None, SyncedEvent] = {
        synced.activity_id: synced for synced in connection.events.filter(activity__isnull=False)
    }
    candidates = (
        Activity.objects.filter(assignee=connection.user, kind__in=caldav_sync.SYNCED_KINDS, due_at__isnull=False)
        .filter(series__isnull=True)
        .filter(Q(due_at__gte=caldav_sync._cutoff(connection)) | ~Q(rrule="") | Q(pk__in=list(mapped)))
        .annotate(latest_override=Max("overrides__updated_at"))
        .order_by("pk")
    )
    zone_name = str(getattr(zone, "key", "") or "UTC")
    for activity in candidates:
        synced = mapped.pop(activity.pk, None)
        latest = max(filter(None, [activity.updated_at, activity.latest_override]))  # type: ignore[attr-defined]
        if synced is not None and synced.local_version is not None and latest <= synced.local_version:
            continue
        if is_cancelled_here(activity):
            if synced is not None:
                client.delete(synced.href, send_updates=send_updates(activity))
                synced.delete()
                result.deleted_there += 1
            continue
        _write_there(connection, client, activity, synced, zone_name, result)
    for gone in mapped.values():  # no longer this user's meeting or call: gone from their calendar
        client.delete(gone.href)
        gone.delete()
        result.deleted_there += 1


def send_updates(activity: Activity) -> str:
    """Google e-mails the attendees of a meeting organised here (invitations, updates,
    cancellations), and nothing is sent from here for it (``itip``); a meeting someone else
    organises is written without telling anyone."""
    return "all" if itip.organised_here(activity) else "none"


def _write_there(
    connection: CalendarConnection,
    client: GoogleCalendarClient,
    activity: Activity,
    synced: SyncedEvent | None,
    zone_name: str,
    result: SyncResult,
) -> None:
    if not activity.ical_uid:
        # Committed before the insert, so a run that dies after it finds the event by its id.
        activity.ical_uid = f"{uuid.uuid4()}@relata"
        Activity.objects.filter(pk=activity.pk).update(ical_uid=activity.ical_uid)
    version = caldav_sync.local_version(activity)
    own = itip.organised_here(activity)
    body = event_body(activity, zone_name=zone_name, attendees=own)
    if synced is not None:
        try:
            answer = client.update(
                synced.href, body, etag=synced.etag, send_updates=send_updates(activity), patch=not own
            )
        except (PreconditionFailed, EventGone):
            return  # changed or deleted there meanwhile: the next run reads it and settles it
    else:
        try:
            answer = client.insert({**body, "iCalUID": activity.ical_uid}, send_updates=send_updates(activity))
        except AlreadyExists:
            # Inserted by a run that died before remembering it: overwrite it with what is here now.
            current = client.find(activity.ical_uid)
            if current is None:
                raise
            answer = client.update(
                str(current.get("id", "")), body, etag=str(current.get("etag", "")),
                send_updates=send_updates(activity), patch=not own,
            )  # fmt: skip
    href = str(answer.get("id", ""))[:1000]
    _write_instances(client, href, activity, zone_name)
    uid = str(answer.get("iCalUID") or activity.ical_uid)[:255]
    caldav_sync._remember(connection, uid=uid, href=href, etag=str(answer.get("etag", ""))[:255], activity=activity,
                          ignored=False)  # fmt: skip
    if version is not None:
        SyncedEvent.objects.filter(connection=connection, href=href).update(local_version=version)
    result.pushed += 1


def _write_instances(client: GoogleCalendarClient, event_id: str, series: Activity, zone_name: str) -> None:
    """The series' changed and cancelled occurrences written to their Google instances (deleted
    occurrences are the series' EXDATE lines, written with it)."""
    for row in series.overrides.filter(recurrence_id__isnull=False).order_by("recurrence_id"):
        if row.recurrence_id is None:  # filtered above; for the type checker
            continue
        found = client.instance(event_id, row.recurrence_id)
        if found is None:
            continue  # no such occurrence there (any more): nothing to change
        own = itip.organised_here(series)
        body = event_body(row, zone_name=series.time_zone or zone_name, attendees=own)
        if is_cancelled_here(row):
            body["status"] = "cancelled"
        try:
            client.update(str(found["id"]), body, etag="", send_updates=send_updates(series), patch=not own)
        except EventGone:
            continue  # deleted there meanwhile: the next read brings it


def sync_google_calendar(connection: CalendarConnection, zone: tzinfo) -> SyncResult | None:
    """One run for a Google calendar (``sync.sync_connection`` holds the job lock): a withdrawn
    consent or refused access stops the connection (the user is told), other errors back off."""
    account = connection.oauth_account
    if account is None:
        caldav_sync._stop(connection, _("The calendar's account is not connected: connect it again."))
        return None
    try:
        with timezone.override(zone):
            result = run_google(connection, GoogleCalendarClient(token_source(account)), zone)
    except AccountRevoked as error:
        caldav_sync._stop(connection, str(error))
        return None
    except AccessRefused as error:
        caldav_sync._stop(connection, str(error))
        return None
    except (CalDAVError, OAuthError) as error:
        caldav_sync._back_off(connection, str(error))
        return None
    caldav_sync._succeeded(connection)
    return result
