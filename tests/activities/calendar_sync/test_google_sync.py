"""Two-way sync with Google Calendar (a local server speaking the Calendar API): a meeting moved
there moves here and the reverse, deletions travel both ways, a series and its changed instance
come in, an expired sync token reads the calendar again without duplicates, and a run that died
after inserting an event finds it again."""

from __future__ import annotations

from datetime import UTC, timedelta

from modules.activities.calendar_sync.models import CalendarConnection, SyncedEvent
from modules.activities.calendar_sync.services.google_client import GoogleCalendarClient
from modules.activities.calendar_sync.services.google_sync import SyncResult, run_google
from modules.activities.choices import ActivityKind, ActivityStatus
from modules.activities.models import Activity
from modules.activities.services.activities import create_activity, delete_activity, update_activity
from tests.activities.calendar_sync.conftest import soon
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
        from zoneinfo import ZoneInfo

        return run_google(connection, GoogleCalendarClient(lambda rejected: access), ZoneInfo("UTC"))


def test_a_meeting_moved_in_google_moves_here_and_the_reverse(alpha: TenantFixture, google_server: GoogleServer):  # noqa: F811
    connection = _connection(alpha)
    start = soon(days=2)
    google_server.put_event(
        {
            "id": "kickoff0001",
            "summary": "Kickoff",
            "start": {"dateTime": _iso(start)},
            "end": {"dateTime": _iso(start + timedelta(hours=1))},
        }
    )
    assert _sync(alpha, connection, google_server).pulled == 1
    with alpha.active():
        meeting = Activity.objects.get(ical_uid="kickoff0001@google.com")
        assert (meeting.subject, meeting.kind, meeting.due_at) == ("Kickoff", ActivityKind.MEETING, start)

    moved = start + timedelta(days=1, hours=2)
    google_server.put_event(
        {
            **google_server.event("kickoff0001"),
            "start": {"dateTime": _iso(moved)},
            "end": {"dateTime": _iso(moved + timedelta(minutes=90))},
        }
    )
    result = _sync(alpha, connection, google_server)
    with alpha.active():
        meeting.refresh_from_db()
        assert (meeting.due_at, meeting.ends_at) == (moved, moved + timedelta(minutes=90))
        assert Activity.objects.filter(ical_uid="kickoff0001@google.com").count() == 1
    assert (result.pulled, result.pushed) == (1, 0)

    later = moved + timedelta(days=1)
    with alpha.active():
        update_activity(meeting, by=alpha.user(REP_EMAIL), due_at=later)
    result = _sync(alpha, connection, google_server)
    there = google_server.event("kickoff0001")
    assert result.pushed == 1
    assert there["start"]["dateTime"].startswith(later.astimezone(UTC).isoformat()[:16])
    assert _sync(alpha, connection, google_server).pulled == 0  # our own write is not read back as a change


def test_meetings_created_and_deleted_here_travel_and_deletions_there_come_back(
    alpha: TenantFixture,
    google_server: GoogleServer,  # noqa: F811
):
    connection = _connection(alpha)
    start = soon(days=3)
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        demo = create_activity(
            by=rep,
            kind=ActivityKind.MEETING,
            assignee=rep,
            subject="Demo",
            due_at=start,
            ends_at=start + timedelta(hours=1),
            location="Room 4",
        )
        call = create_activity(by=rep, kind=ActivityKind.CALL, assignee=rep, subject="Call Bo", due_at=start)
    assert _sync(alpha, connection, google_server).pushed == 2
    with alpha.active():
        demo.refresh_from_db()
    (there,) = [e for e in google_server.events() if e["iCalUID"] == demo.ical_uid]
    assert there["location"] == "Room 4"
    assert {e["summary"] for e in google_server.events()} == {"Demo", "Call Bo"}

    with alpha.active():
        delete_activity(demo, by=rep)
    assert _sync(alpha, connection, google_server).deleted_there == 1
    assert {e["summary"] for e in google_server.events()} == {"Call Bo"}

    with alpha.active():
        call.refresh_from_db()
    (there,) = [e for e in google_server.events() if e["iCalUID"] == call.ical_uid]
    google_server.delete_event(there["id"])
    assert _sync(alpha, connection, google_server).deleted_here == 1
    with alpha.active():
        assert not Activity.objects.filter(pk=call.pk).exists()
        assert not SyncedEvent.objects.filter(connection=connection).exists()


