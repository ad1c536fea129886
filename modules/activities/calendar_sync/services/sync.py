"""Two-way sync of a user's meetings and calls with their CalDAV calendar.

One run (``sync_connection``) holds the connection's job lock (``core.job_locks``), so two
workers never sync one calendar at once, and a worker that dies lets go of it with its database
connection. A run:

1. reads the collection's change tag; when it differs from the last complete read, lists every
   resource's ETag, deletes here what was deleted there, and reads (calendar-multiget) what is
   new or changed there;
2. writes there what changed here (a meeting's ``updated_at``, its overrides' included, later
   than the version last synced), creating resources for meetings never synced (they get an
   ``ical_uid`` first) and deleting those whose meeting was deleted here.

Events are matched by UID. When both sides changed between two runs, the later modification
(the event's LAST-MODIFIED, else DTSTAMP, against the meeting's ``updated_at``) wins and the
conflict is recorded on the synced event (the meeting page shows it). Each event is written in
its own transaction and a new resource's name comes from its UID, so a run that dies half way
leaves what it finished, and the next run finds what it wrote (by UID) instead of adding it
twice. A series is kept as a series (RRULE/RDATE/EXDATE, changed instances as overrides).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from core.encryption import UnreadableSecret, decrypt
from core.job_locks import job_runner
from identity.models import User
from identity.time_zones import zone_of
from modules.activities.calendar_sync.choices import CalendarKind, ConflictWinner, ConnectionState
from modules.activities.calendar_sync.models import CalendarConnection, SyncedEvent
from modules.activities.calendar_sync.services.client import (
    AccessRefused,
    CalDAVClient,
    CalDAVError,
    NotACalendar,
    PreconditionFailed,
    Resource,
)
from modules.activities.calendar_sync.services.events import (
    CalendarObject,
    EventValues,
    UnreadableEvent,
    read_object,
    write_object,
)
from modules.activities.choices import ActivityKind, ActivityStatus
from modules.activities.models import Activity
from modules.activities.services.activities import cancel_activity, create_activity, delete_activity, update_activity
from modules.activities.services.attendees import match_invitees, set_attendees

logger = logging.getLogger(__name__)

SYNCED_KINDS = (ActivityKind.MEETING, ActivityKind.CALL)
FIRST_RETRY_SECONDS = 60
MAX_RETRY_SECONDS = 6 * 3600
LOCK_KIND = "calendar_sync"


@dataclass
class SyncResult:
    pulled: int = 0
    pushed: int = 0
    deleted_here: int = 0
    deleted_there: int = 0
    conflicts: int = 0


# How a provider's calendar is synced (kind → run), registered by the provider's module at start-up.
PROVIDER_SYNCS: dict[str, Callable[[CalendarConnection, tzinfo], SyncResult | None]] = {}


def client_for(connection: CalendarConnection) -> CalDAVClient:
    return CalDAVClient(connection.url, connection.username, decrypt(connection.password))


def sync_connection(connection_id: int) -> SyncResult | None:
    """Run one sync of the connection; None when another run holds it or it is stopped. A
    provider's calendar (not CalDAV) is synced by the run its provider registered in
    ``PROVIDER_SYNCS`` (Microsoft: ``services.graph``, Google: ``services.google_sync``)."""
    with job_runner(LOCK_KIND, connection_id) as held:
        if not held:
            return None
        connection = CalendarConnection.objects.select_related("user").filter(pk=connection_id).first()
        if connection is None or connection.state == ConnectionState.BROKEN:
            return None
        zone = zone_of(connection.user, getattr(db_connection, "tenant", None)) or timezone.get_default_timezone()
        if connection.kind != CalendarKind.CALDAV:
            provider_sync = PROVIDER_SYNCS.get(connection.kind)
            return provider_sync(connection, zone) if provider_sync is not None else None
        try:
            client = client_for(connection)
            with timezone.override(zone):
                result = _run(connection, client, zone)
        except UnreadableSecret:
            _stop(connection, "The stored password cannot be read: connect the calendar again.")
            return None
        except (AccessRefused, NotACalendar) as error:
            _stop(connection, str(error))
            return None
        except CalDAVError as error:
            _back_off(connection, str(error))
            return None
        _succeeded(connection)
        return result


def _stop(connection: CalendarConnection, message: str) -> None:
    """The calendar refuses us or is gone: stop until the user connects again (they see why)."""
    logger.info("calendar connection %s stopped: %s", connection.pk, message)
    CalendarConnection.objects.filter(pk=connection.pk).update(
        state=ConnectionState.BROKEN, last_error=message[:500], last_error_at=timezone.now(), next_sync_at=None
    )


def _back_off(connection: CalendarConnection, message: str) -> None:
    failures = connection.failures + 1
    wait = min(FIRST_RETRY_SECONDS * 2 ** min(failures, 16), MAX_RETRY_SECONDS)
    now = timezone.now()
    CalendarConnection.objects.filter(pk=connection.pk).update(
        state=ConnectionState.FAILING,
        failures=failures,
        last_error=message[:500],
        last_error_at=now,
        next_sync_at=now + timedelta(seconds=wait),
    )


def _succeeded(connection: CalendarConnection) -> None:
    CalendarConnection.objects.filter(pk=connection.pk).update(
        state=ConnectionState.ACTIVE, failures=0, last_error="", next_sync_at=None, last_synced_at=timezone.now()
    )


def _run(connection: CalendarConnection, client: CalDAVClient, zone: tzinfo) -> SyncResult:
    result = SyncResult()
    tag = client.collection_tag()
    if not tag or tag != connection.ctag:
        _pull(connection, client, zone, result)
        # The tag read before the listing: a change made there meanwhile is read next time.
        CalendarConnection.objects.filter(pk=connection.pk).update(ctag=tag[:500])
    _push(connection, client, result)
    return result


def local_version(activity: Activity) -> datetime | None:
    """The latest ``updated_at`` of the meeting and its overrides."""
    return Activity.objects.filter(Q(pk=activity.pk) | Q(series_id=activity.pk)).aggregate(latest=Max("updated_at"))[
        "latest"
    ]


# Reading the calendar


def _pull(connection: CalendarConnection, client: CalDAVClient, zone: tzinfo, result: SyncResult) -> None:
    listed = client.list_etags()
    known = {synced.href: synced for synced in connection.events.select_related("activity")}
    for href, synced in known.items():
        if href not in listed:
            _deleted_there(synced, result)
    changed = [href for href, etag in listed.items() if href not in known or not etag or known[href].etag != etag]
    for resource in client.fetch(changed):
        _apply_remote(connection, resource, zone, result)


def _deleted_there(synced: SyncedEvent, result: SyncResult) -> None:
    with transaction.atomic():
        activity = synced.activity
        if activity is not None and not synced.ignored:
            delete_activity(activity, by=None)
            result.deleted_here += 1
        synced.delete()


def _cutoff(connection: CalendarConnection) -> datetime:
    return timezone.now() - timedelta(days=connection.past_days)


def _apply_remote(connection: CalendarConnection, resource: Resource, zone: tzinfo, result: SyncResult) -> None:
    try:
        event = read_object(resource.data, zone=zone)
    except UnreadableEvent as error:
        logger.info("calendar connection %s: %s skipped: %s", connection.pk, resource.href, error)
        _remember(connection, uid=f"unreadable:{resource.href}"[:255], href=resource.href, etag=resource.etag,
                  activity=None, ignored=True)  # fmt: skip
        return
    apply_object(connection, event, href=resource.href, etag=resource.etag, result=result)


def apply_object(
    connection: CalendarConnection, event: CalendarObject, *, href: str, etag: str, result: SyncResult
) -> None:
    """Bring one event read from the calendar here (created, updated, or overruled by a later
    change made here), in its own transaction."""
    resource = Resource(href=href, etag=etag, data="")
    with transaction.atomic():
        synced = (
            SyncedEvent.objects.select_for_update(of=("self",))
            .select_related("activity")
            .filter(Q(href=resource.href) | Q(uid=event.uid), connection=connection)
            .first()
        )
        if synced is not None and synced.activity is None and not synced.ignored:
            return  # deleted here since the last run: the push deletes it there
        activity = synced.activity if synced is not None else _own_meeting(connection, event.uid)
        if activity is None:
            if event.master is None or (event.latest_end is not None and event.latest_end < _cutoff(connection)):
                _remember(
                    connection, uid=event.uid, href=resource.href, etag=resource.etag, activity=None, ignored=True
                )
                return
            activity = _create(connection, event, event.master)
            result.pulled += 1
        elif synced is not None and synced.local_version is not None and _changed_here(activity, synced):
            if _here_wins(activity, event):
                _record_conflict(synced, ConflictWinner.CRM, event)
                result.conflicts += 1
                # Seen and overruled: the push writes the meeting over this version.
                SyncedEvent.objects.filter(pk=synced.pk).update(etag=resource.etag)
                return
            _record_conflict(synced, ConflictWinner.CALENDAR, activity)
            result.conflicts += 1
            _update(connection, activity, event)
            result.pulled += 1
        else:
            _update(connection, activity, event)
            result.pulled += 1
        _remember(connection, uid=event.uid, href=resource.href, etag=resource.etag, activity=activity, ignored=False)


def _own_meeting(connection: CalendarConnection, uid: str) -> Activity | None:
    """This user's meeting of that UID (one a run wrote there and died before remembering)."""
    return (
        Activity.objects.filter(assignee=connection.user, ical_uid=uid, series__isnull=True, kind__in=SYNCED_KINDS)
        .order_by("pk")
        .first()
    )


