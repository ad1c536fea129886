"""Importing real-world .ics files: recurrence and overrides, UIDs, zones, attendees, per-event report."""

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from modules.activities.models import Activity, ActivityAttendee
from modules.activities.services.ical import feed_for
from modules.activities.services.ics_import import MAX_IMPORT_EVENTS, import_calendar
from tests.factories import ContactFactory
from tests.tenancy import REP_EMAIL, TenantFixture, schema_snapshot

YEAR = timezone.now().year + 1
STOCKHOLM = ZoneInfo("Europe/Stockholm")
EVOLUTION = "/freeassociation.sourceforge.net/Tzfile"  # Evolution's globally unique TZID prefix


def _calendar(*events: str) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Test//EN\r\n" + "".join(events) + "END:VCALENDAR\r\n"
    ).encode()


def _event(uid: str, *lines: str, summary: str = "Meeting") -> str:
    return "".join(
        f"{line}\r\n"
        for line in (
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"DTSTAMP:{YEAR}0101T000000Z",
            f"SUMMARY:{summary}",
            *lines,
            "END:VEVENT",
        )
    )


def _upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("calendar.ics", data, content_type="text/calendar")


# An Outlook export: Windows zone names, a weekly series with an exception date, a moved instance
# and a cancelled one, organiser and attendees.
OUTLOOK = _calendar(
    _event(
        "040000008200E00074C5B7101A82E008@outlook",
        f"DTSTART;TZID=W. Europe Standard Time:{YEAR}0302T090000",
        f"DTEND;TZID=W. Europe Standard Time:{YEAR}0302T100000",
        f"RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL={YEAR}0601T000000Z",
        f"EXDATE;TZID=W. Europe Standard Time:{YEAR}0309T090000",
        "ORGANIZER;CN=Olle Organiser:mailto:olle@partner.test",
        "ATTENDEE;CN=Anna Andersson;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:Anna@Customer.test",
        f"ATTENDEE;ROLE=OPT-PARTICIPANT;PARTSTAT=TENTATIVE:MAILTO:{REP_EMAIL}",
        summary="Weekly sync",
    ),
    _event(
        "040000008200E00074C5B7101A82E008@outlook",
        f"RECURRENCE-ID;TZID=W. Europe Standard Time:{YEAR}0316T090000",
        f"DTSTART;TZID=W. Europe Standard Time:{YEAR}0316T140000",
        f"DTEND;TZID=W. Europe Standard Time:{YEAR}0316T150000",
        summary="Weekly sync (moved)",
    ),
    _event(
        "040000008200E00074C5B7101A82E008@outlook",
        f"RECURRENCE-ID;TZID=W. Europe Standard Time:{YEAR}0323T090000",
        f"DTSTART;TZID=W. Europe Standard Time:{YEAR}0323T090000",
        "STATUS:CANCELLED",
        summary="Weekly sync",
    ),
)


