"""Two-way sync with a Microsoft 365 calendar through Graph (the local fake): a meeting made or
moved in Outlook arrives and moves here, one made, moved or deleted here is written there (never
twice), our own writes coming back through the delta are not applied again, a deletion there
deletes here, and a withdrawn consent stops the sync."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from modules.activities.calendar_sync.choices import CalendarKind, ConnectionState
from modules.activities.calendar_sync.models import CalendarConnection
from modules.activities.calendar_sync.services.graph_events import recurrence_to_rrule, rrule_to_recurrence
from modules.activities.calendar_sync.services.sync import SyncResult, sync_connection
from modules.activities.choices import ActivityKind
from modules.activities.models import Activity
from modules.activities.services.activities import cancel_activity, create_activity, delete_activity, update_activity
from tests.msgraph_server import FakeMicrosoft
from tests.oauth_accounts.conftest import connect_through_flow
from tests.tenancy import REP_EMAIL, TenantFixture


def _soon(days: int = 1, hours: int = 0) -> datetime:
    return (timezone.now() + timedelta(days=days, hours=hours)).replace(second=0, microsecond=0)


def _graph_time(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def _connected(alpha: TenantFixture, fake: FakeMicrosoft) -> CalendarConnection:
    location = connect_through_flow(alpha.client(REP_EMAIL), fake, purpose="calendar")
    assert location == "/settings/calendar-sync/"
    with alpha.active():
        return CalendarConnection.objects.get()


def _sync(alpha: TenantFixture, connection: CalendarConnection) -> SyncResult:
    with alpha.active():
        result = sync_connection(connection.pk)
    assert result is not None
    return result


def _event(fake: FakeMicrosoft, subject: str, start: datetime, end: datetime, **values: Any) -> str:
    return fake.put_event(
        {"subject": subject, "start": _graph_time(start), "end": _graph_time(end), "type": "singleInstance", **values}
    ).id


def test_connecting_the_calendar_makes_it_the_users_synced_calendar(alpha: TenantFixture, fake_microsoft):
    page = alpha.client(REP_EMAIL).get("/settings/calendar-sync/").content.decode()
    connection = _connected(alpha, fake_microsoft)
    shown = alpha.client(REP_EMAIL).get("/settings/calendar-sync/").content.decode()

    assert 'data-testid="connect-calendar-microsoft"' in page
    assert connection.kind == CalendarKind.MICROSOFT
    assert connection.oauth_account is not None
    assert connection.oauth_account.email == fake_microsoft.email
    assert fake_microsoft.email in shown


def test_a_meeting_moved_in_outlook_moves_here(alpha: TenantFixture, fake_microsoft):
    connection = _connected(alpha, fake_microsoft)
    start = _soon(days=2)
    graph_id = _event(
        fake_microsoft, "Kickoff", start, start + timedelta(hours=1), location={"displayName": "Room 4"},
        body={"contentType": "text", "content": "Agenda"},
    )  # fmt: skip

    first = _sync(alpha, connection)
    with alpha.active():
        meeting = Activity.objects.get(subject="Kickoff")
    moved = start + timedelta(days=1, hours=3)
    fake_microsoft.move_event(
        graph_id, _graph_time(moved)["dateTime"], _graph_time(moved + timedelta(hours=2))["dateTime"]
    )
    second = _sync(alpha, connection)
    third = _sync(alpha, connection)
    with alpha.active():
        meeting.refresh_from_db()

    assert first.pulled == 1
    assert (meeting.kind, meeting.assignee.email, meeting.location, meeting.body) == (
        ActivityKind.MEETING, REP_EMAIL, "Room 4", "Agenda",
    )  # fmt: skip
    assert second.pulled == 1
    assert third.pulled == 0
    assert (meeting.due_at, meeting.ends_at) == (moved, moved + timedelta(hours=2))
    assert [r for r in fake_microsoft.graph_requests if r.startswith(("POST", "PATCH"))] == []


def test_a_meeting_made_and_moved_here_is_written_there_once(alpha: TenantFixture, fake_microsoft):
    connection = _connected(alpha, fake_microsoft)
    start = _soon(days=3)
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        meeting = create_activity(
            by=rep, kind=ActivityKind.MEETING, assignee=rep, subject="Demo", due_at=start,
            ends_at=start + timedelta(hours=1),
        )  # fmt: skip

    created = _sync(alpha, connection)
    with alpha.active():
        update_activity(Activity.objects.get(pk=meeting.pk), by=rep, due_at=start + timedelta(hours=5),
                        ends_at=start + timedelta(hours=6))  # fmt: skip
    moved = _sync(alpha, connection)
    quiet = _sync(alpha, connection)
    events = [e for e in fake_microsoft.events.values() if not e.deleted]

    assert (created.pushed, moved.pushed, quiet.pushed, quiet.pulled) == (1, 1, 0, 0)
    assert len(events) == 1
    assert events[0].body["subject"] == "Demo"
    assert events[0].body["start"] == {
        "dateTime": _graph_time(start + timedelta(hours=5))["dateTime"][:19],
        "timeZone": "UTC",
    }
    assert events[0].body["transactionId"]
    assert len([r for r in fake_microsoft.graph_requests if r == "POST /me/events"]) == 1


def test_deleting_on_either_side_deletes_on_the_other(alpha: TenantFixture, fake_microsoft):
    connection = _connected(alpha, fake_microsoft)
    start = _soon(days=2)
    there = _event(fake_microsoft, "Made in Outlook", start, start + timedelta(hours=1))
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        here = create_activity(
            by=rep, kind=ActivityKind.MEETING, assignee=rep, subject="Made here", due_at=start,
            ends_at=start + timedelta(hours=1),
        )  # fmt: skip
    _sync(alpha, connection)
    written_id = next(e.id for e in fake_microsoft.events.values() if e.body["subject"] == "Made here")

    fake_microsoft.delete_event(there)
    with alpha.active():
        delete_activity(Activity.objects.get(pk=here.pk), by=rep)
    result = _sync(alpha, connection)

    with alpha.active():
        assert not Activity.objects.filter(subject="Made in Outlook").exists()
        assert not connection.events.exists()
    assert (result.deleted_here, result.deleted_there) == (1, 1)
    assert fake_microsoft.events[written_id].deleted


def test_a_withdrawn_consent_stops_the_calendar_sync(alpha: TenantFixture, fake_microsoft):
    connection = _connected(alpha, fake_microsoft)
    fake_microsoft.revoke()
    fake_microsoft.expire_access_tokens()

    with alpha.active():
        assert sync_connection(connection.pk) is None
        connection.refresh_from_db()
    page = alpha.client(REP_EMAIL).get("/settings/calendar-sync/").content.decode()

    assert connection.state == ConnectionState.BROKEN
    assert 'data-testid="connection-broken"' in page


def test_recurrences_map_between_graph_and_rrule():
    weekly = {
        "pattern": {"type": "weekly", "interval": 2, "daysOfWeek": ["monday", "thursday"]},
        "range": {"type": "numbered", "startDate": "2030-01-07", "numberOfOccurrences": 6},
    }
    monthly = {
        "pattern": {"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["friday"], "index": "last"},
        "range": {"type": "endDate", "startDate": "2030-01-25", "endDate": "2030-06-30"},
    }
    start = datetime(2030, 1, 7, 9, tzinfo=UTC)

    assert recurrence_to_rrule(weekly) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=6"
    assert recurrence_to_rrule(monthly) == "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20300630T235959Z"
    back = rrule_to_recurrence("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=6", start, "Europe/Berlin")
    assert back is not None
    assert back["pattern"] == {
        "interval": 2, "type": "weekly", "daysOfWeek": ["monday", "thursday"], "firstDayOfWeek": "monday",
    }  # fmt: skip
    assert back["range"]["type"] == "numbered"
    assert back["range"]["numberOfOccurrences"] == 6
    assert (
        rrule_to_recurrence("FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20300630T235959Z", start, "")["pattern"]["index"] == "last"
    )
    assert rrule_to_recurrence("FREQ=HOURLY", start, "") is None
    assert rrule_to_recurrence("FREQ=MONTHLY;BYSETPOS=2;BYDAY=MO", start, "") is None


def test_a_series_from_outlook_stays_a_series_with_its_moved_instance(alpha: TenantFixture, fake_microsoft):
    connection = _connected(alpha, fake_microsoft)
    start = _soon(days=1)
    weekday = start.astimezone(UTC).strftime("%A").lower()
    master = fake_microsoft.put_event({
        "subject": "Weekly review", "type": "seriesMaster", "start": _graph_time(start),
        "end": _graph_time(start + timedelta(hours=1)),
        "recurrence": {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": [weekday]},
            "range": {"type": "numbered", "startDate": start.date().isoformat(), "numberOfOccurrences": 4,
                      "recurrenceTimeZone": "UTC"},
        },
    })  # fmt: skip
    second = start + timedelta(days=7)
    fake_microsoft.put_event({
        "subject": "Weekly review (later)", "type": "exception", "seriesMasterId": master.id,
        "originalStart": second.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "start": _graph_time(second + timedelta(hours=2)), "end": _graph_time(second + timedelta(hours=3)),
    })  # fmt: skip

    _sync(alpha, connection)
    quiet = _sync(alpha, connection)
    with alpha.active():
        series = Activity.objects.get(subject="Weekly review", series__isnull=True)
        overrides = list(series.overrides.values_list("subject", "recurrence_id", "due_at"))

    assert series.rrule == f"FREQ=WEEKLY;BYDAY={weekday[:2].upper()};COUNT=4"
    assert overrides == [("Weekly review (later)", second, second + timedelta(hours=2))]
    assert quiet.pushed == 0


def test_both_sides_changed_the_later_change_wins_and_is_recorded(alpha: TenantFixture, fake_microsoft):
    connection = _connected(alpha, fake_microsoft)
    start = _soon(days=2)
    graph_id = _event(fake_microsoft, "Pricing call", start, start + timedelta(hours=1))
    _sync(alpha, connection)
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        meeting = Activity.objects.get(subject="Pricing call")
        update_activity(meeting, by=rep, location="Here")
    moved = start + timedelta(hours=4)
    fake_microsoft.move_event(
        graph_id, _graph_time(moved)["dateTime"], _graph_time(moved + timedelta(hours=1))["dateTime"]
    )
    later = (timezone.now() + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
    fake_microsoft.events[graph_id].body["lastModifiedDateTime"] = later

    result = _sync(alpha, connection)
    with alpha.active():
        meeting.refresh_from_db()
        synced = connection.events.get(href=graph_id)

    assert result.conflicts == 1
    assert meeting.due_at == moved
    assert synced.conflict_winner == "calendar"


def test_a_meeting_cancelled_here_is_cancelled_there(alpha: TenantFixture, fake_microsoft):
    connection = _connected(alpha, fake_microsoft)
    start = _soon(days=2)
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        meeting = create_activity(
            by=rep, kind=ActivityKind.MEETING, assignee=rep, subject="Site visit", due_at=start,
            ends_at=start + timedelta(hours=1),
        )  # fmt: skip
    _sync(alpha, connection)
    with alpha.active():
        cancel_activity(Activity.objects.get(pk=meeting.pk), by=rep)
    _sync(alpha, connection)
    quiet = _sync(alpha, connection)
    [event] = fake_microsoft.events.values()

    assert event.body["isCancelled"] is True
    assert any(r.endswith("/cancel") for r in fake_microsoft.graph_requests)
    assert (quiet.pushed, quiet.pulled) == (0, 0)


def test_the_calendar_sync_reaches_no_other_tenants_connection(
    alpha: TenantFixture, beta: TenantFixture, fake_microsoft
):
    connection = _connected(alpha, fake_microsoft)
    start = _soon(days=2)
    _event(fake_microsoft, "Alpha only", start, start + timedelta(hours=1))

    with beta.active():
        assert sync_connection(connection.pk) is None
        assert not Activity.objects.filter(subject="Alpha only").exists()
    with alpha.active():
        assert not Activity.objects.filter(subject="Alpha only").exists()
    assert fake_microsoft.graph_requests == ["GET /me"]  # only the address read while connecting
