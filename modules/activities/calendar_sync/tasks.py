"""Calendar sync tasks. Beat's ``sync_all_calendars`` (every minute) queues ``sync_calendars``
per served tenant, which queues ``sync_calendar`` for each connection that is due (syncing, or
retrying and past its backoff). A run holds the connection's job lock, so a copy delivered twice
or queued while one still runs does nothing."""

from __future__ import annotations

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from modules.activities.calendar_sync.choices import ConnectionState
from modules.activities.calendar_sync.models import CalendarConnection
from modules.activities.calendar_sync.services.sync import sync_connection
from tenants.services.fleet import queue_for_each_served_tenant, runs_in_a_tenant


@shared_task(acks_late=True)
def sync_calendar(connection_id: int) -> str:
    if not runs_in_a_tenant("sync_calendar"):
        return "skipped"
    result = sync_connection(connection_id)
    return "skipped" if result is None else f"pulled {result.pulled}, pushed {result.pushed}"


def due_connections() -> list[int]:
    now = timezone.now()
    return list(
        CalendarConnection.objects.filter(state__in=(ConnectionState.ACTIVE, ConnectionState.FAILING))
        .filter(Q(next_sync_at__isnull=True) | Q(next_sync_at__lte=now))
        .values_list("pk", flat=True)
    )


@shared_task(acks_late=True)
def sync_calendars() -> int:
    if not runs_in_a_tenant("sync_calendars"):
        return 0
    ids = due_connections()
    for connection_id in ids:
        sync_calendar.apply_async((connection_id,), expires=55, retry=False)
    return len(ids)


@shared_task
def sync_all_calendars() -> int:
    return queue_for_each_served_tenant(sync_calendars, expires=55)
