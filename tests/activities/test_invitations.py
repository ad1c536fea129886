"""Meeting invitations by e-mail (iTIP): REQUEST on invite and change, CANCEL on removal, cancel and
delete, nothing for a meeting someone else organises; REPLY files update attendance."""

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from modules.activities.models import Activity, ActivityAttendee
from modules.activities.services.activities import cancel_activity, delete_activity, update_activity
from modules.activities.services.ics_import import import_calendar
from tests.factories import ActivityFactory, ContactFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot

pytestmark = pytest.mark.usefixtures("eager_tasks")


def _meeting(alpha: TenantFixture, **values) -> Activity:
    start = timezone.now().replace(microsecond=0, second=0) + timedelta(days=2)
    with alpha.active():
        return ActivityFactory(
            kind="meeting", subject="Kick-off", assignee=alpha.user(), due_at=start, ends_at=start + timedelta(hours=1),
            **values,
        )  # fmt: skip


def _itip(message: mail.EmailMessage) -> icalendar.Calendar:
    [(content, mimetype)] = message.alternatives  # type: ignore[attr-defined]
    assert mimetype.startswith("text/calendar; method=")
    return icalendar.Calendar.from_ical(content)


def test_inviting_someone_sends_a_request_naming_organiser_and_attendee(
    alpha: TenantFixture, django_capture_on_commit_callbacks
):
    meeting = _meeting(alpha)
    with alpha.active():
        contact = ContactFactory(email="ana@customer.test")

    with django_capture_on_commit_callbacks(execute=True):
        response = alpha.client().post(
            f"/activities/{meeting.pk}/attendees/", {"email": "Ana@Customer.test", "name": "Ana"}
        )

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["ana@customer.test"]
    calendar = _itip(message)
    [event] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["ORGANIZER"]).lower() == f"mailto:{alpha.user().email}"
    assert str(event["ATTENDEE"]) == "mailto:ana@customer.test"
    assert event["ATTENDEE"].params["RSVP"] == "TRUE"
    assert message.attachments[0][0] == "invite.ics"
    with alpha.active():
        meeting.refresh_from_db()
        rows = {row.email: row for row in meeting.attendees.all()}
    assert str(event["UID"]) == meeting.ical_uid
    assert rows["ana@customer.test"].contact == contact
    assert rows[alpha.user().email.lower()].is_organizer


def test_a_change_sends_a_new_sequence_and_cancel_and_delete_send_cancel(
    alpha: TenantFixture, django_capture_on_commit_callbacks
):
    meeting = _meeting(alpha)
    client = alpha.client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/activities/{meeting.pk}/attendees/", {"email": "ana@customer.test"})
    mail.outbox.clear()

    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        update_activity(meeting, by=alpha.user(), location="Room 2")
        update_activity(meeting, by=alpha.user(), priority="high")  # not something attendees are told
        cancel_activity(meeting, by=alpha.user())

    assert [str(_itip(message)["METHOD"]) for message in mail.outbox] == ["REQUEST", "CANCEL"]
    [changed] = _itip(mail.outbox[0]).walk("VEVENT")
    assert (int(changed["SEQUENCE"]), str(changed["LOCATION"])) == (1, "Room 2")
    second = _meeting(alpha)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/activities/{second.pk}/attendees/", {"email": "bo@customer.test"})
    mail.outbox.clear()
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        delete_activity(second, by=alpha.user())
    [cancelled] = mail.outbox
    assert (cancelled.to, str(_itip(cancelled)["METHOD"])) == (["bo@customer.test"], "CANCEL")


def test_removing_an_attendee_tells_them_and_an_imported_meeting_tells_nobody(
    alpha: TenantFixture, django_capture_on_commit_callbacks
):
    meeting = _meeting(alpha)
    client = alpha.client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/activities/{meeting.pk}/attendees/", {"email": "ana@customer.test"})
    with alpha.active():
        ana = meeting.attendees.get(email="ana@customer.test")
        imported = _meeting(alpha, ical_uid="x@partner.test")
        ActivityAttendee.objects.create(activity=imported, email="olle@partner.test", is_organizer=True)
        ActivityAttendee.objects.create(activity=imported, email="ana@customer.test")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        removed = client.post(f"/activities/{meeting.pk}/attendees/{ana.pk}/remove/")
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        update_activity(imported, by=alpha.user(), location="Elsewhere")
        cancel_activity(imported, by=alpha.user())

    assert removed.status_code == 302
    [message] = mail.outbox
    assert (message.to, str(_itip(message)["METHOD"])) == (["ana@customer.test"], "CANCEL")


def test_a_reply_file_updates_the_attendees_answer(alpha: TenantFixture, django_capture_on_commit_callbacks):
    meeting = _meeting(alpha)
    with django_capture_on_commit_callbacks(execute=True):
        alpha.client().post(f"/activities/{meeting.pk}/attendees/", {"email": "ana@customer.test"})
    with alpha.active():
        meeting.refresh_from_db()
    reply = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Mail//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
        f"UID:{meeting.ical_uid}\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:20300101T090000Z\r\n"
        "ATTENDEE;PARTSTAT=DECLINED:mailto:ana@customer.test\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()

    with alpha.active():
        report = import_calendar(reply, by=alpha.user())
        row = meeting.attendees.get(email="ana@customer.test")
        stranger = import_calendar(reply.replace(b"ana@", b"eve@"), by=alpha.user())

    assert [result.outcome for result in report.results] == ["updated"]
    assert (row.attendance, row.responded_at is not None) == ("declined", True)
    assert stranger.results[0].outcome == "skipped"


def test_a_bad_address_is_a_400_naming_the_field_and_writes_nothing(alpha: TenantFixture):
    meeting = _meeting(alpha)
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    bad = client.post(f"/activities/{meeting.pk}/attendees/", {"email": "not an address"})
    nul = client.post(f"/activities/{meeting.pk}/attendees/", {"email": "a@b.test", "name": "A\x00"})

    assert (bad.status_code, nul.status_code) == (400, 400)
    assert [str(m) for m in bad.wsgi_request._messages] == ["email: Enter a valid e-mail address."]
    assert schema_snapshot(alpha.tenant) == before
    assert mail.outbox == []


def test_attendee_pages_need_the_permission_visibility_and_the_tenant(
    alpha: TenantFixture, beta: TenantFixture, viewer
):
    meeting = _meeting(alpha)
    form = {"email": "ana@customer.test"}
    urls = [f"/activities/{meeting.pk}/attendees/", f"/activities/{meeting.pk}/invitations/"]
    viewer_client, rep_client = alpha.client(email=viewer.email), alpha.client(email=REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    read_only = [viewer_client.post(url, form).status_code for url in urls]
    other_rep = [rep_client.post(url, form).status_code for url in urls]

    assert read_only == [403, 403]
    assert other_rep == [404, 404]  # an admin's meeting a rep may not see
    assert schema_snapshot(alpha.tenant) == before
    assert_cross_tenant_requests_fail(alpha, beta, [("post", url, form) for url in urls])
    assert mail.outbox == []