def _changed_here(activity: Activity, synced: SyncedEvent) -> bool:
    latest = local_version(activity)
    return bool(latest and synced.local_version and latest > synced.local_version)


def _here_wins(activity: Activity, event: CalendarObject) -> bool:
    there = event.last_modified
    here = local_version(activity)
    return there is None or (here is not None and here > there)


def _summary(values: EventValues | Activity) -> str:
    if isinstance(values, Activity):
        subject, start = values.subject, values.due_at
    else:
        subject, start = values.values["subject"], values.values["due_at"]
    when = timezone.localtime(start).strftime("%Y-%m-%d %H:%M") if start else ""
    return f"{subject} ({when})"[:500]


def _record_conflict(synced: SyncedEvent, winner: str, lost: CalendarObject | Activity) -> None:
    losing = lost.master if isinstance(lost, CalendarObject) else lost
    SyncedEvent.objects.filter(pk=synced.pk).update(
        conflict_at=timezone.now(), conflict_winner=winner, conflict_lost=_summary(losing) if losing else ""
    )


def _create(connection: CalendarConnection, event: CalendarObject, master: EventValues) -> Activity:
    values = dict(master.values)
    cancelled = values.pop("cancelled")
    activity = create_activity(
        by=None,
        kind=ActivityKind.MEETING,
        assignee=connection.user,
        status=ActivityStatus.CANCELLED if cancelled else ActivityStatus.OPEN,
        **values,
    )
    Activity.objects.filter(pk=activity.pk).update(ical_uid=event.uid, **master.calendar_fields)
    activity.refresh_from_db()
    _apply_attendees(connection.user, activity, master)
    _sync_overrides(activity, event)
    return activity


