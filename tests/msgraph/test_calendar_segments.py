"""Rules Microsoft Graph cannot express with one series (several occurrences a day, an hourly
rule, a whole-day series with BYSETPOS) are written to Outlook as one series per time of day less
the occurrences their patterns add, so Outlook shows exactly the meeting's occurrences; read back,
the meeting keeps its rule. An endless rule is written a year ahead and extended as time passes,
by new series: what was written before is not touched, so Exchange cancels nothing. A meeting
that takes several series is written without attendees (Exchange would invite once per series):
the platform sends its one invitation, with the whole rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from dateutil import rrule
from django.core import mail
from django.utils import timezone

from modules.activities.calendar_sync.models import CalendarConnection
from modules.activities.calendar_sync.services.graph_patterns import NearestPattern, Span, plan
from modules.activities.calendar_sync.services.sync import SyncResult, sync_connection
from modules.activities.choices import ActivityKind
from modules.activities.models import Activity
from modules.activities.services.activities import create_activity
from modules.activities.services.invitations import add_attendee
from tests import msgraph_instances
from tests.msgraph_calendar import Notice
from tests.msgraph_server import FakeMicrosoft
from tests.oauth_accounts.conftest import connect_through_flow
from tests.tenancy import REP_EMAIL, TenantFixture

MONTH_END = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"

pytestmark = pytest.mark.usefixtures("eager_tasks")


def _connected(alpha: TenantFixture, fake: FakeMicrosoft) -> CalendarConnection:
    fake.page_size = 50
    connect_through_flow(alpha.client(REP_EMAIL), fake, purpose="calendar")
    with alpha.active():
        return CalendarConnection.objects.get()


def _sync(alpha: TenantFixture, connection: CalendarConnection) -> SyncResult:
    with alpha.active():
        result = sync_connection(connection.pk)
    assert result is not None
    return result


def _series(
    alpha: TenantFixture, subject: str, start: datetime, rule: str, capture: Callable[..., Any], **values: object
) -> Activity:
    with alpha.active(), capture(execute=True):
        rep = alpha.user(REP_EMAIL)
        series = create_activity(
            by=rep, kind=ActivityKind.MEETING, assignee=rep, subject=subject, due_at=start, rrule=rule,
            time_zone="UTC", **{"ends_at": start + timedelta(hours=1), **values},
        )  # fmt: skip
        add_attendee(series, email="ana@customer.test", by=rep)
    return series


def _outlook(fake: FakeMicrosoft, low: datetime, high: datetime) -> list[datetime]:
    """Every occurrence Outlook shows in [low, high), over all the series there."""
    found: list[datetime] = []
    for event in list(fake.events.values()):
        if event.deleted or event.body.get("type") != "seriesMaster":
            continue
        deleted = fake.deleted_occurrences.get(event.id, set())
        rows = msgraph_instances.instances(event.id, event.body, [], deleted, low, high)
        found += [msgraph_instances.moment(row["originalStart"]) for row in rows]
    return sorted(found)


def _master_at(fake: FakeMicrosoft, moment: datetime) -> str:
    return next(
        event.id for event in fake.events.values()
        if event.body.get("type") == "seriesMaster" and msgraph_instances.moment(event.body["start"]).time()
        == moment.time()
    )  # fmt: skip


def test_an_hourly_rule_is_written_as_one_series_a_time_of_day_and_reads_back_unchanged(
    alpha: TenantFixture, fake_microsoft, django_capture_on_commit_callbacks
):
    connection = _connected(alpha, fake_microsoft)
    rule = "FREQ=HOURLY;INTERVAL=8;COUNT=7"  # 09:00, 17:00, 01:00 … over three days
    start = (timezone.now() + timedelta(days=3)).astimezone(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    expected = list(rrule.rrulestr(rule, dtstart=start))
    series = _series(alpha, "Shift handover", start, rule, django_capture_on_commit_callbacks)

    _sync(alpha, connection)
    settled = [_sync(alpha, connection).pushed for _run in range(2)]

    window = (start - timedelta(days=1), start + timedelta(days=7))
    masters = [e for e in fake_microsoft.events.values() if e.body.get("type") == "seriesMaster"]
    assert _outlook(fake_microsoft, *window) == expected
    assert (len(masters), settled) == (3, [0, 0])
    # Outlook's series carry no attendees, so Exchange sends nothing; the platform's one invitation
    # holds every occurrence.
    assert fake_microsoft.notices == []
    assert all(event.body.get("attendees") == [] for event in fake_microsoft.events.values())
    [invitation] = mail.outbox
    assert (invitation.to, invitation.subject) == (["ana@customer.test"], "Invitation: Shift handover")
    assert f"RRULE:{rule}" in invitation.attachments[0][1].decode()
    with alpha.active():
        series.refresh_from_db()
    assert (series.rrule, series.exdates, series.due_at) == (rule, [], start)

    evening = _master_at(fake_microsoft, expected[1])
    fake_microsoft.deleted_occurrences.setdefault(evening, set()).add(msgraph_instances.stamp(expected[1]))
    fake_microsoft.events[evening].sequence = fake_microsoft.next_sequence()  # deleted in Outlook
    _sync(alpha, connection)

    with alpha.active():
        series.refresh_from_db()
    assert (series.rrule, series.exdates) == (rule, [expected[1].isoformat()])
    assert _outlook(fake_microsoft, *window) == [moment for moment in expected if moment != expected[1]]
    assert _sync(alpha, connection).pushed == 0


def test_a_whole_day_series_graph_cannot_express_shows_its_days_in_outlook(
    alpha: TenantFixture, fake_microsoft, django_capture_on_commit_callbacks
):
    connection = _connected(alpha, fake_microsoft)
    rule = f"{MONTH_END};COUNT=3"
    month = (timezone.now() + timedelta(days=32)).date().replace(day=1)
    days = [moment.date() for moment in rrule.rrulestr(rule, dtstart=datetime.combine(month, time.min))]
    start = datetime.combine(days[0], time.min, tzinfo=UTC)
    series = _series(alpha, "Month-end close", start, rule, django_capture_on_commit_callbacks, all_day=True,
                     ends_at=start)  # fmt: skip

    _sync(alpha, connection)
    settled = [_sync(alpha, connection).pushed for _run in range(2)]

    (master,) = [e for e in fake_microsoft.events.values() if e.body.get("type") == "seriesMaster"]
    shown = _outlook(fake_microsoft, start - timedelta(days=1), start + timedelta(days=100))
    assert shown == [datetime.combine(day, time.min, tzinfo=UTC) for day in days]
    assert (master.body["isAllDay"], master.body["recurrence"]["pattern"]["type"], settled) == (True, "weekly", [0, 0])
    # One series for as long as the rule lasts: Exchange invites, once, and the platform does not.
    assert fake_microsoft.notices == [Notice("request", "Month-end close", ("ana@customer.test",))]
    assert mail.outbox == []
    with alpha.active():
        series.refresh_from_db()
    assert (series.rrule, series.exdates, series.all_day, series.due_at) == (rule, [], True, start)


def test_an_endless_rule_is_extended_by_new_series_as_time_passes(
    alpha: TenantFixture, fake_microsoft, django_capture_on_commit_callbacks
):
    connection = _connected(alpha, fake_microsoft)
    month = (timezone.now() + timedelta(days=32)).astimezone(UTC).replace(day=1, hour=9, minute=0, second=0,
                                                                           microsecond=0)  # fmt: skip
    start = rrule.rrulestr(MONTH_END, dtstart=month)[0]
    series = _series(alpha, "Month-end review", start, MONTH_END, django_capture_on_commit_callbacks)
    _sync(alpha, connection)
    (first,) = [e for e in fake_microsoft.events.values() if e.body.get("type") == "seriesMaster"]
    written = (dict(first.body), set(fake_microsoft.deleted_occurrences.get(first.id, set())))

    with time_machine.travel(timezone.now() + timedelta(days=200), tick=False):
        _sync(alpha, connection)
        later = timezone.now()
        shown = _outlook(fake_microsoft, later, later + timedelta(days=365))
        expected = rrule.rrulestr(MONTH_END, dtstart=start).between(later, later + timedelta(days=365), inc=True)
        assert _sync(alpha, connection).pushed == 0

    assert shown == expected
    assert len([e for e in fake_microsoft.events.values() if e.body.get("type") == "seriesMaster"]) == 2
    # What was written before is untouched (nothing deleted or changed there, nobody told of it).
    assert (first.body, fake_microsoft.deleted_occurrences.get(first.id, set())) == written
    # Endless, so more series come: the platform's one invitation of the whole rule, nothing from Exchange.
    assert fake_microsoft.notices == []
    assert [message.subject for message in mail.outbox] == ["Invitation: Month-end review"]
    with alpha.active():
        series.refresh_from_db()
    assert (series.rrule, series.exdates) == (MONTH_END, [])


def test_the_segments_of_a_rule_are_one_series_a_time_of_day_and_none_past_the_limit():
    start = datetime(2031, 1, 15, 9, 0, tzinfo=UTC)
    span = [Span(date(2031, 1, 15), date(2032, 1, 14))]

    def segments(rule: str) -> list[NearestPattern] | None:
        return plan(Activity(due_at=start, ends_at=start + timedelta(minutes=30), rrule=rule, time_zone="UTC"), span)

    twice = segments("FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=9,14;COUNT=6")
    minutely = segments("FREQ=MINUTELY;INTERVAL=10;BYHOUR=8,9,10,11,12,13,14,15,16;COUNT=200")  # 54 a day

    assert twice is not None
    assert [(s.clock, [m.isoformat() for m in s.starts]) for s in twice] == [
        ("09:00:00", ["2031-01-15T09:00:00+00:00", "2031-01-20T09:00:00+00:00", "2031-01-22T09:00:00+00:00"]),
        ("14:00:00", ["2031-01-15T14:00:00+00:00", "2031-01-20T14:00:00+00:00", "2031-01-22T14:00:00+00:00"]),
    ]
    assert twice[0].recurrence["pattern"]["daysOfWeek"] == ["monday", "wednesday"]
    assert minutely is None  # more times of day than Outlook should hold as series
