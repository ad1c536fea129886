"""Attendees travel with the meeting both ways: an event's ORGANIZER and ATTENDEE lines become the
meeting's attendees (matched to contacts and users, answers kept and followed), and a meeting's
attendees are written to the calendar with their role and answer."""

from __future__ import annotations

from datetime import timedelta

import vobject

from modules.activities.calendar_sync.models import CalendarConnection
from modules.activities.choices import ActivityKind, Attendance
from modules.activities.models import Activity
from modules.activities.services.activities import create_activity
from modules.activities.services.attendees import Invitee, set_attendees
from modules.activities.services.invitations import add_attendee
from tests.activities.calendar_sync.conftest import event_ics, run_sync, soon
from tests.caldav_server import CalDAVServer
from tests.factories import ContactFactory
from tests.tenancy import REP_EMAIL, TenantFixture


def _people(partstat: str) -> str:
    return (
        "ORGANIZER;CN=Olga Other:mailto:olga@other.example\r\n"
        f"ATTENDEE;CN=Ana Pop;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat}:mailto:Ana@Acme.example\r\n"
        "ATTENDEE;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:rep@example.test\r\n"
    )


def test_the_events_organiser_and_attendees_become_the_meetings_and_follow_their_answers(
    alpha: TenantFixture, caldav_server: CalDAVServer, calendar: CalendarConnection
):
    with alpha.active():
        contact = ContactFactory(email="ana@acme.example", owner=alpha.user(REP_EMAIL))
    start = soon(days=2)
    end = start + timedelta(hours=1)
    caldav_server.put(
        calendar.url, "review.ics", event_ics("review@other", "Review", start, end, extra=_people("ACCEPTED"))
    )

    run_sync(alpha, calendar)

    with alpha.active():
        meeting = Activity.objects.get(ical_uid="review@other")
        rows = {row.email: row for row in meeting.attendees.all()}
        assert sorted(rows) == ["ana@acme.example", "olga@other.example", "rep@example.test"]
        assert rows["olga@other.example"].is_organizer
        assert (rows["ana@acme.example"].contact_id, rows["ana@acme.example"].attendance) == (
            contact.pk,
            Attendance.ACCEPTED,
        )
        assert rows["rep@example.test"].user_id == alpha.user(REP_EMAIL).pk
        assert rows["rep@example.test"].role == "optional"

    later = start + timedelta(minutes=1)  # a change there, so the event is read again
    caldav_server.put(
        calendar.url, "review.ics", event_ics("review@other", "Review", later, end, extra=_people("DECLINED"))
    )
    run_sync(alpha, calendar)

    with alpha.active():
        answer = meeting.attendees.get(email="ana@acme.example")
        assert answer.attendance == Attendance.DECLINED
        assert answer.responded_at is not None


def test_a_meetings_attendees_are_written_with_their_role_and_answer(
    alpha: TenantFixture, caldav_server: CalDAVServer, calendar: CalendarConnection
):
    start = soon(days=3)
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        meeting = create_activity(
            by=rep, kind=ActivityKind.MEETING, assignee=rep, subject="Plan", due_at=start,
            ends_at=start + timedelta(hours=1),
        )  # fmt: skip
        set_attendees(
            meeting,
            [
                Invitee("rep@example.test", "Rita Rep", "chair", Attendance.ACCEPTED, True),
                Invitee("ana@acme.example", "Ana Pop", "optional", Attendance.TENTATIVE),
            ],
            by=rep,
        )

    run_sync(alpha, calendar)

    (name,) = caldav_server.names(calendar.url)
    text = caldav_server.get(calendar.url, name)
    assert text is not None
    event = vobject.readOne(text).vevent
    assert event.organizer.value.lower() == "mailto:rep@example.test"
    written = {
        line.value.lower(): (line.params["ROLE"][0], line.params["PARTSTAT"][0]) for line in event.contents["attendee"]
    }
    assert written == {
        "mailto:rep@example.test": ("CHAIR", "ACCEPTED"),
        "mailto:ana@acme.example": ("OPT-PARTICIPANT", "TENTATIVE"),
    }


def test_a_meeting_whose_only_change_is_its_attendees_is_written_again(
    alpha: TenantFixture, caldav_server: CalDAVServer, calendar: CalendarConnection
):
    start = soon(days=4)
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        meeting = create_activity(
            by=rep, kind=ActivityKind.MEETING, assignee=rep, subject="Demo", due_at=start,
            ends_at=start + timedelta(hours=1),
        )  # fmt: skip
    run_sync(alpha, calendar)
    (name,) = caldav_server.names(calendar.url)
    assert "ATTENDEE" not in (caldav_server.get(calendar.url, name) or "")

    with alpha.active():
        meeting.refresh_from_db()  # the sync gave it its UID
        add_attendee(meeting, email="ana@acme.example", name="Ana Pop", by=rep)
    result = run_sync(alpha, calendar)

    assert result.pushed == 1
    event = vobject.readOne(caldav_server.get(calendar.url, name) or "").vevent
    assert "mailto:ana@acme.example" in {line.value.lower() for line in event.contents["attendee"]}
    assert run_sync(alpha, calendar).pushed == 0  # written once, then settled
