"""Two-way sync with a real CalDAV server (Radicale): events come in, meetings go out, a move or a
deletion on either side reaches the other, a series stays a series, a conflict keeps the later
change and is recorded, a run that died half way is finished without duplicates, and a revoked
password stops the sync and says so."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import vobject
from django.utils import timezone

from modules.activities.calendar_sync.choices import ConflictWinner, ConnectionState
from modules.activities.calendar_sync.models import CalendarConnection, SyncedEvent
from modules.activities.calendar_sync.services.sync import sync_connection
from modules.activities.choices import ActivityKind, ActivityStatus
from modules.activities.models import Activity
from modules.activities.services.activities import create_activity, delete_activity, update_activity
from tests.activities.calendar_sync.conftest import event_ics, run_sync, soon, z
from tests.caldav_server import CalDAVServer
from tests.tenancy import REP_EMAIL, TenantFixture


def _read(caldav_server: CalDAVServer, connection: CalendarConnection, name: str) -> object:
    text = caldav_server.get(connection.url, name)
    assert text is not None, f"{name} is not on the server"
    return vobject.readOne(text).vevent


def _meeting(tenant: TenantFixture, **values: object) -> Activity:
    with tenant.active():
        rep = tenant.user(REP_EMAIL)
        return create_activity(by=rep, kind=ActivityKind.MEETING, assignee=rep, **values)


def test_a_meeting_moved_in_the_calendar_moves_here(
    alpha: TenantFixture, caldav_server: CalDAVServer, calendar: CalendarConnection
):
    start = soon(days=2)
    caldav_server.put(
        calendar.url, "kickoff.ics", event_ics("kickoff-1@other", "Kickoff", start, start + timedelta(hours=1))
    )

    first = run_sync(alpha, calendar)

    with alpha.active():
        meeting = Activity.objects.get(ical_uid="kickoff-1@other")
        assert (meeting.subject, meeting.kind, meeting.assignee_id) == ("Kickoff", "meeting", alpha.user(REP_EMAIL).pk)
        assert (meeting.due_at, meeting.ends_at) == (start, start + timedelta(hours=1))
    assert first.pulled == 1

    moved = start + timedelta(days=1, hours=3)
    caldav_server.put(
        calendar.url, "kickoff.ics", event_ics("kickoff-1@other", "Kickoff", moved, moved + timedelta(minutes=90))
    )
    run_sync(alpha, calendar)

    with alpha.active():
        meeting.refresh_from_db()
        assert (meeting.due_at, meeting.ends_at) == (moved, moved + timedelta(minutes=90))
        assert Activity.objects.filter(ical_uid="kickoff-1@other").count() == 1


def test_a_meeting_created_and_moved_here_is_written_to_the_calendar(
    alpha: TenantFixture, caldav_server: CalDAVServer, calendar: CalendarConnection
):
    start = soon(days=3)
    meeting = _meeting(
        alpha, subject="Demo for ACME", due_at=start, ends_at=start + timedelta(hours=1), location="Room 4"
    )

    result = run_sync(alpha, calendar)

    with alpha.active():
        meeting.refresh_from_db()
    assert meeting.ical_uid
    assert result.pushed == 1
    (name,) = caldav_server.names(calendar.url)
    event = _read(caldav_server, calendar, name)
    assert (event.uid.value, event.summary.value, event.location.value) == (meeting.ical_uid, "Demo for ACME", "Room 4")
    assert event.dtstart.value == start

    moved = start + timedelta(hours=5)
    with alpha.active():
        update_activity(meeting, by=None, due_at=moved)
    run_sync(alpha, calendar)

    event = _read(caldav_server, calendar, name)
    assert (event.dtstart.value, event.dtend.value) == (moved, moved + timedelta(hours=1))
    assert caldav_server.names(calendar.url) == [name]
    assert run_sync(alpha, calendar).pushed == 0  # nothing changed since


def test_a_call_is_written_with_a_default_length_and_tasks_stay_out(
    alpha: TenantFixture, caldav_server: CalDAVServer, calendar: CalendarConnection
):
    start = soon(days=1)
    _meeting(alpha, subject="Call Bob", due_at=start)
    with alpha.active():
        Activity.objects.filter(subject="Call Bob").update(kind=ActivityKind.CALL)
        rep = alpha.user(REP_EMAIL)
        create_activity(by=rep, kind=ActivityKind.TASK, subject="Send the offer", due_at=start, assignee=rep)

    run_sync(alpha, calendar)

    (name,) = caldav_server.names(calendar.url)
    event = _read(caldav_server, calendar, name)
    assert event.summary.value == "Call Bob"
    assert event.dtend.value - event.dtstart.value == timedelta(minutes=30)


def test_deleting_on_one_side_deletes_on_the_other(
    alpha: TenantFixture, caldav_server: CalDAVServer, calendar: CalendarConnection
):
    start = soon(days=4)
    caldav_server.put(
        calendar.url, "there.ics", event_ics("there@other", "Made there", start, start + timedelta(hours=1))
    )
    here = _meeting(alpha, subject="Made here", due_at=start, ends_at=start + timedelta(hours=1))
    run_sync(alpha, calendar)
    assert len(caldav_server.names(calendar.url)) == 2

    caldav_server.delete(calendar.url, "there.ics")
    with alpha.active():
        delete_activity(Activity.objects.get(pk=here.pk), by=None)
    result = run_sync(alpha, calendar)

    assert (result.deleted_here, result.deleted_there) == (1, 1)
    assert caldav_server.names(calendar.url) == []
    with alpha.active():
        assert not Activity.objects.filter(subject__in=["Made there", "Made here"]).exists()
        assert not SyncedEvent.objects.filter(connection=calendar).exists()


def test_old_events_before_the_first_sync_period_stay_out(
    alpha: TenantFixture, caldav_server: CalDAVServer, calendar: CalendarConnection
):
    old = soon(days=-(calendar.past_days + 5))
    caldav_server.put(calendar.url, "old.ics", event_ics("old@other", "Long ago", old, old + timedelta(hours=1)))

    run_sync(alpha, calendar)
    run_sync(alpha, calendar)

    with alpha.active():
        assert not Activity.objects.filter(ical_uid="old@other").exists()
        assert SyncedEvent.objects.get(connection=calendar, uid="old@other").ignored


def test_a_series_stays_a_series_with_its_moved_instance(
    alpha: TenantFixture, caldav_server: CalDAVServer, calendar: CalendarConnection
):
    start = soon(days=1)
    second = start + timedelta(days=7)
    override = (
        f"BEGIN:VEVENT\r\nUID:weekly@other\r\nDTSTAMP:{z(timezone.now())}\r\nRECURRENCE-ID:{z(second)}\r\n"
        f"DTSTART:{z(second + timedelta(hours=2))}\r\nDTEND:{z(second + timedelta(hours=3))}\r\n"
        "SUMMARY:Weekly (moved)\r\nEND:VEVENT\r\n"
    )
    caldav_server.put(
        calendar.url,
        "weekly.ics",
        event_ics(
            "weekly@other", "Weekly", start, start + timedelta(hours=1),
            extra=f"RRULE:FREQ=WEEKLY;COUNT=5\r\nEXDATE:{z(start + timedelta(days=14))}\r\n", overrides=override,
        ),
    )  # fmt: skip

    run_sync(alpha, calendar)

    with alpha.active():
        series = Activity.objects.get(ical_uid="weekly@other", series__isnull=True)
        assert series.rrule == "FREQ=WEEKLY;COUNT=5"
        assert series.exdates == [(start + timedelta(days=14)).isoformat()]
        moved = Activity.objects.get(series=series)
        assert (moved.recurrence_id, moved.due_at, moved.subject) == (
            second,
            second + timedelta(hours=2),
            "Weekly (moved)",
        )
        # Changed here: the whole series goes back as one resource, still a series.
        update_activity(series, by=None, subject="Weekly sync")
    run_sync(alpha, calendar)

    calendar_text = caldav_server.get(calendar.url, "weekly.ics")
    assert calendar_text is not None
    events = vobject.readOne(calendar_text).vevent_list
    master = next(event for event in events if "recurrence-id" not in event.contents)
    assert master.summary.value == "Weekly sync"
    assert master.rrule.value == "FREQ=WEEKLY;COUNT=5"
    assert [event.recurrence_id.value for event in events if "recurrence-id" in event.contents] == [second]
    with alpha.active():
        assert Activity.objects.filter(ical_uid="weekly@other").count() == 2


def test_when_both_sides_changed_the_later_change_wins_and_the_conflict_is_recorded(
    alpha: TenantFixture, caldav_server: CalDAVServer, calendar: CalendarConnection
):
    start = soon(days=5)
    caldav_server.put(
        calendar.url, "review.ics", event_ics("review@other", "Review", start, start + timedelta(hours=1))
    )
    run_sync(alpha, calendar)
    with alpha.active():
        meeting = Activity.objects.get(ical_uid="review@other")
        update_activity(meeting, by=None, subject="Review (changed here)")
    later = start + timedelta(hours=2)
    caldav_server.put(
        calendar.url,
        "review.ics",
        event_ics("review@other", "Review (moved there)", later, later + timedelta(hours=1),
                  modified=timezone.now() + timedelta(minutes=5)),
    )  # fmt: skip

    result = run_sync(alpha, calendar)

    assert result.conflicts == 1
    with alpha.active():
        meeting.refresh_from_db()
        assert (meeting.subject, meeting.due_at) == ("Review (moved there)", later)
        synced = SyncedEvent.objects.get(activity=meeting)
        assert synced.conflict_winner == ConflictWinner.CALENDAR
        assert "Review (changed here)" in synced.conflict_lost

    # The other way round: a change here later than the calendar's is kept and written there.
    with alpha.active():
        update_activity(meeting, by=None, subject="Review (final)")
    caldav_server.put(
        calendar.url,
        "review.ics",
        event_ics("review@other", "Review (stale)", later, later + timedelta(hours=1),
                  modified=timezone.now() - timedelta(hours=1)),
    )  # fmt: skip
    run_sync(alpha, calendar)

    with alpha.active():
        meeting.refresh_from_db()
        assert meeting.subject == "Review (final)"
        assert SyncedEvent.objects.get(activity=meeting).conflict_winner == ConflictWinner.CRM
    assert _read(caldav_server, calendar, "review.ics").summary.value == "Review (final)"


def test_a_run_that_died_after_writing_an_event_is_finished_without_a_duplicate(
    alpha: TenantFixture, caldav_server: CalDAVServer, calendar: CalendarConnection
):
    start = soon(days=2)
    meeting = _meeting(alpha, subject="Board call", due_at=start, ends_at=start + timedelta(hours=1))
    run_sync(alpha, calendar)
    # As if the run had died between writing the event there and remembering it here.
    with alpha.active():
        SyncedEvent.objects.filter(connection=calendar).delete()
        CalendarConnection.objects.filter(pk=calendar.pk).update(ctag="")

    run_sync(alpha, calendar)
    run_sync(alpha, calendar)

    assert len(caldav_server.names(calendar.url)) == 1
    with alpha.active():
        assert Activity.objects.filter(subject="Board call").count() == 1
        assert SyncedEvent.objects.get(connection=calendar).activity_id == meeting.pk


def test_a_revoked_password_stops_the_sync_and_says_so(
    alpha: TenantFixture, caldav_server: CalDAVServer, calendar: CalendarConnection
):
    caldav_server.set_password("a-new-password")
    try:
        with alpha.active():
            assert sync_connection(calendar.pk) is None
            calendar.refresh_from_db()
            assert calendar.state == ConnectionState.BROKEN
            assert "refused" in calendar.last_error
            # Stopped: a later run does not try again until the user connects again.
            assert sync_connection(calendar.pk) is None
        page = alpha.client(REP_EMAIL).get("/settings/calendar-sync/").content.decode()
        assert 'data-testid="connection-broken"' in page
        assert 'data-testid="calendar-sync-stopped"' in alpha.client(REP_EMAIL).get("/calendar/").content.decode()
    finally:
        caldav_server.set_password(caldav_server.password)


def test_an_unreachable_server_is_retried_later_and_later(alpha: TenantFixture, calendar: CalendarConnection):
    from tests.processes import free_port

    with alpha.active():
        CalendarConnection.objects.filter(pk=calendar.pk).update(url=f"http://127.0.0.1:{free_port()}/rep/cal/")
        assert sync_connection(calendar.pk) is None
        calendar.refresh_from_db()
        first_wait = calendar.next_sync_at - calendar.last_error_at
        assert calendar.state == ConnectionState.FAILING
        assert sync_connection(calendar.pk) is None
        calendar.refresh_from_db()
    assert calendar.failures == 2
    assert calendar.next_sync_at - calendar.last_error_at == 2 * first_wait


def test_cancelled_there_is_cancelled_here(
    alpha: TenantFixture, caldav_server: CalDAVServer, calendar: CalendarConnection
):
    start = soon(days=3)
    caldav_server.put(calendar.url, "lunch.ics", event_ics("lunch@other", "Lunch", start, start + timedelta(hours=1)))
    run_sync(alpha, calendar)
    caldav_server.put(
        calendar.url,
        "lunch.ics",
        event_ics("lunch@other", "Lunch", start, start + timedelta(hours=1), extra="STATUS:CANCELLED\r\n"),
    )

    run_sync(alpha, calendar)

    with alpha.active():
        assert Activity.objects.get(ical_uid="lunch@other").status == ActivityStatus.CANCELLED


STOCKHOLM = (
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Stockholm\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"
    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
)


def test_a_series_in_a_time_zone_keeps_its_zone_both_ways(
    alpha: TenantFixture, caldav_server: CalDAVServer, calendar: CalendarConnection
):
    zone = ZoneInfo("Europe/Stockholm")
    day = timezone.localdate(soon(days=3), zone)
    local_start = datetime.combine(day, time(9, 0), zone)
    caldav_server.put(
        calendar.url,
        "standup.ics",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other program//EN\r\n" + STOCKHOLM
        + f"BEGIN:VEVENT\r\nUID:standup@other\r\nDTSTAMP:{z(timezone.now())}\r\n"
        f"DTSTART;TZID=Europe/Stockholm:{day:%Y%m%d}T090000\r\nDTEND;TZID=Europe/Stockholm:{day:%Y%m%d}T091500\r\n"
        "RRULE:FREQ=DAILY;COUNT=200\r\nSUMMARY:Stand-up\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )  # fmt: skip

    run_sync(alpha, calendar)

    with alpha.active():
        series = Activity.objects.get(ical_uid="standup@other")
        assert (series.time_zone, series.due_at, series.rrule) == (
            "Europe/Stockholm",
            local_start,
            "FREQ=DAILY;COUNT=200",
        )
        update_activity(series, by=None, subject="Daily stand-up")
    run_sync(alpha, calendar)

    event = _read(caldav_server, calendar, "standup.ics")
    assert event.summary.value == "Daily stand-up"
    assert event.dtstart.params.get("TZID", [None])[0] in (None, "Europe/Stockholm")
    assert event.dtstart.value.replace(tzinfo=None) == local_start.replace(tzinfo=None)  # 09:00 wall clock