def test_an_outlook_series_keeps_its_rule_exceptions_overrides_and_attendees(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        anna = ContactFactory(first_name="Anna", email="anna@customer.test")
        report = import_calendar(OUTLOOK, by=admin)
        series = Activity.objects.get(series__isnull=True, ical_uid__endswith="@outlook")
        overrides = list(series.overrides.order_by("recurrence_id"))
        attendees = list(series.attendees.order_by("email"))

    assert [result.outcome for result in report.results] == ["imported", "imported", "imported"]
    assert set(series.rrule.split(";")) == {"FREQ=WEEKLY", "BYDAY=MO", f"UNTIL={YEAR}0601T000000Z"}
    assert series.time_zone == "Europe/Berlin"
    assert series.due_at == datetime(YEAR, 3, 2, 9, tzinfo=ZoneInfo("Europe/Berlin"))
    assert [datetime.fromisoformat(value) for value in series.exdates] == [
        datetime(YEAR, 3, 9, 9, tzinfo=ZoneInfo("Europe/Berlin"))
    ]
    assert [(o.subject, o.status, o.recurrence_id.astimezone(UTC).day) for o in overrides] == [
        ("Weekly sync (moved)", "open", 16),
        ("Weekly sync", "cancelled", 23),
    ]
    assert [(a.email, a.name, a.role, a.attendance, a.is_organizer) for a in attendees] == [
        ("anna@customer.test", "Anna Andersson", "required", "accepted", False),
        ("olle@partner.test", "Olle Organiser", "chair", "accepted", True),
        (REP_EMAIL, "", "optional", "tentative", False),
    ]
    assert attendees[0].contact_id == anna.pk
    assert attendees[2].user_id == alpha.user(REP_EMAIL).pk
    assert series.contact_id == anna.pk  # the meeting shows on the matched contact's timeline


def test_re_importing_the_same_file_updates_and_never_duplicates(alpha: TenantFixture):
    admin = alpha.user()
    changed = OUTLOOK.replace(b"Anna Andersson", b"Anna A.")
    with alpha.active():
        import_calendar(OUTLOOK, by=admin)
        count = Activity.objects.count()
        report = import_calendar(changed, by=admin)
        after = Activity.objects.count()
        names = list(ActivityAttendee.objects.filter(email="anna@customer.test").values_list("name", flat=True))

    assert [result.outcome for result in report.results] == ["updated", "updated", "updated"]
    assert after == count
    assert names == ["Anna A."]


def test_an_older_sequence_does_not_overwrite_a_newer_one(alpha: TenantFixture):
    admin = alpha.user()
    newer = _calendar(_event("seq@example.test", "SEQUENCE:3", f"DTSTART:{YEAR}0610T090000Z", summary="New"))
    older = _calendar(_event("seq@example.test", "SEQUENCE:1", f"DTSTART:{YEAR}0610T090000Z", summary="Old"))
    with alpha.active():
        import_calendar(newer, by=admin)
        report = import_calendar(older, by=admin)
        subjects = list(Activity.objects.filter(ical_uid="seq@example.test").values_list("subject", flat=True))

    assert report.results[0].outcome == "skipped"
    assert "newer version" in report.results[0].reason
    assert subjects == ["New"]


def test_re_importing_the_users_own_feed_updates_the_meetings_it_came_from(alpha: TenantFixture):
    admin = alpha.user()
    start = timezone.now().replace(microsecond=0) + timedelta(days=3)
    with alpha.active():
        meeting = Activity.objects.create(kind="meeting", subject="Demo", assignee=admin, due_at=start)
        token = feed_for(admin).token
    feed = alpha.client(email=None).get(f"/calendar/feed/{token}.ics").content

    with alpha.active():
        report = import_calendar(feed.replace(b"SUMMARY:Demo", b"SUMMARY:Demo (edited)"), by=admin, own_host=alpha.host)
        meeting.refresh_from_db()
        count = Activity.objects.filter(assignee=admin).count()

    assert [result.outcome for result in report.results] == ["updated"]
    assert (meeting.subject, count) == ("Demo (edited)", 1)


def test_vendor_prefixed_and_windows_zone_names_resolve_and_an_unknown_one_is_named(alpha: TenantFixture):
    admin = alpha.user()
    data = _calendar(
        _event("a@x", f"DTSTART;TZID=/Europe/Stockholm:{YEAR}0610T090000", summary="Slash"),
        _event("b@x", f"DTSTART;TZID={EVOLUTION}/Europe/Stockholm:{YEAR}0610T090000", summary="Evolution"),
        _event("c@x", f"DTSTART;TZID=W. Europe Standard Time:{YEAR}0610T090000", summary="Windows"),
        _event("d@x", f"DTSTART;TZID=Mars/Olympus_Mons:{YEAR}0610T090000", summary="Martian"),
    )  # fmt: skip
    with alpha.active():
        admin.time_zone = "America/New_York"
        admin.save(update_fields=["time_zone"])
        with timezone.override(ZoneInfo("America/New_York")):
            report = import_calendar(data, by=admin)
        starts = {a.subject: a.due_at for a in Activity.objects.filter(assignee=admin)}

    assert starts["Slash"] == starts["Evolution"] == datetime(YEAR, 6, 10, 7, tzinfo=UTC)
    assert starts["Windows"] == datetime(YEAR, 6, 10, 7, tzinfo=UTC)  # Berlin, the same offset in June
    assert starts["Martian"] == datetime(YEAR, 6, 10, 13, tzinfo=UTC)  # the user's zone
    assert [result.warnings for result in report.results[:3]] == [[], [], []]
    assert report.results[3].warnings == [
        "The time zone Mars/Olympus_Mons is unknown; the times were read in your time zone."
    ]


def test_a_time_in_the_dst_gap_follows_rfc_5545(alpha: TenantFixture):
    march_end = datetime(YEAR, 4, 1) - timedelta(days=1)  # noqa: DTZ001 - a wall-clock day
    gap_day = march_end - timedelta(days=(march_end.weekday() + 1) % 7)  # Europe's spring change
    data = _calendar(_event("gap@x", f"DTSTART;TZID=Europe/Stockholm:{gap_day:%Y%m%d}T023000"))
    with alpha.active():
        import_calendar(data, by=alpha.user())
        start = Activity.objects.get(ical_uid="gap@x").due_at

    assert start.astimezone(STOCKHOLM).replace(tzinfo=None) == gap_day.replace(hour=3, minute=30)


def test_a_bad_event_is_skipped_with_its_reason_and_the_rest_imports(alpha: TenantFixture):
    data = _calendar(
        _event("ok@x", f"DTSTART:{YEAR}0610T090000Z", summary="Fine"),
        _event("no-start@x", summary="No start"),
        _event("garbled@x", "DTSTART:yesterday", summary="Garbled"),
        _event("backwards@x", f"DTSTART:{YEAR}0610T090000Z", f"DTEND:{YEAR}0601T090000Z", summary="Backwards"),
    )
    response = alpha.client().post("/calendar/import/", {"file": _upload(data)})

    assert response.status_code == 200
    report = response.context["import_report"]
    assert [(r.summary, r.outcome) for r in report.results] == [
        ("Fine", "imported"), ("No start", "skipped"), ("Garbled", "skipped"), ("Backwards", "imported"),
    ]  # fmt: skip
    assert report.results[1].reason == "The event has no start (DTSTART)."
    assert report.results[2].reason == "DTSTART cannot be read."
    assert report.results[3].warnings == ["The end was before the start; the event was given no length."]
    page = response.content.decode()
    assert "Imported: 2 · updated: 0 · skipped: 2" in page
    assert "DTSTART cannot be read." in page


def test_the_event_limit_is_counted_before_the_file_is_parsed(alpha: TenantFixture):
    event = _event("same@x", f"DTSTART:{YEAR}0610T090000Z").encode()
    head, tail = _calendar()[:-15], b"END:VCALENDAR\r\n"
    too_many = head + event * (MAX_IMPORT_EVENTS + 1) + tail
    huge = head + event * 8000 + tail  # under 1 MB
    client = alpha.client()  # signing in writes: before the snapshot
    before = schema_snapshot(alpha.tenant)

    started = time.process_time()
    response = client.post("/calendar/import/", {"file": _upload(huge)})
    spent = time.process_time() - started
    refused = client.post("/calendar/import/", {"file": _upload(too_many)})

    assert response.status_code == refused.status_code == 400
    assert refused.context["import_form"].errors == {"file": [f"The file holds more than {MAX_IMPORT_EVENTS} events."]}
    assert spent < 1.0
    assert schema_snapshot(alpha.tenant) == before


def test_import_needs_the_change_permission(alpha: TenantFixture, viewer):
    data = _calendar(_event("perm@x", f"DTSTART:{YEAR}0610T090000Z"))
    client = alpha.client(email=viewer.email)
    before = schema_snapshot(alpha.tenant)

    read_only = client.post("/calendar/import/", {"file": _upload(data)})

    assert read_only.status_code == 403
    assert schema_snapshot(alpha.tenant) == before
