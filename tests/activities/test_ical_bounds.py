"""Hostile .ics files and calendar ranges: dates, durations and control characters beyond what the
platform stores skip the event with a reason naming the property (a calendar range: a 400 naming the
parameter), never a server error; a file's stray control characters are dropped and the rest imports."""

from datetime import UTC, date, datetime

import vobject
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from modules.activities.models import Activity
from modules.activities.services.ical import feed_for
from tests.factories import ActivityFactory
from tests.tenancy import TenantFixture, schema_snapshot


def _calendar(*event_lines: str) -> SimpleUploadedFile:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Example//Test//EN", "BEGIN:VEVENT", "UID:one@example.test",
        "DTSTAMP:20300101T000000Z", "SUMMARY:Meeting", *event_lines, "END:VEVENT", "END:VCALENDAR", "",
    ]  # fmt: skip
    return SimpleUploadedFile("events.ics", "\r\n".join(lines).encode(), content_type="text/calendar")


def _import_errors(client: Client, *event_lines: str) -> list[str]:
    """Why each event of the file was skipped (the file itself was readable)."""
    response = client.post("/calendar/import/", {"file": _calendar(*event_lines)})
    assert response.status_code == 200
    results = response.context["import_report"].results
    assert {result.outcome for result in results} == {"skipped"}
    return [result.reason for result in results]


def test_a_start_at_the_end_of_time_plus_a_duration_is_refused_by_name(alpha: TenantFixture):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    errors = _import_errors(client, "DTSTART:99991231T235959Z", "DURATION:P2D")

    assert errors == ["DTSTART: Enter a date between the years 1000 and 8999."]
    assert schema_snapshot(alpha.tenant) == before


def test_a_huge_duration_is_refused_by_name(alpha: TenantFixture):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    errors = _import_errors(client, "DTSTART:20300610T090000Z", "DURATION:P999999999D")

    assert errors == ["DURATION: Enter a duration of at most 3660 days."]
    assert schema_snapshot(alpha.tenant) == before


def test_whole_days_at_either_end_of_the_calendar_are_refused_by_name(alpha: TenantFixture):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    first_day = _import_errors(client, "DTSTART;VALUE=DATE:00010101", "DTEND;VALUE=DATE:00010102")
    last_day = _import_errors(client, "DTSTART;VALUE=DATE:20300101", "DTEND;VALUE=DATE:99991231")

    assert first_day == ["DTSTART: Enter a date between the years 1000 and 8999."]
    assert last_day == ["DTEND: Enter a date between the years 1000 and 8999."]
    assert schema_snapshot(alpha.tenant) == before


def test_a_nul_in_a_location_is_dropped_and_the_event_imports(alpha: TenantFixture):
    response = alpha.client().post(
        "/calendar/import/",
        {"file": _calendar("DTSTART:20300610T090000Z", "LOCATION:Room\x004", "DESCRIPTION:Bring\x07 the deck")},
    )

    assert response.status_code == 200
    with alpha.active():
        meeting = Activity.objects.get(subject="Meeting")
    assert (meeting.location, meeting.body) == ("Room4", "Bring the deck")


def test_a_meeting_stored_beyond_the_window_does_not_break_the_feed(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():  # written directly, as rows from before the window was enforced are
        ActivityFactory(
            subject="Forever", kind="meeting", assignee=admin, all_day=True,
            due_at=datetime(9999, 12, 31, tzinfo=UTC), ends_at=datetime(9999, 12, 31, tzinfo=UTC),
        )  # fmt: skip
        ActivityFactory(subject="Demo", kind="meeting", assignee=admin, due_at=datetime(2030, 6, 4, 9, tzinfo=UTC))
        token = feed_for(admin).token

    response = alpha.client(email=None).get(f"/calendar/feed/{token}.ics")

    assert response.status_code == 200
    calendar = vobject.readOne(response.content.decode())
    assert [event.summary.value for event in calendar.vevent_list] == ["Demo"]


def test_a_calendar_range_beyond_the_window_is_a_400_naming_both_ends(alpha: TenantFixture):
    response = alpha.client().get("/calendar/events/", {"start": "9999-12-01", "end": "9999-12-31"})

    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "start": ["Enter a date between the years 1000 and 8999."],
            "end": ["Enter a date between the years 1000 and 8999."],
        }
    }


def test_a_calendar_range_with_an_impossible_day_is_a_400(alpha: TenantFixture):
    response = alpha.client().get("/calendar/events/", {"start": "2030-02-30", "end": "2030-03-01"})

    assert response.status_code == 400
    assert response.json() == {"errors": {"start": ["Give the start of the range as an ISO date."]}}


def test_a_drag_beyond_the_window_is_a_400_and_the_meeting_stays(alpha: TenantFixture):
    start = datetime(2030, 6, 4, 9, tzinfo=UTC)
    with alpha.active():
        meeting = ActivityFactory(
            subject="Demo",
            kind="meeting",
            assignee=alpha.user(),
            due_at=start,
            ends_at=datetime(2030, 6, 6, tzinfo=UTC),
        )

    response = alpha.client().post(f"/activities/{meeting.pk}/reschedule/", {"start": "9999-12-31T10:00"})

    assert response.status_code == 400
    assert response.json() == {"errors": {"start": ["Enter a date between the years 1000 and 8999."]}}
    meeting.refresh_from_db()
    assert meeting.due_at == start


NAIVE_9000 = datetime(9000, 1, 1)  # noqa: DTZ001 - hypothesis bounds naive times; the lines say Z
NAIVE_999 = datetime(999, 12, 31)  # noqa: DTZ001
MOMENTS = st.one_of(
    st.dates(max_value=date(999, 12, 31)).map(lambda day: f"DTSTART;VALUE=DATE:{day.year:04d}{day:%m%d}"),
    st.dates(min_value=date(9000, 1, 1)).map(lambda day: f"DTSTART;VALUE=DATE:{day.year:04d}{day:%m%d}"),
    st.datetimes(min_value=NAIVE_9000).map(lambda moment: f"DTSTART:{moment:%Y%m%dT%H%M%S}Z"),
    st.datetimes(max_value=NAIVE_999).map(lambda moment: f"DTSTART:{moment.year:04d}{moment:%m%dT%H%M%S}Z"),
    st.integers(min_value=3661, max_value=999_999_999).map(lambda days: f"DURATION:P{days}D"),
)


def test_any_out_of_range_moment_in_an_ics_file_is_refused_by_property(alpha: TenantFixture):
    client = alpha.client()

    @settings(max_examples=15)
    @given(line=MOMENTS)
    def import_one(line: str) -> None:
        event_lines = [line] if line.startswith("DTSTART") else ["DTSTART:20300610T090000Z", line]

        [error] = _import_errors(client, *event_lines)

        assert error.startswith(("DTSTART: ", "DURATION: "))
        with alpha.active():
            assert not Activity.objects.filter(subject="Meeting").exists()

    import_one()
