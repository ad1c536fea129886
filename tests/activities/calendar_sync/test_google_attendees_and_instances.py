"""Google Calendar both ways for what a meeting holds beyond its times: its attendees (read with
their role and answer; a meeting someone else organises keeps Google's list, changed only by its
organiser), and a series' occurrences changed, cancelled or deleted here
written to Google's instances (the local server expands the series as the Calendar API does)."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from modules.activities.calendar_sync.models import CalendarConnection
from modules.activities.calendar_sync.services.google_client import GoogleCalendarClient
from modules.activities.calendar_sync.services.google_sync import SyncResult, run_google
from modules.activities.choices import ActivityKind, Attendance
from modules.activities.models import Activity
from modules.activities.services.activities import create_activity
from modules.activities.services.invitations import add_attendee
from modules.activities.services.series import delete_occurrence, edit_occurrence
from tests.activities.calendar_sync.conftest import soon
from tests.factories import ContactFactory
from tests.google_server import GoogleServer, google_server  # noqa: F401
from tests.tenancy import REP_EMAIL, TenantFixture


def _iso(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _connection(tenant: TenantFixture) -> CalendarConnection:
    with tenant.active():
        return CalendarConnection.objects.create(user=tenant.user(REP_EMAIL), url="", username="", password="")


def _sync(tenant: TenantFixture, connection: CalendarConnection, server: GoogleServer) -> SyncResult:
    _refresh, access = server.grant()
    with tenant.active():
        connection.refresh_from_db()
        return run_google(connection, GoogleCalendarClient(lambda rejected: access), ZoneInfo("UTC"))


def test_attendees_travel_both_ways_with_their_answers(alpha: TenantFixture, google_server: GoogleServer):  # noqa: F811
    connection = _connection(alpha)
    start = soon(days=2)
    with alpha.active():
        contact = ContactFactory(email="ana@customer.example", owner=alpha.user(REP_EMAIL))
    google_server.put_event({
        "id": "review0001", "summary": "Review", "start": {"dateTime": _iso(start)},
        "end": {"dateTime": _iso(start + timedelta(hours=1))},
        "organizer": {"email": "olga@other.example", "displayName": "Olga"},
        "attendees": [
            {"email": "olga@other.example", "organizer": True, "responseStatus": "accepted"},
            {"email": "Ana@Customer.example", "displayName": "Ana Pop", "responseStatus": "tentative"},
            {"email": REP_EMAIL, "optional": True, "responseStatus": "needsAction", "self": True},
        ],
    })  # fmt: skip

    _sync(alpha, connection, google_server)
    with alpha.active():
        meeting = Activity.objects.get(ical_uid="review0001@google.com")
        rows = {row.email: row for row in meeting.attendees.all()}
        assert rows["olga@other.example"].is_organizer
        assert (rows["ana@customer.example"].contact_id, rows["ana@customer.example"].attendance) == (
            contact.pk,
            Attendance.TENTATIVE,
        )
        assert (rows[REP_EMAIL].role, rows[REP_EMAIL].user_id) == ("optional", alpha.user(REP_EMAIL).pk)
        add_attendee(meeting, email="new@customer.example", by=alpha.user(REP_EMAIL))

    pushed = _sync(alpha, connection, google_server)

    written = {entry["email"]: entry for entry in google_server.event("review0001")["attendees"]}
    assert pushed.pushed == 1
    # Olga organises it: the attendee added here is not written to Google, whose list stays hers.
    assert set(written) == {"olga@other.example", "Ana@Customer.example", REP_EMAIL}
    assert (written["Ana@Customer.example"]["responseStatus"], written[REP_EMAIL]["optional"]) == ("tentative", True)
    assert google_server.state.notices == []
    assert _sync(alpha, connection, google_server).pushed == 0


def test_occurrences_changed_cancelled_and_deleted_here_are_written_to_googles_instances(
    alpha: TenantFixture,
    google_server: GoogleServer,  # noqa: F811
):
    connection = _connection(alpha)
    start = soon(days=1).replace(hour=9, minute=0)
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        series = create_activity(
            by=rep, kind=ActivityKind.MEETING, assignee=rep, subject="Stand-up", due_at=start,
            ends_at=start + timedelta(minutes=15), rrule="FREQ=DAILY;COUNT=5", time_zone="UTC",
        )  # fmt: skip
    _sync(alpha, connection, google_server)
    (event,) = google_server.events()

    with alpha.active():
        edit_occurrence(series, start + timedelta(days=1), by=rep, subject="Stand-up (late)",
                        due_at=start + timedelta(days=1, hours=2))  # fmt: skip
        delete_occurrence(series, start + timedelta(days=3), by=rep)
    pushed = _sync(alpha, connection, google_server)
    quiet = _sync(alpha, connection, google_server)

    instances = {
        e["originalStartTime"]["dateTime"][:16]: e for e in google_server.events() if e.get("recurringEventId")
    }
    moved = instances[(start + timedelta(days=1)).astimezone(UTC).isoformat()[:16]]
    assert moved["summary"] == "Stand-up (late)"
    assert moved["start"]["dateTime"].startswith((start + timedelta(days=1, hours=2)).astimezone(UTC).isoformat()[:16])
    assert moved["recurringEventId"] == event["id"]
    assert any(line.startswith("EXDATE") for line in google_server.event(event["id"])["recurrence"])
    assert (pushed.pushed, quiet.pushed) == (1, 0)
    with alpha.active():
        assert list(series.overrides.values_list("subject", flat=True)) == ["Stand-up (late)"]
        series.refresh_from_db()
        assert len(series.exdates) == 1