def test_a_series_and_its_changed_instance_and_an_expired_sync_token(alpha: TenantFixture, google_server: GoogleServer):  # noqa: F811
    connection = _connection(alpha)
    start = soon(days=1).replace(hour=9, minute=0)
    google_server.put_event(
        {
            "id": "standup0001",
            "summary": "Stand-up",
            "recurrence": ["RRULE:FREQ=DAILY;COUNT=5"],
            "start": {"dateTime": _iso(start), "timeZone": "UTC"},
            "end": {"dateTime": _iso(start + timedelta(minutes=15)), "timeZone": "UTC"},
        }
    )
    second = start + timedelta(days=1)
    google_server.put_event(
        {
            "id": "standup0001_x",
            "summary": "Stand-up (late)",
            "recurringEventId": "standup0001",
            "iCalUID": "standup0001@google.com",
            "originalStartTime": {"dateTime": _iso(second), "timeZone": "UTC"},
            "start": {"dateTime": _iso(second + timedelta(hours=1)), "timeZone": "UTC"},
            "end": {"dateTime": _iso(second + timedelta(hours=1, minutes=15)), "timeZone": "UTC"},
        }
    )
    google_server.put_event(
        {
            "id": "standup0001_y",
            "status": "cancelled",
            "recurringEventId": "standup0001",
            "iCalUID": "standup0001@google.com",
            "originalStartTime": {"dateTime": _iso(second + timedelta(days=1))},
            "start": {"dateTime": _iso(second + timedelta(days=1))},
            "end": {"dateTime": _iso(second + timedelta(days=1, minutes=15))},
        }
    )
    _sync(alpha, connection, google_server)
    with alpha.active():
        series = Activity.objects.get(ical_uid="standup0001@google.com", series__isnull=True)
        overrides = {o.recurrence_id: o for o in series.overrides.all()}
    assert series.rrule == "FREQ=DAILY;COUNT=5"
    assert overrides[second].subject == "Stand-up (late)"
    assert overrides[second].due_at == second + timedelta(hours=1)
    assert overrides[second + timedelta(days=1)].status == ActivityStatus.CANCELLED

    google_server.state.expired_sync_tokens = True  # Google answers 410: read everything again
    result = _sync(alpha, connection, google_server)
    with alpha.active():
        assert Activity.objects.filter(ical_uid="standup0001@google.com", series__isnull=True).count() == 1
        assert Activity.objects.filter(series=series).count() == 2
    assert result.deleted_here == 0


def test_a_run_that_died_after_inserting_finds_the_event_again(alpha: TenantFixture, google_server: GoogleServer):  # noqa: F811
    from tests.google_calendar_api import sync_token as _sync_token

    connection = _connection(alpha)
    start = soon(days=4)
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        meeting = create_activity(
            by=rep,
            kind=ActivityKind.MEETING,
            assignee=rep,
            subject="Review",
            due_at=start,
            ends_at=start + timedelta(hours=1),
        )
    _sync(alpha, connection, google_server)
    with alpha.active():
        # As if the run died after the insert, before remembering it, and the listing has moved past it.
        SyncedEvent.objects.filter(connection=connection).delete()
        CalendarConnection.objects.filter(pk=connection.pk).update(ctag=_sync_token(google_server.state.seq))
        meeting.refresh_from_db()
        update_activity(meeting, by=rep, subject="Review (moved room)")

    _sync(alpha, connection, google_server)

    assert [e["summary"] for e in google_server.events()] == ["Review (moved room)"]
    with alpha.active():
        meeting.refresh_from_db()
        assert SyncedEvent.objects.get(connection=connection).activity_id == meeting.pk
        assert Activity.objects.filter(assignee=rep, kind=ActivityKind.MEETING).count() == 1
    assert google_server.events()[0]["iCalUID"] == meeting.ical_uid


def test_a_new_event_made_by_a_dead_run_is_adopted_not_doubled(alpha: TenantFixture, google_server: GoogleServer):  # noqa: F811
    connection = _connection(alpha)
    start = soon(days=5)
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        create_activity(by=rep, kind=ActivityKind.MEETING, assignee=rep, subject="Plan", due_at=start)
    _sync(alpha, connection, google_server)
    with alpha.active():
        SyncedEvent.objects.filter(connection=connection).delete()  # died before remembering; listed next time

    _sync(alpha, connection, google_server)

    assert [e["summary"] for e in google_server.events()] == ["Plan"]
    with alpha.active():
        assert Activity.objects.filter(assignee=rep, subject="Plan").count() == 1
        assert SyncedEvent.objects.filter(connection=connection, activity__isnull=False).count() == 1


def test_both_sides_changed_the_later_change_wins_and_the_conflict_is_recorded(
    alpha: TenantFixture,
    google_server: GoogleServer,  # noqa: F811
):
    from modules.activities.calendar_sync.choices import ConflictWinner

    connection = _connection(alpha)
    start = soon(days=2)
    google_server.put_event({"id": "budget0001", "summary": "Budget", "start": {"dateTime": _iso(start)},
                             "end": {"dateTime": _iso(start + timedelta(hours=1))}})  # fmt: skip
    _sync(alpha, connection, google_server)
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        meeting = Activity.objects.get(ical_uid="budget0001@google.com")
    # Changed there first, then here: the change made here is the later one and wins.
    google_server.put_event({**google_server.event("budget0001"), "summary": "Budget (there)"})
    with alpha.active():
        update_activity(meeting, by=rep, subject="Budget (here)")
    result = _sync(alpha, connection, google_server)
    with alpha.active():
        synced = SyncedEvent.objects.get(connection=connection, href="budget0001")
        meeting.refresh_from_db()
    assert result.conflicts == 1
    assert (synced.conflict_winner, meeting.subject) == (ConflictWinner.CRM, "Budget (here)")
    assert synced.conflict_lost.startswith("Budget (there)")
    assert google_server.event("budget0001")["summary"] == "Budget (here)"

    # Changed here first, then there: the calendar's later change wins.
    with alpha.active():
        update_activity(meeting, by=rep, subject="Budget (here again)")
    google_server.put_event({**google_server.event("budget0001"), "summary": "Budget (there again)"})
    _sync(alpha, connection, google_server)
    with alpha.active():
        synced.refresh_from_db()
        meeting.refresh_from_db()
    assert (synced.conflict_winner, meeting.subject) == (ConflictWinner.CALENDAR, "Budget (there again)")
    assert google_server.event("budget0001")["summary"] == "Budget (there again)"