def _apply_attendees(user: User, activity: Activity, event_values: EventValues) -> None:
    """The event's organiser and attendees become the meeting's, matched to contacts the calendar's
    owner may see and to users (an event naming nobody leaves the meeting's attendees alone)."""
    if event_values.attendees is None:
        return
    match_invitees(event_values.attendees, by=user)
    set_attendees(activity, event_values.attendees, by=None)


def _apply_values(activity: Activity, event_values: EventValues) -> None:
    values = dict(event_values.values)
    cancelled = values.pop("cancelled")
    update_activity(activity, by=None, **values)
    if cancelled and activity.status == ActivityStatus.OPEN:
        cancel_activity(activity, by=None)


def _update(connection: CalendarConnection, activity: Activity, event: CalendarObject) -> None:
    if event.master is not None:
        _apply_values(activity, event.master)
        _apply_attendees(connection.user, activity, event.master)
        fields = event.master.calendar_fields
        if any(getattr(activity, name) != value for name, value in fields.items()) or activity.ical_uid != event.uid:
            Activity.objects.filter(pk=activity.pk).update(ical_uid=event.uid, updated_at=timezone.now(), **fields)
    _sync_overrides(activity, event)


def _sync_overrides(activity: Activity, event: CalendarObject) -> None:
    """Changed instances of a series: one override row per RECURRENCE-ID, the rest removed."""
    existing = {row.recurrence_id: row for row in activity.overrides.all()}
    seen = set()
    for override in event.overrides:
        seen.add(override.recurrence_id)
        row = existing.get(override.recurrence_id)
        if row is None:
            values = dict(override.values)
            cancelled = values.pop("cancelled")
            row = create_activity(
                by=None,
                kind=activity.kind,
                assignee=activity.assignee,
                status=ActivityStatus.CANCELLED if cancelled else ActivityStatus.OPEN,
                **values,
            )
            Activity.objects.filter(pk=row.pk).update(
                series=activity, recurrence_id=override.recurrence_id, ical_uid=event.uid
            )
        else:
            _apply_values(row, override)
    for recurrence_id, row in existing.items():
        if recurrence_id not in seen:
            delete_activity(row, by=None)


