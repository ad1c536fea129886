"""Activities' widgets over hand-built activities of the team in ``conftest`` (Europe/Bucharest).

Done (assignee, type, completed at in UTC → local day): Ana call Jan 31 22:30 → Feb 1 (in, the week of
Monday Jan 27); Ana call Jan 31 21:30 → Jan 31 (out); Ana meeting Feb 10; Mara task Feb 28 21:30 →
Feb 28 (week of Feb 24); Cid call Feb 12. Open, relative to now: Ana's task due two hours ago and
all-day task of yesterday (overdue), Ana's all-day task of today (not yet), Mara's call tomorrow and
Mara's done call of yesterday (not overdue), Cid's task of yesterday (overdue).
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from modules.activities.models import Activity
from modules.analytics.dashboards.widgets import DashboardFilters
from tests.analytics.dashboards.conftest import FEBRUARY, World, compute, list_count, moment
from tests.factories import ActivityFactory
from tests.tenancy import TenantFixture

MARA, ANA, ADMIN = "mara@example.test", "ana@example.test", "admin@example.test"


@pytest.fixture
def activities(alpha: TenantFixture, world: World) -> None:
    zone = zoneinfo.ZoneInfo("Europe/Bucharest")
    now = timezone.now()
    today = datetime.combine(timezone.localtime(now, zone).date(), time.min, tzinfo=zone)
    with alpha.active():
        for assignee, kind, completed in (
            (world.ana, "call", "2025-01-31T22:30:00"),
            (world.ana, "call", "2025-01-31T21:30:00"),
            (world.ana, "meeting", "2025-02-10T10:00:00"),
            (world.mara, "task", "2025-02-28T21:30:00"),
            (world.cid, "call", "2025-02-12T10:00:00"),
        ):
            done = ActivityFactory(assignee=assignee, kind=kind, status="done", due_at=moment(completed))
            Activity.objects.filter(pk=done.pk).update(completed_at=moment(completed))
        for assignee, due, all_day, status in (
            (world.ana, now - timedelta(hours=2), False, "open"),
            (world.ana, today - timedelta(days=1), True, "open"),
            (world.ana, today, True, "open"),
            (world.mara, now + timedelta(days=1), False, "open"),
            (world.mara, now - timedelta(days=1), False, "done"),
            (world.cid, now - timedelta(days=1), False, "open"),
        ):
            ActivityFactory(assignee=assignee, due_at=due, all_day=all_day, status=status)


def test_completed_per_rep_counts_the_periods_local_days(alpha: TenantFixture, world: World, activities: None):
    as_mara = compute(alpha, "activities-completed-per-rep", world.mara)
    as_ana = compute(alpha, "activities-completed-per-rep", world.ana)
    as_admin = compute(alpha, "activities-completed-per-rep", world.admin)

    assert [row[:2] for row in as_mara.rows] == [("Ana", 2), ("Mara", 1)]
    assert [row[:2] for row in as_ana.rows] == [("Ana", 2)]
    assert [row[:2] for row in as_admin.rows] == [("Ana", 2), ("Cid", 1), ("Mara", 1)]
    assert [list_count(alpha, MARA, row[-1]) for row in as_mara.rows] == [2, 1]
    assert list_count(alpha, ANA, as_ana.rows[0][-1]) == 2


def test_overdue_activities_follow_the_due_rule_and_the_owner_filter(
    alpha: TenantFixture, world: World, activities: None
):
    as_mara = compute(alpha, "activities-overdue", world.mara)
    as_ana = compute(alpha, "activities-overdue", world.ana)
    as_admin = compute(alpha, "activities-overdue", world.admin)
    mara_own = compute(alpha, "activities-overdue", world.mara, DashboardFilters(owner_ids=frozenset({world.mara.pk})))
    north = compute(
        alpha, "activities-overdue", world.admin, DashboardFilters(owner_ids=frozenset({world.mara.pk, world.ana.pk}))
    )

    assert (as_mara.value, as_ana.value, as_admin.value, mara_own.value, north.value) == (2, 2, 3, 0, 2)
    assert list_count(alpha, MARA, as_mara.url) == 2
    assert list_count(alpha, ANA, as_ana.url) == 2
    assert list_count(alpha, ADMIN, as_admin.url) == 3
    assert list_count(alpha, MARA, mara_own.url) == 0
    assert list_count(alpha, ADMIN, north.url) == 2


def test_activities_by_type_per_week(alpha: TenantFixture, world: World, activities: None):
    as_mara = compute(alpha, "activities-by-type-per-week", world.mara, FEBRUARY)

    by_name = {series.name: [point.value for point in series.points] for series in as_mara.series}
    assert by_name == {"Call": [1, 0, 0, 0, 0], "Meeting": [0, 0, 1, 0, 0], "Task": [0, 0, 0, 0, 1]}
    first_call_week = next(series for series in as_mara.series if series.name == "Call").points[0]
    assert "completed_from=2025-02-01&completed_to=2025-02-02" in str(first_call_week.url)
    for series in as_mara.series:
        for point in series.points:
            assert list_count(alpha, MARA, point.url) == point.value


def test_a_bad_assignees_parameter_is_a_400_naming_it(alpha: TenantFixture, world: World):
    response = alpha.client(ADMIN).get("/activities/?assignee=all&assignees=1,x")

    assert response.status_code == 400
    assert "people as numbers" in response.content.decode()
