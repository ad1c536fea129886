"""The workspace's working days and hours: the calendar shades and opens on them in the viewer's
zone, and a new call or meeting starts at the next working slot."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta
from functools import partial

import pytest
import time_machine
from django.utils import timezone

from modules.workspace.models import PROFILE_ID, WorkspaceProfile
from modules.workspace.working_hours import WorkingHours
from tenants.models import Tenant
from tests.tenancy import TenantFixture

BUCHAREST = zoneinfo.ZoneInfo("Europe/Bucharest")
WEEKDAYS = (0, 1, 2, 3, 4)
NINE_TO_FIVE = WorkingHours(WEEKDAYS, time(9), time(17), BUCHAREST)


def _local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of January 2030 in Bucharest (the 9th is a Wednesday)."""
    return datetime(2030, 1, day, hour, minute, tzinfo=BUCHAREST)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (_local(9, 10, 10), _local(9, 10, 30)),  # the next half hour
        (_local(9, 7, 0), _local(9, 9, 0)),  # before the day starts: its start
        (_local(9, 16, 45), _local(10, 9, 0)),  # no room left today: tomorrow's start
        (_local(11, 18, 0), _local(14, 9, 0)),  # Friday evening: Monday
        (_local(12, 11, 0), _local(14, 9, 0)),  # Saturday: Monday
    ],
)
def test_the_next_working_slot(now: datetime, expected: datetime):
    assert NINE_TO_FIVE.next_start(now) == expected
    assert NINE_TO_FIVE.next_start(now.astimezone(zoneinfo.ZoneInfo("America/New_York"))) == expected


def test_no_working_days_give_no_slot():
    assert WorkingHours((), time(9), time(17), BUCHAREST).next_start(_local(9, 10)) is None


def test_the_hours_are_shown_on_the_viewers_clock_split_at_their_midnight():
    on = _local(9, 0).date()

    new_york = NINE_TO_FIVE.spans_in(zoneinfo.ZoneInfo("America/New_York"), on)
    auckland = NINE_TO_FIVE.spans_in(zoneinfo.ZoneInfo("Pacific/Auckland"), on)

    assert new_york == [(day, time(2), time(10)) for day in WEEKDAYS]
    # 07:00–15:00 UTC is 20:00 to 04:00 the next day in Auckland's summer
    assert auckland[:2] == [(0, time(20), None), (1, time(0), time(4))]
    assert len(auckland) == 10


@pytest.fixture
def eight_to_four(alpha: TenantFixture) -> None:
    """Alpha works Monday to Thursday, 08:00–16:00 in Bucharest."""
    Tenant.objects.filter(pk=alpha.tenant.pk).update(time_zone="Europe/Bucharest")
    with alpha.active():
        WorkspaceProfile.objects.update_or_create(
            pk=PROFILE_ID,
            defaults={"working_days": [0, 1, 2, 3], "working_hours_start": time(8), "working_hours_end": time(16)},
        )


def test_the_calendar_shades_and_opens_on_the_working_hours(alpha: TenantFixture, eight_to_four):
    admin = alpha.user()
    with alpha.active():
        admin.time_zone = "Europe/Bucharest"
        admin.save(update_fields=["time_zone"])

    config = alpha.client().get("/calendar/").context["calendar_config"]

    assert config["businessHours"] == [{"daysOfWeek": [1, 2, 3, 4], "startTime": "08:00", "endTime": "16:00"}]
    assert config["scrollTime"] == "07:00:00"


def test_a_viewer_elsewhere_sees_the_hours_on_their_own_clock(alpha: TenantFixture, eight_to_four):
    admin = alpha.user()
    with alpha.active():
        admin.time_zone = "Europe/London"
        admin.save(update_fields=["time_zone"])

    config = alpha.client().get("/calendar/").context["calendar_config"]

    # London keeps two hours behind Bucharest all year (both change clocks on the same EU dates)
    assert config["businessHours"] == [{"daysOfWeek": [1, 2, 3, 4], "startTime": "06:00", "endTime": "14:00"}]
    assert config["scrollTime"] == "05:00:00"


def test_a_new_meeting_or_call_starts_in_working_hours_and_a_task_has_no_time(alpha: TenantFixture, eight_to_four):
    client = alpha.client()
    today = timezone.now().astimezone(BUCHAREST).date()
    wednesday = today + timedelta(days=(2 - today.weekday()) % 7 or 7)  # the next one, while signed in
    thursday_at = partial(datetime.combine, wednesday + timedelta(days=1), tzinfo=BUCHAREST)

    with time_machine.travel(datetime.combine(wednesday, time(15, 50), tzinfo=BUCHAREST)):  # 10 minutes to closing
        meeting = client.get("/activities/new/?kind=meeting").context["form"]
        call = client.get("/activities/new/?kind=call").context["form"]
        task = client.get("/activities/new/").context["form"]

    assert (meeting.initial["due_at"], meeting.initial["ends_at"]) == (thursday_at(time(8)), thursday_at(time(9)))
    assert call.initial["due_at"] == thursday_at(time(8))
    assert "ends_at" not in call.initial
    assert "due_at" not in task.initial