def _remember(
    connection: CalendarConnection, *, uid: str, href: str, etag: str, activity: Activity | None, ignored: bool
) -> None:
    """Upsert the synced event of ``uid`` (and drop another row that held ``href``)."""
    version = local_version(activity) if activity is not None else None
    SyncedEvent.objects.filter(connection=connection, href=href).exclude(uid=uid).delete()
    SyncedEvent.objects.update_or_create(
        connection=connection,
        uid=uid,
        defaults={"href": href, "etag": etag, "activity": activity, "local_version": version, "ignored": ignored},
    )


# Writing the calendar


def _push(connection: CalendarConnection, client: CalDAVClient, result: SyncResult) -> None:
    for deleted in list(connection.events.filter(activity__isnull=True, ignored=False)):
        client.delete(deleted.href)
        deleted.delete()
        result.deleted_there += 1
    mapped: dict[int | None, SyncedEvent | None] = {
        synced.activity_id: synced for synced in connection.events.filter(activity__isnull=False)
    }
    for activity, synced in changed_here(connection, mapped):
        _write_there(connection, client, activity, synced, result)
    for gone in mapped.values():  # no longer this user's meeting or call: gone from their calendar
        if gone is None:
            continue
        client.delete(gone.href)
        gone.delete()
        result.deleted_there += 1


def changed_here(
    connection: CalendarConnection, mapped: dict[int | None, SyncedEvent | None]
) -> Iterator[tuple[Activity, SyncedEvent | None]]:
    """The user's meetings and calls to write to the calendar (new, or changed since the version
    last synced), each with its synced event; ``mapped`` is left with the synced events whose
    meeting is no longer the user's."""
    candidates = (
        Activity.objects.filter(assignee=connection.user, kind__in=SYNCED_KINDS, due_at__isnull=False)
        .filter(series__isnull=True)
        .filter(Q(due_at__gte=_cutoff(connection)) | ~Q(rrule="") | Q(pk__in=list(mapped)))
        .annotate(latest_override=Max("overrides__updated_at"))
        .order_by("pk")
    )
    for activity in candidates:
        synced = mapped.pop(activity.pk, None)
        latest = max(filter(None, [activity.updated_at, activity.latest_override]))  # type: ignore[attr-defined]
        if synced is not None and synced.local_version is not None and latest <= synced.local_version:
            continue
        if synced is None and activity.status == ActivityStatus.CANCELLED:
            continue
        yield activity, synced


def _write_there(
    connection: CalendarConnection,
    client: CalDAVClient,
    activity: Activity,
    synced: SyncedEvent | None,
    result: SyncResult,
) -> None:
    if not activity.ical_uid:
        # Committed before the write, so a run that dies after it finds the resource by this UID.
        activity.ical_uid = f"{uuid.uuid4()}@relata"
        Activity.objects.filter(pk=activity.pk).update(ical_uid=activity.ical_uid)
    version = local_version(activity)
    data = write_object(activity, list(activity.overrides.order_by("recurrence_id")))
    href = synced.href if synced is not None else client.href_for(activity.ical_uid)
    try:
        etag = client.put(href, data, etag=synced.etag if synced is not None else None)
    except PreconditionFailed:
        if synced is not None:
            return  # changed there meanwhile: the next run reads it and settles it
        # Written by a run that died before remembering it: overwrite it with what is here now.
        current = client.list_etags().get(href, "")
        etag = client.put(href, data, etag=current)
    _remember(connection, uid=activity.ical_uid, href=href, etag=etag, activity=activity, ignored=False)
    if version is not None:
        SyncedEvent.objects.filter(connection=connection, uid=activity.ical_uid).update(local_version=version)
    result.pushed += 1
