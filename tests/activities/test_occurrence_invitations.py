"""One occurrence of a series changed on its own tells the series' attendees: an iTIP REQUEST of
that instance (the series' UID, its RECURRENCE-ID, a higher SEQUENCE), as deleting one does by a new
version of the series; an occurrence of a series someone else organises tells nobody."""

from datetime import UTC, timedelta

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from modules.activities.models import Activity, ActivityAttendee
from modules.activities.services.activities import create_activity
from modules.activities.services.invitations import add_attendee
from modules.activities.services.series import delete_occurrence, edit_occurrence
from tests.tenancy import TenantFixture

pytestmark = pytest.mark.usefixtures("eager_tasks")


def _series(alpha: TenantFixture, **values) -> Activity:
    start = (timezone.now() + timedelta(days=1)).astimezone(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    with alpha.active():
        return create_activity(
            by=alpha.user(), kind="meeting", subject="Stand-up", due_at=start, ends_at=start + timedelta(minutes=15),
            rrule="FREQ=DAILY;COUNT=5", time_zone="UTC", **values,
        )  # fmt: skip


def _event(message: mail.EmailMessage) -> tuple[str, icalendar.Event]:
    [(content, _mimetype)] = message.alternatives  # type: ignore[attr-defined]
    calendar = icalendar.Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


def test_editing_one_occurrence_sends_its_attendees_that_instance(
    alpha: TenantFixture, django_capture_on_commit_callbacks
):
    series = _series(alpha)
    assert series.due_at is not None
    third = series.due_at + timedelta(days=2)
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        add_attendee(series, email="ana@customer.test", by=alpha.user())
    mail.outbox.clear()

    moved = third + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = alpha.client().post(
            f"/activities/{series.pk}/occurrences/{int(third.timestamp())}/edit/",
            {"subject": "Stand-up (late)", "due_at": moved.strftime("%Y-%m-%dT%H:%M"), "ends_at": "", "body": ""},
        )
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        row = Activity.objects.get(series=series)
        edit_occurrence(series, third, by=alpha.user(), location="Room 4")  # the same occurrence again

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["ana@customer.test"], ["ana@customer.test"]]
    (method, first), (_again, second) = (_event(message) for message in mail.outbox)
    series.refresh_from_db()
    assert method == "REQUEST"
    assert (str(first["UID"]), first["RECURRENCE-ID"].dt, first["DTSTART"].dt) == (series.ical_uid, third, moved)
    assert str(first["SUMMARY"]) == "Stand-up (late)"
    assert "RRULE" not in first
    assert int(first["SEQUENCE"]) > series.ical_sequence
    assert int(second["SEQUENCE"]) > int(first["SEQUENCE"])
    assert (str(second["LOCATION"]), second["RECURRENCE-ID"].dt) == ("Room 4", third)
    assert str(first["ORGANIZER"]).lower() == f"mailto:{alpha.user().email}"
    assert mail.outbox[0].subject == "Updated occurrence: Stand-up (late)"
    assert row.ical_uid == series.ical_uid


def test_deleting_one_still_sends_the_series_and_an_imported_series_tells_nobody(
    alpha: TenantFixture, django_capture_on_commit_callbacks
):
    series = _series(alpha)
    imported = _series(alpha, ical_uid="weekly@partner.test")
    assert series.due_at is not None
    assert imported.due_at is not None
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        add_attendee(series, email="ana@customer.test", by=alpha.user())
        ActivityAttendee.objects.create(activity=imported, email="olle@partner.test", is_organizer=True)
        ActivityAttendee.objects.create(activity=imported, email="ana@customer.test")
    mail.outbox.clear()

    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        delete_occurrence(series, series.due_at + timedelta(days=1), by=alpha.user())
        edit_occurrence(imported, imported.due_at + timedelta(days=1), by=alpha.user(), subject="Moved")

    [message] = mail.outbox
    method, event = _event(message)
    assert (method, "RECURRENCE-ID" in event, len(event["EXDATE"].dts)) == ("REQUEST", False, 1)
