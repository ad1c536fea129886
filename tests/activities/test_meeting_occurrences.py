"""One occurrence of a series changed or deleted on its own; the rest of the series stays."""

from datetime import UTC, timedelta

from django.utils import timezone

from modules.activities.models import Activity
from modules.activities.services.activities import create_activity
from modules.activities.services.attendees import Invitee, set_attendees
from modules.activities.services.recurrence import expand
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot


def _series(alpha: TenantFixture) -> Activity:
    start = (timezone.now() + timedelta(days=1)).astimezone(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    with alpha.active():
        admin = alpha.user()
        series = create_activity(
            by=admin, kind="meeting", subject="Stand-up", due_at=start, ends_at=start + timedelta(minutes=15),
            rrule="FREQ=DAILY;COUNT=5", time_zone="UTC", ical_uid="standup@relata",
        )  # fmt: skip
        set_attendees(series, [Invitee("ana@x.example", "Ana")], by=admin)
    return series


def _stamp(series: Activity, day: int) -> int:
    assert series.due_at is not None
    return int((series.due_at + timedelta(days=day)).timestamp())


def _starts(alpha: TenantFixture, series: Activity) -> list[tuple[int, str]]:
    """(day of the series, subject) of each occurrence."""
    assert series.due_at is not None
    with alpha.active():
        rows = Activity.objects.filter(pk=series.pk) | Activity.objects.filter(series=series)
        found = expand(rows, start=series.due_at, end=series.due_at + timedelta(days=10))
    return [((o.start - series.due_at).days, o.activity.subject) for o in found if o.activity.status == "open"]


def test_editing_one_occurrence_makes_it_a_row_of_its_own_with_the_series_attendees(alpha: TenantFixture):
    series = _series(alpha)
    client = alpha.client()
    url = f"/activities/{series.pk}/occurrences/{_stamp(series, 2)}/edit/"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["due_at"] == series.due_at + timedelta(days=2)

    moved = series.due_at + timedelta(days=2, hours=3)
    response = client.post(
        url, {"subject": "Stand-up (late)", "due_at": moved.strftime("%Y-%m-%dT%H:%M"), "ends_at": "", "body": ""}
    )

    assert response.status_code == 302
    with alpha.active():
        row = Activity.objects.get(series=series)
        assert (row.recurrence_id, row.due_at, row.ical_uid) == (
            series.due_at + timedelta(days=2),
            moved,
            series.ical_uid,
        )
        assert [person.email for person in row.attendees.all()] == ["ana@x.example"]
    assert _starts(alpha, series) == [
        (0, "Stand-up"), (1, "Stand-up"), (2, "Stand-up (late)"), (3, "Stand-up"), (4, "Stand-up"),
    ]  # fmt: skip
    assert client.get(url)["Location"] == f"/activities/{row.pk}/edit/"  # changed before: its own row


def test_deleting_one_occurrence_excludes_it_and_its_row(alpha: TenantFixture):
    series = _series(alpha)
    client = alpha.client()
    client.post(
        f"/activities/{series.pk}/occurrences/{_stamp(series, 1)}/edit/",
        {"subject": "Moved", "due_at": (series.due_at + timedelta(days=1, hours=1)).strftime("%Y-%m-%dT%H:%M")},
    )

    first = client.post(f"/activities/{series.pk}/occurrences/{_stamp(series, 1)}/delete/")
    second = client.post(f"/activities/{series.pk}/occurrences/{_stamp(series, 3)}/delete/")

    assert (first.status_code, second.status_code) == (302, 302)
    with alpha.active():
        series.refresh_from_db()
    assert len(series.exdates) == 2
    assert [day for day, _subject in _starts(alpha, series)] == [0, 2, 4]
    assert client.post(f"/activities/{series.pk}/occurrences/{_stamp(series, 3)}/delete/").status_code == 404


def test_a_calendar_instance_opens_the_series_with_that_occurrence_to_edit_or_delete(alpha: TenantFixture):
    series = _series(alpha)
    client = alpha.client()
    day = (series.due_at + timedelta(days=2)).date()
    events = client.get("/calendar/events/", {"start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()})
    [event] = [event for event in events.json() if event["title"] == "Stand-up"]

    page = client.get(event["url"])

    assert event["url"] == f"/activities/{series.pk}/?occurrence={_stamp(series, 2)}"
    assert page.context["chosen_occurrence"] == series.due_at + timedelta(days=2)
    assert f"/activities/{series.pk}/occurrences/{_stamp(series, 2)}/edit/" in page.content.decode()


def test_occurrence_pages_need_an_instance_the_permission_visibility_and_the_tenant(
    alpha: TenantFixture, beta: TenantFixture, viewer
):
    series = _series(alpha)
    good = _stamp(series, 1)
    urls = [f"/activities/{series.pk}/occurrences/{good}/edit/", f"/activities/{series.pk}/occurrences/{good}/delete/"]
    form = {"subject": "X", "due_at": "2030-01-01T10:00"}
    admin, viewer_client, rep_client = alpha.client(), alpha.client(email=viewer.email), alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    not_instance = admin.post(f"/activities/{series.pk}/occurrences/{good + 60}/delete/")
    huge = admin.get(f"/activities/{series.pk}/occurrences/99999999999999999/edit/")
    read_only = [viewer_client.post(url, form).status_code for url in urls]
    other_rep = [rep_client.post(url, form).status_code for url in urls]

    assert (not_instance.status_code, huge.status_code) == (404, 404)
    assert read_only == [403, 403]
    assert other_rep == [404, 404]
    assert schema_snapshot(alpha.tenant) == before
    assert_cross_tenant_requests_fail(alpha, beta, [("post", url, form) for url in urls])
