"""Who invites the attendees of a meeting synced to Google Calendar: for a meeting organised here
the sync asks Google to e-mail them (``sendUpdates=all``) and the platform sends no iTIP message of
its own, so nobody is invited twice; a meeting someone else organises is written without telling
anyone and without its attendees (Google would put a copy of it, organised by the user, in their
calendars)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from modules.activities.calendar_sync.services.sync import sync_connection
from modules.activities.choices import ActivityKind
from modules.activities.models import ActivityAttendee
from modules.activities.services.activities import create_activity, update_activity
from modules.activities.services.invitations import add_attendee
from tests.activities.calendar_sync.conftest import soon
from tests.google.conftest import google_calendar
from tests.google_calendar_api import Notice
from tests.google_server import GoogleServer
from tests.tenancy import REP_EMAIL, TenantFixture

pytestmark = pytest.mark.usefixtures("eager_tasks")


def test_google_sends_the_invitations_of_a_meeting_organised_here_and_no_one_elses(
    alpha: TenantFixture, google_server: GoogleServer, django_capture_on_commit_callbacks
):
    connection = google_calendar(alpha, google_server)
    start = soon(days=2)
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        rep = alpha.user(REP_EMAIL)
        meeting = create_activity(by=rep, kind=ActivityKind.MEETING, assignee=rep, subject="Review", due_at=start,
                                  ends_at=start + timedelta(hours=1))  # fmt: skip
        add_attendee(meeting, email="ana@customer.test", by=rep)
        theirs = create_activity(by=rep, kind=ActivityKind.MEETING, assignee=rep, subject="Their call",
                                 due_at=start + timedelta(days=1), ical_uid="call@partner.test")  # fmt: skip
        ActivityAttendee.objects.create(activity=theirs, email="olle@partner.test", is_organizer=True)
        ActivityAttendee.objects.create(activity=theirs, email="ana@customer.test")
        update_activity(theirs, by=rep, location="Their office")
        assert sync_connection(connection.pk) is not None
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        update_activity(meeting, by=rep, due_at=start + timedelta(hours=2))
        assert sync_connection(connection.pk) is not None

    assert mail.outbox == []
    assert google_server.state.notices == [
        Notice("request", "Review", ("ana@customer.test",), "all"),
        Notice("request", "Review", ("ana@customer.test",), "all"),
    ]
    written = {event["summary"]: event for event in google_server.events()}
    assert "attendees" not in written["Their call"]
    assert written["Their call"]["location"] == "Their office"
