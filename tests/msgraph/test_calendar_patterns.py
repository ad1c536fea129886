"""A series whose rule Microsoft Graph cannot express (here the last weekday of each month,
BYSETPOS) is written to Outlook as the nearest pattern Graph has less the occurrences it adds, so
Outlook shows every occurrence and only those (its attendees invited once the extra ones are
gone, so Exchange sends them no cancellations); read back it keeps its rule, and an occurrence
deleted in Outlook becomes an excluded date here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dateutil import rrule
from django.utils import timezone

from modules.activities.calendar_sync.models import CalendarConnection
from modules.activities.calendar_sync.services.graph_patterns import NearestPattern, nearest_pattern
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

RULE = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3"


def _sync(alpha: TenantFixture, connection: CalendarConnection) -> SyncResult:
    with alpha.active():
        result = sync_connection(connection.pk)
    assert result is not None
    return result


def _listed(fake: FakeMicrosoft, master_id: str) -> list[datetime]:
    """The occurrences Outlook shows: the series' instances over the next year."""
    master = fake.events[master_id]
    now = timezone.now()
    rows = msgraph_instances.instances(
        master_id, master.body, [], fake.deleted_occurrences.get(master_id, set()), now, now + timedelta(days=365)
    )
    return [msgraph_instances.moment(row["originalStart"]) for row in rows]


def test_a_rule_graph_cannot_express_shows_every_occurrence_in_outlook(alpha: TenantFixture, fake_microsoft):
    fake_microsoft.page_size = 50
    connect_through_flow(alpha.client(REP_EMAIL), fake_microsoft, purpose="calendar")
    month = (timezone.now() + timedelta(days=32)).astimezone(UTC).replace(day=1, hour=9, minute=0, second=0,
                                                                           microsecond=0)  # fmt: skip
    expected = list(rrule.rrulestr(RULE, dtstart=month))
    with alpha.active():
        connection = CalendarConnection.objects.get()
        rep = alpha.user(REP_EMAIL)
        series = create_activity(
            by=rep, kind=ActivityKind.MEETING, assignee=rep, subject="Month-end review", due_at=expected[0],
            ends_at=expected[0] + timedelta(hours=1), rrule=RULE, time_zone="UTC",
        )  # fmt: skip
        add_attendee(series, email="ana@customer.test", by=rep)

    _sync(alpha, connection)
    (master,) = [e for e in fake_microsoft.events.values() if e.body.get("type") == "seriesMaster"]
    pattern = master.body["recurrence"]["pattern"]
    settled = [_sync(alpha, connection).pushed for _run in range(2)]

    assert _listed(fake_microsoft, master.id) == expected
    assert pattern["type"] == "weekly"
    assert sorted(pattern["daysOfWeek"]) == sorted({day.strftime("%A").lower() for day in expected})
    assert settled == [0, 0]
    # One invitation, no cancellation for the occurrences the pattern added and the sync deleted.
    assert fake_microsoft.notices == [Notice("request", "Month-end review", ("ana@customer.test",))]
    with alpha.active():
        series.refresh_from_db()
    assert (series.rrule, series.exdates) == (RULE, [])

    fake_microsoft.deleted_occurrences[master.id].add(msgraph_instances.stamp(expected[1]))
    master.sequence = fake_microsoft.next_sequence()  # deleted in Outlook
    _sync(alpha, connection)

    with alpha.active():
        series.refresh_from_db()
    assert (series.rrule, series.exdates) == (RULE, [expected[1].isoformat()])
    assert _listed(fake_microsoft, master.id) == [expected[0], expected[2]]
    assert _sync(alpha, connection).pushed == 0


def test_the_nearest_pattern_is_the_one_with_fewest_extra_occurrences_and_none_for_an_hourly_rule():
    start = datetime(2031, 1, 15, 9, 0, tzinfo=UTC)  # a Wednesday
    horizon = start + timedelta(days=400)

    def nearest(rule: str) -> NearestPattern | None:
        series = Activity(due_at=start, ends_at=start + timedelta(hours=1), rrule=rule, time_zone="UTC")
        return nearest_pattern(series, horizon)

    monthly = nearest("FREQ=MONTHLY;BYMONTHDAY=15;BYDAY=WE,TH;COUNT=3")  # the 15th when it is a Wed or Thu
    hourly = nearest("FREQ=HOURLY;INTERVAL=5;COUNT=6")
    stepped = nearest("FREQ=DAILY;BYSETPOS=1;INTERVAL=3;COUNT=4")  # 15th, 18th, 21st, 24th

    assert monthly is not None
    assert monthly.recurrence["pattern"] == {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 15}
    assert [s.date().isoformat() for s in monthly.starts] == ["2031-01-15", "2031-05-15", "2031-10-15"]
    assert (len(monthly.extra), monthly.recurrence["range"]["endDate"]) == (7, "2031-10-15")
    assert hourly is None
    assert stepped is not None
    assert stepped.recurrence["pattern"]["daysOfWeek"] == ["tuesday", "wednesday", "friday", "saturday"]
    assert [day.isoformat() for day in stepped.extra] == ["2031-01-17", "2031-01-22"]  # weekly beats daily
