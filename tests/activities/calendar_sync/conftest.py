"""Calendar sync helpers: a connected calendar on the real CalDAV server (Radicale), events as
another calendar program writes them, and one sync run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from core.encryption import encrypt
from modules.activities.calendar_sync.models import CalendarConnection
from modules.activities.calendar_sync.services.sync import SyncResult, sync_connection
from tests.caldav_server import CalDAVServer, caldav_server  # noqa: F401
from tests.tenancy import REP_EMAIL, TenantFixture


def z(moment: datetime) -> str:
    """An iCalendar UTC time."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def soon(days: int = 1, hours: int = 0) -> datetime:
    """A whole minute in the days ahead (never a literal date)."""
    return (timezone.now() + timedelta(days=days, hours=hours)).replace(second=0, microsecond=0)


def event_ics(
    uid: str,
    summary: str,
    start: datetime,
    end: datetime,
    *,
    modified: datetime | None = None,
    extra: str = "",
    overrides: str = "",
) -> str:
    """One VCALENDAR as a calendar program writes it."""
    modified = modified or timezone.now()
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other program//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:{z(modified)}\r\nLAST-MODIFIED:{z(modified)}\r\n"
        f"DTSTART:{z(start)}\r\nDTEND:{z(end)}\r\nSUMMARY:{summary}\r\n{extra}END:VEVENT\r\n"
        f"{overrides}END:VCALENDAR\r\n"
    )


@pytest.fixture
def calendar(alpha: TenantFixture, caldav_server: CalDAVServer) -> CalendarConnection:  # noqa: F811
    """The rep's connected calendar: an empty collection on Radicale."""
    url = caldav_server.new_calendar()
    with alpha.active():
        return CalendarConnection.objects.create(
            user=alpha.user(REP_EMAIL),
            url=url,
            username=caldav_server.user,
            password=encrypt(caldav_server.password),
        )


def run_sync(tenant: TenantFixture, connection: CalendarConnection) -> SyncResult:
    with tenant.active():
        result = sync_connection(connection.pk)
    assert result is not None
    return result
