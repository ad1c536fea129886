"""Microsoft 365 calendars both ways for what a meeting holds beyond its times: attendees (read
with their answers, written with their role for a meeting organised here; one someone else
organises is written without them, so Exchange invites nobody), and a series' occurrences changed or deleted on
either side (the local Graph expands series into occurrences as Graph does)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from modules.activities.calendar_sync.models import CalendarConnection
from modules.activities.calendar_sync.services.sync import SyncResult, sync_connection
from modules.activities.choices import ActivityKind, Attendance
from modules.activities.models import Activity
from modules.activities.services.activities import create_activity
from modules.activities.services.invitations import add_attendee
from modules.activities.services.series import delete_occurrence, edit_occurrence
from tests.factories import ContactFactory
from tests.msgraph_server import FakeMicrosoft
from tests.oauth_accounts.conftest import connect_through_flow
from tests.tenancy import REP_EMAIL, TenantFixture


def _start(days: int) -> datetime:
    return (timezone.now() + timedelta(days=days)).astimezone(UTC).replace(hour=9, minute=0, second=0, microsecond=0)


def _graph_time(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def _connected(alpha: TenantFixture, fake: FakeMicrosoft) -> CalendarConnection:
    connect_through_flow(alpha.client(REP_EMAIL), fake, purpose="calendar")
    with alpha.active():
        return CalendarConnection.objects.get()


def _sync(alpha: TenantFixture, connection: CalendarConnection) -> SyncResult:
    with alpha.active():
        result = sync_connection(connection.pk)
    assert result is not None
    return result


def _person(address: str, kind: str, response: str) -> dict:
    return {"emailAddress": {"address": address, "name": address.split("@")[0]}, "type": kind,
            "status": {"response": response}}  # fmt: skip


def test_attendees_travel_both_ways(alpha: TenantFixture, fake_microsoft):
    connection = _connected(alpha, fake_microsoft)
    start = _start(2)
    with alpha.active():
        contact = ContactFactory(email="ana@customer.example", owner=alpha.user(REP_EMAIL))
    event = fake_microsoft.put_event({
        "subject": "Review", "start": _graph_time(start), "end": _graph_time(start + timedelta(hours=1)),
        "organizer": {"emailAddress": {"address": "olga@other.example", "name": "Olga"}},
        "attendees": [_person("Ana@Customer.example", "required", "tentativelyAccepted"),
                      _person(REP_EMAIL, "optional", "none")],
    })  # fmt: skip

    _sync(alpha, connection)
    with alpha.active():
        meeting = Activity.objects.get(subject="Review")
        rows = {row.email: row for row in meeting.attendees.all()}
        assert rows["olga@other.example"].is_organizer
        assert (rows["ana@customer.example"].contact_id, rows["ana@customer.example"].attendance) == (
            contact.pk,
            Attendance.TENTATIVE,
        )
        assert (rows[REP_EMAIL].role, rows[REP_EMAIL].user_id) == ("optional", alpha.user(REP_EMAIL).pk)
        add_attendee(meeting, email="new@customer.example", by=alpha.user(REP_EMAIL))

    pushed = _sync(alpha, connection)

    written = {
        entry["emailAddress"]["address"]: entry["type"] for entry in fake_microsoft.events[event.id].body["attendees"]
    }
    assert pushed.pushed == 1
    # Olga organises it: Outlook's list stays hers, and Exchange sends nobody anything.
    assert written == {"Ana@Customer.example": "required", REP_EMAIL: "optional"}
    assert fake_microsoft.notices == []
    assert _sync(alpha, connection).pushed == 0


def test_occurrences_changed_and_deleted_here_are_written_to_graphs_occurrences(alpha: TenantFixture, fake_microsoft):
    connection = _connected(alpha, fake_microsoft)
    start = _start(1)
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        series = create_activity(
            by=rep, kind=ActivityKind.MEETING, assignee=rep, subject="Stand-up", due_at=start,
            ends_at=start + timedelta(minutes=15), rrule="FREQ=DAILY;COUNT=5", time_zone="UTC",
        )  # fmt: skip
    _sync(alpha, connection)
    (master,) = [e for e in fake_microsoft.events.values() if e.body.get("type") == "seriesMaster"]

    with alpha.active():
        edit_occurrence(series, start + timedelta(days=1), by=rep, subject="Stand-up (late)",
                        due_at=start + timedelta(days=1, hours=2))  # fmt: skip
        delete_occurrence(series, start + timedelta(days=3), by=rep)
    pushed = _sync(alpha, connection)
    settled = [_sync(alpha, connection).pushed for _run in range(2)]

    (exception,) = [e.body for e in fake_microsoft.events.values() if e.body.get("type") == "exception"]
    assert (exception["subject"], exception["seriesMasterId"]) == ("Stand-up (late)", master.id)
    assert exception["start"]["dateTime"].startswith((start + timedelta(days=1, hours=2)).strftime("%Y-%m-%dT%H:%M"))
    assert fake_microsoft.deleted_occurrences[master.id] == {(start + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    assert pushed.pushed == 1
    assert settled[-1] == 0
    with alpha.active():
        series.refresh_from_db()
        assert len(series.exdates) == 1
        assert list(series.overrides.values_list("subject", flat=True)) == ["Stand-up (late)"]


def test_an_occurrence_deleted_in_outlook_is_excluded_here(alpha: TenantFixture, fake_microsoft):
    connection = _connected(alpha, fake_microsoft)
    start = _start(1)
    weekday = start.strftime("%A").lower()
    master = fake_microsoft.put_event({
        "subject": "Weekly review", "type": "seriesMaster", "start": _graph_time(start),
        "end": _graph_time(start + timedelta(hours=1)),
        "recurrence": {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": [weekday]},
            "range": {"type": "numbered", "startDate": start.date().isoformat(), "numberOfOccurrences": 4,
                      "recurrenceTimeZone": "UTC"},
        },
    })  # fmt: skip
    _sync(alpha, connection)

    fake_microsoft.deleted_occurrences[master.id] = {(start + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    master.sequence = fake_microsoft.next_sequence()
    _sync(alpha, connection)

    with alpha.active():
        series = Activity.objects.get(subject="Weekly review", series__isnull=True)
    assert series.exdates == [(start + timedelta(days=14)).isoformat()]
