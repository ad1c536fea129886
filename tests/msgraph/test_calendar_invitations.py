"""Who invites the attendees of a meeting synced to Microsoft 365: Exchange e-mails them itself for
an organiser's event with attendees (and cannot be told not to), so the platform sends no iTIP
message of its own for a meeting whose organiser's calendar is there; Outlook's invitation, update
and cancellation are the only ones. A stopped sync hands the sending back to the platform. A
meeting someone else organises is written without its attendees, so Exchange invites nobody."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from modules.activities.calendar_sync.choices import ConnectionState
from modules.activities.calendar_sync.models import CalendarConnection
from modules.activities.calendar_sync.services.sync import sync_connection
from modules.activities.choices import ActivityKind
from modules.activities.models import ActivityAttendee
from modules.activities.services.activities import create_activity, delete_activity, update_activity
from modules.activities.services.invitations import add_attendee, remove_attendee
from tests.activities.calendar_sync.conftest import soon
from tests.msgraph_calendar import Notice
from tests.msgraph_server import FakeMicrosoft
from tests.oauth_accounts.conftest import connect_through_flow
from tests.tenancy import REP_EMAIL, TenantFixture

pytestmark = pytest.mark.usefixtures("eager_tasks")


def _sync(alpha: TenantFixture, connection: CalendarConnection) -> None:
    with alpha.active():
        assert sync_connection(connection.pk) is not None


def test_outlook_invites_updates_and_cancels_and_the_platform_sends_nothing(
    alpha: TenantFixture, fake_microsoft: FakeMicrosoft, django_capture_on_commit_callbacks
):
    connect_through_flow(alpha.client(REP_EMAIL), fake_microsoft, purpose="calendar")
    start = soon(days=2)
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        connection = CalendarConnection.objects.get()
        rep = alpha.user(REP_EMAIL)
        meeting = create_activity(by=rep, kind=ActivityKind.MEETING, assignee=rep, subject="Review", due_at=start,
                                  ends_at=start + timedelta(hours=1))  # fmt: skip
        add_attendee(meeting, email="ana@customer.test", by=rep)
        add_attendee(meeting, email="bo@customer.test", by=rep)
    _sync(alpha, connection)
    invited = list(fake_microsoft.notices)

    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        update_activity(meeting, by=rep, location="Room 2")
        remove_attendee(meeting.attendees.get(email="bo@customer.test"), by=rep)
    _sync(alpha, connection)
    changed = fake_microsoft.notices[len(invited) :]
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        delete_activity(meeting, by=rep)
    _sync(alpha, connection)

    assert mail.outbox == []
    assert invited == [Notice("request", "Review", ("ana@customer.test", "bo@customer.test"))]
    assert changed == [
        Notice("cancel", "Review", ("bo@customer.test",)),
        Notice("request", "Review", ("ana@customer.test",)),
    ]
    assert fake_microsoft.notices[-1] == Notice("cancel", "Review", ("ana@customer.test",))


def test_a_stopped_sync_leaves_the_invitations_to_the_platform(
    alpha: TenantFixture, fake_microsoft: FakeMicrosoft, django_capture_on_commit_callbacks
):
    connect_through_flow(alpha.client(REP_EMAIL), fake_microsoft, purpose="calendar")
    start = soon(days=3)
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        CalendarConnection.objects.update(state=ConnectionState.BROKEN)
        rep = alpha.user(REP_EMAIL)
        meeting = create_activity(by=rep, kind=ActivityKind.MEETING, assignee=rep, subject="Audit", due_at=start)
        add_attendee(meeting, email="ana@customer.test", by=rep)

    [message] = mail.outbox
    assert (message.to, message.subject) == (["ana@customer.test"], "Invitation: Audit")


def test_the_meeting_page_names_the_calendar_that_sends_and_sending_again_sends_nothing(
    alpha: TenantFixture, fake_microsoft: FakeMicrosoft, django_capture_on_commit_callbacks
):
    connect_through_flow(alpha.client(REP_EMAIL), fake_microsoft, purpose="calendar")
    start = soon(days=4)
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        rep = alpha.user(REP_EMAIL)
        meeting = create_activity(by=rep, kind=ActivityKind.MEETING, assignee=rep, subject="Plan", due_at=start)
        add_attendee(meeting, email="ana@customer.test", by=rep)
    client = alpha.client(REP_EMAIL)

    page = client.get(f"/activities/{meeting.pk}/")
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/activities/{meeting.pk}/invitations/", follow=True)

    assert 'data-testid="invitations-sender"' in page.content.decode()
    assert "Microsoft 365 / Outlook.com calendar sends" in page.content.decode()
    assert f'action="/activities/{meeting.pk}/invitations/"' not in page.content.decode()
    assert [str(m) for m in again.context["messages"]] == [
        "The organiser's Microsoft 365 / Outlook.com calendar sends this meeting's invitations."
    ]
    assert mail.outbox == []


def test_a_meeting_organised_elsewhere_is_written_without_attendees_and_outlook_invites_nobody(
    alpha: TenantFixture, fake_microsoft: FakeMicrosoft, django_capture_on_commit_callbacks
):
    connect_through_flow(alpha.client(REP_EMAIL), fake_microsoft, purpose="calendar")
    start = soon(days=5)
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        connection = CalendarConnection.objects.get()
        rep = alpha.user(REP_EMAIL)
        theirs = create_activity(by=rep, kind=ActivityKind.MEETING, assignee=rep, subject="Their call", due_at=start,
                                 ends_at=start + timedelta(hours=1), ical_uid="call@partner.test")  # fmt: skip
        ActivityAttendee.objects.create(activity=theirs, email="olle@partner.test", is_organizer=True)
        ActivityAttendee.objects.create(activity=theirs, email="ana@customer.test")
    _sync(alpha, connection)
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        update_activity(theirs, by=rep, location="Their office", due_at=start + timedelta(hours=1))
    _sync(alpha, connection)

    (written,) = [event.body for event in fake_microsoft.events.values()]
    assert (written["subject"], written["location"]["displayName"]) == ("Their call", "Their office")
    assert written.get("attendees", []) == []
    assert fake_microsoft.notices == []
    assert mail.outbox == []
    with alpha.active():  # read back, the meeting keeps its organiser and attendees
        assert sorted(theirs.attendees.values_list("email", flat=True)) == ["ana@customer.test", "olle@partner.test"]
