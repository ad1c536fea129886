"""Recurring meetings expanded when read: RRULE, RDATE, EXDATE, overrides, DST and bounds."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from modules.activities.models import Activity
from modules.activities.services.recurrence import MAX_INSTANCES_PER_WINDOW, expand, recurring_or_in_range
from tests.factories import ActivityFactory
from tests.tenancy import TenantFixture

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NEXT_YEAR = timezone.now().year + 1


def _last_sunday(year: int, month: int) -> datetime:
    day = datetime(year, month + 1, 1, tzinfo=UTC) - timedelta(days=1)
    return (day - timedelta(days=(day.weekday() + 1) % 7)).replace(tzinfo=None)


def _series(**values) -> Activity:
    values.setdefault("ends_at", values["due_at"] + timedelta(hours=1))
    return ActivityFactory(kind="meeting", time_zone="Europe/Stockholm", **values)


def test_a_weekly_series_keeps_its_wall_clock_time_across_the_dst_change(alpha: TenantFixture):
    change = _last_sunday(NEXT_YEAR, 3)  # Europe's spring change
    first = datetime.combine((change - timedelta(days=14)).date(), datetime.min.time().replace(hour=9), STOCKHOLM)
    with alpha.active():
        series = _series(due_at=first, rrule="FREQ=WEEKLY;COUNT=4")
        found = expand([series], start=first - timedelta(days=1), end=first + timedelta(days=60))

    assert [occurrence.start.astimezone(STOCKHOLM).hour for occurrence in found] == [9, 9, 9, 9]
    assert {occurrence.start.astimezone(UTC).hour for occurrence in found} == {8, 7}  # CET then CEST
    assert all(occurrence.end - occurrence.start == timedelta(hours=1) for occurrence in found)
    assert all(occurrence.activity == series and occurrence.is_instance for occurrence in found)


def test_a_time_in_the_dst_gap_moves_forward_by_the_gap(alpha: TenantFixture):
    change = _last_sunday(NEXT_YEAR, 3)
    first = datetime.combine((change - timedelta(days=1)).date(), datetime.min.time().replace(hour=2, minute=30))
    with alpha.active():
        series = _series(due_at=first.replace(tzinfo=STOCKHOLM), rrule="FREQ=DAILY;COUNT=3")
        found = expand(
            [series],
            start=first.replace(tzinfo=UTC) - timedelta(days=1),
            end=first.replace(tzinfo=UTC) + timedelta(days=5),
        )

    local = [occurrence.start.astimezone(STOCKHOLM) for occurrence in found]
    assert [(value.day - first.day, value.hour, value.minute) for value in local] == [
        (0, 2, 30),
        (1, 3, 30),
        (2, 2, 30),
    ]


def test_exdates_rdates_and_overrides_replace_instances(alpha: TenantFixture):
    first = datetime(NEXT_YEAR, 5, 4, 10, tzinfo=UTC)
    with alpha.active():
        series = _series(
            due_at=first, rrule="FREQ=DAILY;COUNT=5",
            exdates=[(first + timedelta(days=1)).isoformat()], rdates=[(first + timedelta(days=10)).isoformat()],
        )  # fmt: skip
        moved = ActivityFactory(
            kind="meeting", subject="Moved", series=series, recurrence_id=first + timedelta(days=2),
            due_at=first + timedelta(days=2, hours=3), ends_at=first + timedelta(days=2, hours=4),
        )  # fmt: skip
        start, end = first - timedelta(days=1), first + timedelta(days=20)
        rows = Activity.objects.filter(recurring_or_in_range(start, end))
        found = expand(rows, start=start, end=end)

    assert [(occurrence.start - first, occurrence.activity.pk) for occurrence in found] == [
        (timedelta(0), series.pk),
        (timedelta(days=2, hours=3), moved.pk),
        (timedelta(days=3), series.pk),
        (timedelta(days=4), series.pk),
        (timedelta(days=10), series.pk),
    ]
    assert found[1].recurrence_id == first + timedelta(days=2)
    assert not found[1].is_instance


def test_a_window_after_the_first_occurrence_finds_the_series_and_only_its_instances_inside(alpha: TenantFixture):
    first = timezone.now().replace(microsecond=0) - timedelta(days=400)
    with alpha.active():
        series = _series(due_at=first, rrule="FREQ=WEEKLY")
        ActivityFactory(kind="meeting", due_at=first, ends_at=first + timedelta(hours=1))  # long past, single
        start = timezone.now()
        rows = list(Activity.objects.filter(recurring_or_in_range(start, start + timedelta(days=14))))
        found = expand(rows, start=start, end=start + timedelta(days=14))

    assert rows == [series]
    assert len(found) == 2
    assert all(start <= occurrence.start < start + timedelta(days=14) for occurrence in found)


def test_an_until_without_zone_and_an_unreadable_rule_do_not_fail(alpha: TenantFixture):
    first = datetime(NEXT_YEAR, 1, 5, 9, tzinfo=UTC)
    with alpha.active():
        floating = _series(due_at=first, rrule=f"FREQ=DAILY;UNTIL={NEXT_YEAR}0107T100000")
        broken = _series(due_at=first, rrule="FREQ=SOMETIMES")
        found = expand([floating, broken], start=first, end=first + timedelta(days=30))

    assert [(occurrence.activity, occurrence.start - first) for occurrence in found] == [
        (floating, timedelta(0)), (broken, timedelta(0)), (floating, timedelta(days=1)), (floating, timedelta(days=2)),
    ]  # fmt: skip


def test_a_minutely_rule_is_bounded_per_window(alpha: TenantFixture):
    first = datetime(NEXT_YEAR, 1, 5, 9, tzinfo=UTC)
    with alpha.active():
        series = _series(due_at=first, ends_at=first + timedelta(minutes=1), rrule="FREQ=MINUTELY")
        found = expand([series], start=first, end=first + timedelta(days=30))

    assert len(found) == MAX_INSTANCES_PER_WINDOW


def test_the_calendar_shows_each_instance_of_a_series_in_the_users_zone(
    alpha: TenantFixture, django_assert_max_num_queries
):
    admin = alpha.user()
    first = datetime(NEXT_YEAR, 6, 1, 7, tzinfo=UTC)  # 09:00 in Stockholm (CEST)
    with alpha.active():
        admin.time_zone = "Europe/Stockholm"
        admin.save(update_fields=["time_zone"])
        series = _series(subject="Stand-up", assignee=admin, due_at=first, rrule="FREQ=DAILY;COUNT=30")
        for number in range(5):  # cancelled instances: overrides the calendar leaves out
            ActivityFactory(
                kind="meeting",
                assignee=admin,
                series=series,
                status="cancelled",
                recurrence_id=first + timedelta(days=number + 1),
                due_at=first + timedelta(days=number + 1),
            )
    week = {"start": f"{NEXT_YEAR}-06-01T00:00:00Z", "end": f"{NEXT_YEAR}-06-08T00:00:00Z"}
    client = alpha.client()
    client.get("/calendar/events/", week)  # warm the session and permission caches

    with django_assert_max_num_queries(40) as one_series:
        response = client.get("/calendar/events/", week)
    with alpha.active():
        for _number in range(10):  # more series cost no more queries
            _series(subject="Other", assignee=admin, due_at=first + timedelta(hours=3), rrule="FREQ=WEEKLY")
    with django_assert_max_num_queries(len(one_series.captured_queries)):
        assert len(client.get("/calendar/events/", week).json()) == 12

    events = response.json()
    assert [event["start"] for event in events] == [f"{NEXT_YEAR}-06-01T09:00", f"{NEXT_YEAR}-06-07T09:00"]
    # Each instance opens the series' page on that occurrence (to change or delete it alone).
    assert {event["url"].split("?")[0] for event in events} == {f"/activities/{series.pk}/"}
    assert all("?occurrence=" in event["url"] for event in events)
    assert not any(event["editable"] for event in events)
    assert len({event["id"] for event in events}) == 2


def test_the_feed_publishes_a_series_with_its_rule_zone_and_overrides(alpha: TenantFixture):
    import vobject

    from modules.activities.services.ical import feed_for

    admin = alpha.user()
    first = timezone.now().replace(microsecond=0, second=0) - timedelta(days=300)
    with alpha.active():
        series = _series(
            subject="Weekly",
            assignee=admin,
            due_at=first,
            rrule="FREQ=WEEKLY",
            exdates=[(first + timedelta(days=7)).isoformat()],
            ical_uid="weekly@example.test",
        )
        ActivityFactory(
            kind="meeting",
            subject="Moved",
            assignee=admin,
            series=series,
            recurrence_id=first + timedelta(weeks=42),  # the feed holds the last 90 days' overrides
            due_at=first + timedelta(weeks=42, hours=2),
            ends_at=first + timedelta(weeks=42, hours=3),
        )
        token = feed_for(admin).token

    response = alpha.client(email=None).get(f"/calendar/feed/{token}.ics")

    body = response.content.decode()
    calendar = vobject.readOne(body)
    events = {event.summary.value: event for event in calendar.vevent_list}
    assert events["Weekly"].rrule.value == "FREQ=WEEKLY"
    assert "DTSTART;TZID=Europe/Stockholm:" in body
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Stockholm" in body
    assert events["Weekly"].exdate.value[0] == first + timedelta(days=7)
    assert events["Moved"].uid.value == "weekly@example.test"
    assert events["Moved"].recurrence_id.value == first + timedelta(weeks=42)
