"""A Google Calendar connected through Google's OAuth2 flow and synced by the calendar task: a
meeting moved in Google moves here and the reverse, and a withdrawn consent stops the sync and
says why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from modules.activities.calendar_sync.choices import CalendarKind, ConnectionState
from modules.activities.calendar_sync.models import CalendarConnection
from modules.activities.calendar_sync.tasks import sync_calendar
from modules.activities.choices import ActivityKind
from modules.activities.models import Activity
from modules.activities.services.activities import create_activity, update_activity
from modules.oauth_accounts.choices import AccountState
from modules.oauth_accounts.models import OAuthAccount
from tests.activities.calendar_sync.conftest import soon
from tests.google.conftest import google_calendar
from tests.google_server import GoogleServer
from tests.tenancy import REP_EMAIL, TenantFixture


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_meeting_moved_in_google_moves_here_and_the_reverse(alpha: TenantFixture, google_server: GoogleServer):
    connection = google_calendar(alpha, google_server)
    start = soon(days=2)
    google_server.put_event({"id": "kickoff0001", "summary": "Kickoff", "start": {"dateTime": _iso(start)},
                             "end": {"dateTime": _iso(start + timedelta(hours=1))}})  # fmt: skip
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        demo = create_activity(
            by=rep,
            kind=ActivityKind.MEETING,
            assignee=rep,
            subject="Demo",
            due_at=start + timedelta(days=1),
            ends_at=start + timedelta(days=1, hours=1),
        )
        sync_calendar(connection.pk)
        kickoff = Activity.objects.get(ical_uid="kickoff0001@google.com")
        demo.refresh_from_db()
    assert connection.kind == CalendarKind.GOOGLE
    assert kickoff.due_at == start
    (there,) = [event for event in google_server.events() if event["iCalUID"] == demo.ical_uid]

    moved = start + timedelta(days=3, hours=2)
    google_server.put_event({**google_server.event("kickoff0001"), "start": {"dateTime": _iso(moved)},
                             "end": {"dateTime": _iso(moved + timedelta(hours=1))}})  # fmt: skip
    later = start + timedelta(days=4)
    with alpha.active():
        update_activity(demo, by=rep, due_at=later)
        sync_calendar(connection.pk)
        kickoff.refresh_from_db()
        connection.refresh_from_db()
    assert kickoff.due_at == moved
    assert google_server.event(there["id"])["start"]["dateTime"].startswith(later.astimezone(UTC).isoformat()[:16])
    assert connection.state == ConnectionState.ACTIVE


def test_a_revoked_consent_stops_the_calendar_sync(alpha: TenantFixture, google_server: GoogleServer):
    connection = google_calendar(alpha, google_server)
    google_server.revoke_all()

    with alpha.active():
        sync_calendar(connection.pk)
        connection = CalendarConnection.objects.get(pk=connection.pk)
        account = OAuthAccount.objects.get()
    calls = len(google_server.state.requests)
    with alpha.active():
        sync_calendar(connection.pk)

    assert connection.state == ConnectionState.BROKEN
    assert "withdrawn" in connection.last_error
    assert account.state == AccountState.REVOKED
    assert len(google_server.state.requests) == calls
