"""Changes made in Outlook to the series of a meeting besides its own event are read back: one
occurrence changed becomes an override, the subject or place of a whole series the meeting's, a
whole series moved to another hour the meeting's rule (a move the rule cannot hold is recorded as
a conflict and put back); nothing read is written back again. A rule beyond what Outlook can
hold is written as its first occurrence, and the meeting and the sync status say so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from dateutil import rrule
from django.core import mail
from django.utils import timezone

from modules.activities.calendar_sync.models import CalendarConnection, SyncedEvent
from modules.activities.calendar_sync.selectors import calendar_copy
from modules.activities.calendar_sync.services.graph_patterns import moved_rule
from modules.activities.calendar_sync.services.sync import sync_connection
from modules.activities.models import Activity
from tests.msgraph.test_calendar_segments import _connected, _master_at, _outlook, _series
from tests.msgraph_server import FakeMicrosoft
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture

pytestmark = pytest.mark.usefixtures("eager_tasks")
RULE = "FREQ=DAILY;BYHOUR=9,13,17;BYMINUTE=0;COUNT=9"


def _sync(alpha: TenantFixture, connection: CalendarConnection, capture: Any) -> int:
    with alpha.active(), capture(execute=True):
        result = sync_connection(connection.pk)
    assert result is not None
    return result.pushed


def _at(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


def test_changes_made_in_outlook_to_the_other_series_of_a_meeting_are_read_back(
    alpha: TenantFixture, fake_microsoft: FakeMicrosoft, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    connection = _connected(alpha, fake_microsoft)
    start = (timezone.now() + timedelta(days=3)).astimezone(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    expected = list(rrule.rrulestr(RULE, dtstart=start))
    series = _series(alpha, "Handover", start, RULE, capture)
    _sync(alpha, connection, capture)
    window = (start - timedelta(days=1), start + timedelta(days=7))
    noon, evening = _master_at(fake_microsoft, expected[1]), _master_at(fake_microsoft, expected[2])
    told = len(mail.outbox)

    # One occurrence of the 13:00 series moved and renamed in Outlook: an override here.
    fake_microsoft.edit_occurrence(noon, expected[1], subject="Handover with audit",
                                   start=_at(expected[1] + timedelta(minutes=30)),
                                   end=_at(expected[1] + timedelta(minutes=90)))  # fmt: skip
    _sync(alpha, connection, capture)
    with alpha.active():
        override = series.overrides.get(recurrence_id=expected[1])
        assert (override.subject, override.due_at) == ("Handover with audit", expected[1] + timedelta(minutes=30))
    assert _sync(alpha, connection, capture) == 0

    # The whole 17:00 series renamed and given a place: the meeting's, written to its other series.
    fake_microsoft.edit_event(evening, subject="Evening handover", location={"displayName": "Dock 4"})
    _sync(alpha, connection, capture)
    with alpha.active():
        series.refresh_from_db()
    masters = [e for e in fake_microsoft.events.values() if e.body.get("type") == "seriesMaster"]
    assert (series.subject, series.location) == ("Evening handover", "Dock 4")
    assert {(e.body["subject"], e.body["location"]["displayName"]) for e in masters} == {("Evening handover", "Dock 4")}
    assert _sync(alpha, connection, capture) == 0

    # The whole 17:00 series moved to 18:00: the rule's hour moves, the series changed in place.
    fake_microsoft.edit_event(evening, start=_at(expected[2] + timedelta(hours=1)),
                              end=_at(expected[2] + timedelta(hours=2)))  # fmt: skip
    _sync(alpha, connection, capture)
    moved = "FREQ=DAILY;COUNT=9;BYHOUR=9,13,18;BYMINUTE=0"
    with alpha.active():
        series.refresh_from_db()
    assert (series.rrule, series.exdates) == (moved, [])
    assert _outlook(fake_microsoft, *window) == list(rrule.rrulestr(moved, dtstart=start))
    assert not fake_microsoft.events[evening].deleted
    assert _sync(alpha, connection, capture) == 0

    # A move the rule cannot hold (13:00 to 13:20): kept as here, put back there, and said so.
    fake_microsoft.edit_event(noon, start=_at(expected[1] + timedelta(minutes=20)),
                              end=_at(expected[1] + timedelta(minutes=80)))  # fmt: skip
    _sync(alpha, connection, capture)
    with alpha.active():
        series.refresh_from_db()
        copy = calendar_copy(series)
    assert series.rrule == moved
    assert fake_microsoft.events[noon].body["start"]["dateTime"].startswith(expected[1].strftime("%Y-%m-%dT%H:%M"))
    assert copy is not None
    assert "moved in Outlook" in copy.conflict_lost
    assert _sync(alpha, connection, capture) == 0

    # Exchange e-mailed nobody; the platform told the attendee of the new name and the new hour.
    assert fake_microsoft.notices == []
    assert [m.subject for m in mail.outbox[told:]] == ["Invitation: Evening handover"] * 2


def test_a_rule_beyond_outlooks_limits_says_it_is_only_partly_there(
    alpha: TenantFixture, fake_microsoft: FakeMicrosoft, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    connection = _connected(alpha, fake_microsoft)
    start = (timezone.now() + timedelta(days=2)).astimezone(UTC).replace(hour=8, minute=0, second=0, microsecond=0)
    rule = "FREQ=MINUTELY;INTERVAL=15;COUNT=40"
    series = _series(alpha, "Line check", start, rule, capture, ends_at=start + timedelta(minutes=10))
    crowded = _series(alpha, "Sampling", start + timedelta(days=1),
                      "FREQ=MINUTELY;INTERVAL=10;BYHOUR=8,9,10,11,12,13,14,15,16;COUNT=200", capture)  # fmt: skip
    _sync(alpha, connection, capture)

    written = [e.body for e in fake_microsoft.events.values()]
    with alpha.active():
        reasons = dict(SyncedEvent.objects.values_list("activity__subject", "written_pattern__partial"))
    assert sorted((body["subject"], "recurrence" in body) for body in written) == [
        ("Line check", False), ("Sampling", False)
    ]  # fmt: skip
    assert reasons == {"Line check": "frequent", "Sampling": "times"}
    page = alpha.client(REP_EMAIL).get(f"/activities/{series.pk}/").content.decode()
    status = alpha.client(REP_EMAIL).get("/settings/calendar-sync/").content.decode()
    assert 'data-testid="calendar-partial"' in page
    assert "every minute or every second" in page
    assert 'data-testid="invitations-from-here"' in page
    assert 'data-testid="invitations-sender"' not in page
    assert 'data-testid="connection-partial"' in status
    assert f'href="/activities/{crowded.pk}/"' in status
    assert "more than 48 times a day" in status
    assert (
        'data-testid="connection-partial"'
        not in alpha.client(ADMIN_EMAIL).get("/settings/calendar-sync/").content.decode()
    )  # each user sees only their own calendar
    # Its attendee is invited once, from here, with the whole rule; Exchange sends nothing.
    assert fake_microsoft.notices == []
    assert [m.subject for m in mail.outbox] == ["Invitation: Line check", "Invitation: Sampling"]

    # The one event moved in Outlook moves the meeting, which keeps its rule.
    (line_check,) = [e.id for e in fake_microsoft.events.values() if e.body["subject"] == "Line check"]
    later = start + timedelta(hours=1)
    fake_microsoft.move_event(line_check, later.strftime("%Y-%m-%dT%H:%M:%S"),
                              (later + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%S"))  # fmt: skip
    _sync(alpha, connection, capture)
    with alpha.active():
        series.refresh_from_db()
    assert (series.due_at, series.rrule) == (later, rule)
    assert _sync(alpha, connection, capture) == 0


def test_a_series_moved_to_another_hour_moves_the_rules_hour_when_the_rule_can_say_so():
    start = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)

    def moved(rule: str, old: int, new: datetime) -> str | None:
        series = Activity(due_at=start, ends_at=start + timedelta(minutes=30), rrule=rule, time_zone="UTC")
        return moved_rule(series, start.replace(hour=old), new)

    assert moved("FREQ=HOURLY;INTERVAL=8;COUNT=7", 17, start.replace(hour=18)) == (
        "FREQ=DAILY;COUNT=7;BYHOUR=1,9,18;BYMINUTE=0"
    )
    assert moved("FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=9,14", 14, start.replace(hour=15)) == (
        "FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=9,15;BYMINUTE=0"
    )
    assert moved("FREQ=DAILY;BYHOUR=9,14", 14, start.replace(hour=14, minute=20)) is None  # another minute
    assert moved("FREQ=DAILY;BYHOUR=9,14", 9, start.replace(hour=10)) is None  # the meeting's own hour
    assert moved("FREQ=HOURLY;INTERVAL=5;COUNT=9", 14, start.replace(hour=15)) is None  # not the same hours daily
