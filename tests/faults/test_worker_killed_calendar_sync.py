"""A Celery worker SIGKILLed in the middle of a calendar sync: the event it was writing is rolled
back with its connection, its job lock goes with it, and the next worker's run brings in the rest
with every event exactly once.

The kill is placed inside the run: once some events have come in, the test holds a lock that lets
the worker read but not write meetings, so the worker waits with an event half written."""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from core.encryption import encrypt
from modules.activities.calendar_sync.models import CalendarConnection, SyncedEvent
from modules.activities.calendar_sync.tasks import sync_calendar
from modules.activities.models import Activity
from tests import processes
from tests.activities.calendar_sync.conftest import event_ics, soon
from tests.caldav_server import CalDAVServer, caldav_server  # noqa: F401
from tests.faults.conftest import StandbyWorker
from tests.faults.locks import table_held, waiting_client
from tests.processes import start_celery_worker, stop, wait_until
from tests.tenancy import REP_EMAIL, TenantFixture

EVENTS = 24


@pytest.fixture
def marker(committed_alpha: TenantFixture) -> Iterator[str]:
    marker = uuid.uuid4().hex[:8]
    yield marker
    with tenant_context(committed_alpha.tenant):
        CalendarConnection.objects.filter(user__email=REP_EMAIL).delete()
        Activity.objects.filter(ical_uid__endswith=f"@{marker}").delete()
    connection.set_schema_to_public()


@pytest.mark.worker
def test_a_sync_whose_worker_is_killed_mid_run_goes_on_without_duplicates(
    committed_alpha: TenantFixture,
    caldav_server: CalDAVServer,  # noqa: F811
    marker: str,
    tmp_path: Path,
    standby_worker: StandbyWorker,
) -> None:
    url = caldav_server.new_calendar()
    start = soon(days=1)
    for number in range(EVENTS):
        moment = start + timedelta(hours=number)
        caldav_server.put(
            url,
            f"e{number}.ics",
            event_ics(f"e{number}@{marker}", f"Event {number}", moment, moment + timedelta(minutes=30)),
        )
    with committed_alpha.active():
        calendar = CalendarConnection.objects.create(
            user=committed_alpha.user(REP_EMAIL), url=url, username=caldav_server.user,
            password=encrypt(caldav_server.password),
        )  # fmt: skip
    schema = committed_alpha.tenant.schema_name
    environment = processes.test_process_environment(tmp_path)
    first = start_celery_worker(environment, tmp_path / "first.log")

    def synced() -> int:
        with committed_alpha.active():
            return SyncedEvent.objects.filter(connection_id=calendar.pk, activity__isnull=False).count()

    try:
        with committed_alpha.active():
            sync_calendar.delay(calendar.pk)
        wait_until(lambda: synced() >= 3, timeout=120, interval=0.05, what="some events to come in")
        with table_held(schema, Activity._meta.db_table, mode="EXCLUSIVE") as holder:
            waiting_client(holder, what="the worker to wait inside the run")
            before_the_kill = synced()
            assert 3 <= before_the_kill < EVENTS
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)

        with committed_alpha.active():
            # The event the worker was writing is gone with its connection.
            assert Activity.objects.filter(ical_uid__endswith=f"@{marker}").count() == before_the_kill

        standby_worker.take_over()  # the next worker
        with committed_alpha.active():
            sync_calendar.delay(calendar.pk)  # what beat queues within the minute
        wait_until(lambda: synced() == EVENTS, timeout=180, interval=0.5, what="the rest of the events")
        with committed_alpha.active():
            uids = list(Activity.objects.filter(ical_uid__endswith=f"@{marker}").values_list("ical_uid", flat=True))
            calendar.refresh_from_db()
        assert sorted(uids) == sorted(f"e{number}@{marker}" for number in range(EVENTS))
        assert calendar.last_error == ""
        assert len(caldav_server.names(url)) == EVENTS  # nothing written back twice
    finally:
        if first.poll() is None:
            stop(first)
