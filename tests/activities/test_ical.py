"""The secret iCalendar feed and the .ics import."""

from datetime import UTC, datetime

import vobject
from django.core.files.uploadedfile import SimpleUploadedFile

from modules.activities.models import Activity, CalendarFeed
from modules.activities.services.ical import feed_for
from tests.factories import ActivityFactory
from tests.tenancy import REP_EMAIL, TenantFixture, schema_snapshot

ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Example//Test//EN
BEGIN:VEVENT
UID:one@example.test
DTSTAMP:20300101T000000Z
DTSTART:20300610T090000Z
DTEND:20300610T103000Z
SUMMARY:Board meeting
LOCATION:Room 4
DESCRIPTION:Quarterly numbers
END:VEVENT
BEGIN:VEVENT
UID:two@example.test
DTSTAMP:20300101T000000Z
DTSTART;VALUE=DATE:20300612
DTEND;VALUE=DATE:20300613
SUMMARY:Trade fair
END:VEVENT
END:VCALENDAR
"""


def _upload(text: str, name: str = "events.ics") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/calendar")


def test_the_feed_is_valid_icalendar_with_events_and_todos(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        meeting = ActivityFactory(
            subject="Demo", kind="meeting", assignee=admin, location="HQ",
            due_at=datetime(2030, 6, 4, 9, tzinfo=UTC), ends_at=datetime(2030, 6, 4, 10, tzinfo=UTC),
        )  # fmt: skip
        task = ActivityFactory(
            subject="Send offer", kind="task", assignee=admin, due_at=datetime(2030, 6, 5, 12, tzinfo=UTC)
        )
        ActivityFactory(subject="Rita's", assignee=alpha.user(REP_EMAIL), due_at=datetime(2030, 6, 5, tzinfo=UTC))
        token = feed_for(admin).token

    response = alpha.client(email=None).get(f"/calendar/feed/{token}.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = vobject.readOne(response.content.decode())
    events = {event.summary.value: event for event in calendar.vevent_list}
    todos = {todo.summary.value: todo for todo in calendar.vtodo_list}
    assert set(events) == {"Demo"}
    assert set(todos) == {"Send offer"}
    assert events["Demo"].dtstart.value == meeting.due_at
    assert events["Demo"].dtend.value == meeting.ends_at
    assert events["Demo"].location.value == "HQ"
    assert events["Demo"].uid.value == f"activity-{meeting.pk}@{alpha.host}"
    assert todos["Send offer"].due.value == task.due_at
    assert todos["Send offer"].status.value == "NEEDS-ACTION"


def test_a_wrong_token_is_404(alpha: TenantFixture):
    response = alpha.client(email=None).get("/calendar/feed/not-a-real-token.ics")

    assert response.status_code == 404


def test_a_token_of_one_tenant_is_404_on_another_tenants_host(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        token = feed_for(alpha.user()).token

    on_beta = beta.client(email=None).get(f"/calendar/feed/{token}.ics")
    on_beta_signed_in = beta.client().get(f"/calendar/feed/{token}.ics")

    assert (on_beta.status_code, on_beta_signed_in.status_code) == (404, 404)
    assert alpha.client(email=None).get(f"/calendar/feed/{token}.ics").status_code == 200


def test_resetting_the_link_revokes_the_old_one(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        old = feed_for(admin).token
    client = alpha.client()

    response = client.post("/calendar/feed/reset/")

    with alpha.active():
        new = CalendarFeed.objects.get(user=admin).token
    assert response.status_code == 302
    assert new != old
    assert alpha.client(email=None).get(f"/calendar/feed/{old}.ics").status_code == 404
    assert alpha.client(email=None).get(f"/calendar/feed/{new}.ics").status_code == 200


def test_a_deactivated_users_feed_is_404(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        token = feed_for(rep).token
        rep.is_active = False
        rep.save(update_fields=["is_active"])

    assert alpha.client(email=None).get(f"/calendar/feed/{token}.ics").status_code == 404


def test_importing_an_ics_file_creates_meetings(alpha: TenantFixture):
    admin = alpha.user()

    response = alpha.client().post("/calendar/import/", {"file": _upload(ICS)})

    assert response.status_code == 200
    assert [r.outcome for r in response.context["import_report"].results] == ["imported", "imported"]
    with alpha.active():
        meetings = list(Activity.objects.filter(assignee=admin).order_by("due_at"))
    assert [(m.kind, m.subject, m.location, m.body, m.all_day) for m in meetings] == [
        ("meeting", "Board meeting", "Room 4", "Quarterly numbers", False),
        ("meeting", "Trade fair", "", "", True),
    ]
    assert (meetings[0].due_at, meetings[0].ends_at) == (
        datetime(2030, 6, 10, 9, tzinfo=UTC), datetime(2030, 6, 10, 10, 30, tzinfo=UTC),
    )  # fmt: skip
    assert (meetings[1].due_at, meetings[1].ends_at) == (
        datetime(2030, 6, 12, tzinfo=UTC), datetime(2030, 6, 12, tzinfo=UTC),
    )  # fmt: skip


def test_a_file_that_cannot_be_read_is_a_clear_error_and_nothing_is_written(alpha: TenantFixture):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    garbage = client.post("/calendar/import/", {"file": _upload("this is not a calendar")})
    empty = client.post("/calendar/import/", {"file": _upload("BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n")})

    assert garbage.status_code == 400
    assert garbage.context["import_form"].errors == {
        "file": ["This is not an iCalendar file: it does not begin with BEGIN:VCALENDAR."]
    }
    assert empty.context["import_form"].errors == {"file": ["The file holds no events."]}
    assert "Import failed: This is not an iCalendar file" in garbage.content.decode()
    assert schema_snapshot(alpha.tenant) == before


def test_a_missing_file_is_named(alpha: TenantFixture):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post("/calendar/import/", {})

    assert response.status_code == 400
    assert list(response.context["import_form"].errors) == ["file"]
    assert schema_snapshot(alpha.tenant) == before
