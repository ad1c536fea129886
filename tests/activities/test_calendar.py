"""The calendar: its JSON events (range, visibility, team), rescheduling by drag, the page."""

from datetime import UTC, datetime

from identity.models import Team
from tests.factories import ActivityFactory
from tests.tenancy import REP_EMAIL, TenantFixture, schema_snapshot

WEEK = {"start": "2030-06-03T00:00:00Z", "end": "2030-06-10T00:00:00Z"}


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2030, 6, day, hour, minute, tzinfo=UTC)


def test_the_calendar_page_renders_with_the_feed_link_and_the_users_language(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        admin.locale = "fr"
        admin.save(update_fields=["locale"])

    response = alpha.client().get("/calendar/")

    assert response.status_code == 200
    config = response.context["calendar_config"]
    assert (config["locale"], config["initialView"], config["team"]) == ("fr", "timeGridWeek", None)
    token = admin.calendar_feed.token
    assert f"http://{alpha.host}/calendar/feed/{token}.ics" in response.content.decode()
    assert "vendor/fullcalendar.min.js" in response.content.decode()


def test_events_are_the_users_own_in_the_range_in_their_time_zone(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        admin.time_zone = "Europe/Warsaw"
        admin.save(update_fields=["time_zone"])
        in_range = ActivityFactory(
            subject="In range", kind="meeting", assignee=admin, due_at=_at(4, 8), ends_at=_at(4, 9)
        )
        ActivityFactory(subject="Before", assignee=admin, due_at=_at(1, 8))
        ActivityFactory(subject="After", assignee=admin, due_at=_at(12, 8))
        ActivityFactory(subject="Undated", assignee=admin, due_at=None)
        ActivityFactory(subject="Cancelled", assignee=admin, due_at=_at(5, 8), status="cancelled")
        ActivityFactory(subject="Rita's", assignee=alpha.user(REP_EMAIL), due_at=_at(5, 8))

    response = alpha.client().get("/calendar/events/", WEEK)

    assert response.status_code == 200
    events = response.json()
    assert [(e["title"], e["start"], e["end"], e["allDay"]) for e in events] == [
        ("In range", "2030-06-04T10:00", "2030-06-04T11:00", False)  # Warsaw is UTC+2 in June
    ]
    assert (events[0]["id"], events[0]["url"]) == (str(in_range.pk), f"/activities/{in_range.pk}/")


def test_a_team_calendar_shows_the_members_activities_and_a_rep_only_what_they_may_see(alpha: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        team = Team.objects.get(name="Field sales")
        ActivityFactory(subject="Admin meeting", assignee=admin, due_at=_at(4, 9))
        ActivityFactory(subject="Rep call", assignee=rep, due_at=_at(4, 11))

    as_admin = alpha.client().get("/calendar/events/", {**WEEK, "team": team.pk})
    as_rep = alpha.client(REP_EMAIL).get("/calendar/events/", {**WEEK, "team": team.pk})

    assert [e["title"] for e in as_admin.json()] == ["Admin meeting", "Rep call"]
    assert [e["title"] for e in as_rep.json()] == ["Rep call"]  # own visibility: the admin's stays hidden


def test_a_team_the_user_is_not_in_is_404_for_a_rep(alpha: TenantFixture):
    with alpha.active():
        other = Team.objects.create(name="Elsewhere")

    response = alpha.client(REP_EMAIL).get("/calendar/events/", {**WEEK, "team": other.pk})

    assert response.status_code == 404


def test_a_bad_range_is_a_400_naming_the_parameter(alpha: TenantFixture):
    client = alpha.client()

    missing = client.get("/calendar/events/", {"start": "2030-06-03"})
    too_long = client.get("/calendar/events/", {"start": "2030-01-01", "end": "2030-12-31"})

    assert (missing.status_code, missing.json()) == (
        400,
        {"errors": {"end": ["Give the end of the range as an ISO date."]}},
    )
    assert too_long.status_code == 400
    assert list(too_long.json()["errors"]) == ["end"]


def test_the_events_feed_costs_the_same_queries_for_5_and_50_events(
    alpha: TenantFixture, django_assert_max_num_queries
):
    admin = alpha.user()
    client = alpha.client()
    with alpha.active():
        team = Team.objects.get(name="Field sales")
        ActivityFactory.create_batch(5, assignee=admin, due_at=_at(4, 9))
    with django_assert_max_num_queries(7):
        small = client.get("/calendar/events/", {**WEEK, "team": team.pk})
    with alpha.active():
        ActivityFactory.create_batch(45, assignee=admin, due_at=_at(5, 9))
    with django_assert_max_num_queries(7):
        large = client.get("/calendar/events/", {**WEEK, "team": team.pk})

    assert (len(small.json()), len(large.json())) == (5, 50)


def test_dragging_a_meeting_to_another_day_keeps_its_length(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        meeting = ActivityFactory(kind="meeting", assignee=admin, due_at=_at(4, 9), ends_at=_at(4, 10, 30))

    response = alpha.client().post(
        f"/activities/{meeting.pk}/reschedule/", {"start": "2030-06-06T13:00:00Z", "all_day": "false"}
    )

    assert response.status_code == 200
    assert response.json()["event"]["start"] == "2030-06-06T13:00"
    with alpha.active():
        meeting.refresh_from_db()
    assert (meeting.due_at, meeting.ends_at) == (_at(6, 13), _at(6, 14, 30))


def test_resizing_sets_the_new_end(alpha: TenantFixture):
    with alpha.active():
        meeting = ActivityFactory(kind="meeting", assignee=alpha.user(), due_at=_at(4, 9), ends_at=_at(4, 10))

    response = alpha.client().post(
        f"/activities/{meeting.pk}/reschedule/", {"start": "2030-06-04T09:00:00Z", "end": "2030-06-04T12:00:00Z"}
    )

    assert response.status_code == 200
    with alpha.active():
        meeting.refresh_from_db()
    assert (meeting.due_at, meeting.ends_at) == (_at(4, 9), _at(4, 12))


def test_a_reschedule_that_ends_before_it_starts_is_refused_and_nothing_changes(alpha: TenantFixture):
    with alpha.active():
        meeting = ActivityFactory(kind="meeting", assignee=alpha.user(), due_at=_at(4, 9), ends_at=_at(4, 10))
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    backwards = client.post(
        f"/activities/{meeting.pk}/reschedule/", {"start": "2030-06-04T09:00:00Z", "end": "2030-06-04T08:00:00Z"}
    )
    garbage = client.post(f"/activities/{meeting.pk}/reschedule/", {"start": "next tuesday"})

    assert (backwards.status_code, backwards.json()) == (
        400, {"errors": {"ends_at": ["The end must not be before the start."]}},
    )  # fmt: skip
    assert (garbage.status_code, list(garbage.json()["errors"])) == (400, ["start"])
    assert schema_snapshot(alpha.tenant) == before


def test_a_rep_cannot_reschedule_someone_elses_activity(alpha: TenantFixture):
    with alpha.active():
        meeting = ActivityFactory(kind="meeting", assignee=alpha.user(), due_at=_at(4, 9))

    response = alpha.client(REP_EMAIL).post(f"/activities/{meeting.pk}/reschedule/", {"start": "2030-06-05T09:00:00Z"})

    assert response.status_code == 404
    with alpha.active():
        meeting.refresh_from_db()
    assert meeting.due_at == _at(4, 9)


def test_reschedule_needs_a_csrf_token(alpha: TenantFixture):
    with alpha.active():
        meeting = ActivityFactory(kind="meeting", assignee=alpha.user(), due_at=_at(4, 9))
    client = alpha.client(enforce_csrf_checks=True)

    response = client.post(f"/activities/{meeting.pk}/reschedule/", {"start": "2030-06-05T09:00:00Z"})

    assert response.status_code == 403
    with alpha.active():
        meeting.refresh_from_db()
    assert meeting.due_at == _at(4, 9)


def test_all_day_events_use_dates(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        ActivityFactory(subject="Offsite", assignee=admin, all_day=True, due_at=_at(4, 0), ends_at=_at(5, 0))

    events = alpha.client().get("/calendar/events/", WEEK).json()

    assert [(e["start"], e["end"], e["allDay"]) for e in events] == [("2030-06-04", "2030-06-06", True)]


def test_a_timed_event_dropped_on_the_all_day_row_becomes_all_day(alpha: TenantFixture):
    with alpha.active():
        task = ActivityFactory(assignee=alpha.user(), due_at=_at(4, 9))

    response = alpha.client().post(f"/activities/{task.pk}/reschedule/", {"start": "2030-06-07", "all_day": "true"})

    assert response.status_code == 200
    with alpha.active():
        task.refresh_from_db()
    assert (task.due_at, task.all_day) == (_at(7, 0), True)
