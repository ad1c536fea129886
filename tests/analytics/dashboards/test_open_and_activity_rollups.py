"""The open deals', done and open activities' rollups answer exactly what the records answer: each widget
they serve, computed from the rollup, equals the same widget computed from the records for every
reader (visibility) and owner filter of the hand-built team (``conftest``), after a build and after
edits, moves, closes, reopenings and deletions applied from the outbox; the incremental tables
equal a rebuild's; a change to the rates in force or another zone sends the widgets back to the
records."""

from __future__ import annotations

import zoneinfo
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from customization.events.dispatcher import dispatch_pending
from modules.activities import dashboard_rollup as activity_rollup
from modules.activities.models import Activity
from modules.activities.services.activities import (
    cancel_activity,
    complete_activity,
    create_activity,
    delete_activity,
    update_activity,
)
from modules.analytics.dashboards import rollups
from modules.analytics.dashboards.builtin_support import reader_zone
from modules.analytics.dashboards.models import RollupState
from modules.analytics.dashboards.widgets import DashboardFilters
from modules.analytics.refresh.models import RefreshDue
from modules.contacts.models import ExchangeRate
from modules.sales import open_deals_rollup
from modules.sales.models import Deal
from modules.sales.services.deals import create_deal, delete_deal, mark_won, move_deal_to_stage, update_deal
from tests.analytics.dashboards.conftest import FEBRUARY, World, compute, moment
from tests.analytics.dashboards.test_activity_widgets import activities  # noqa: F401 (a fixture)
from tests.tenancy import TenantFixture

OPEN_KINDS = ("sales-open-pipeline", "sales-deals-by-stage", "sales-pipeline-by-owner")
ACTIVITY_KINDS = ("activities-completed-per-rep", "activities-by-type-per-week")
OVERDUE = ("activities-overdue",)


def _filters(world: World) -> list[DashboardFilters]:
    team = frozenset({world.ana.pk, world.mara.pk})
    return [
        DashboardFilters(),
        FEBRUARY,
        DashboardFilters(start=FEBRUARY.start, end=FEBRUARY.end, owner_ids=frozenset({world.ana.pk})),
        DashboardFilters(owner_ids=team),
        DashboardFilters(owner_ids=frozenset({world.cid.pk})),
        DashboardFilters(owner_ids=frozenset()),
    ]


def _figures(alpha: TenantFixture, world: World, kinds: tuple[str, ...]) -> dict[tuple[Any, ...], Any]:
    return {
        (kind, reader.email, index): compute(alpha, kind, reader, filters)
        for kind in kinds
        for reader in (world.admin, world.mara, world.ana)
        for index, filters in enumerate(_filters(world))
    }


def _from_records(alpha: TenantFixture, world: World, rollup: rollups.Rollup, kinds: tuple[str, ...]) -> Any:
    with alpha.active():
        RollupState.objects.filter(key=rollup.key).delete()
    return _figures(alpha, world, kinds)


def _tables(alpha: TenantFixture, rollup: rollups.Rollup) -> tuple[set[Any], set[Any]]:
    with alpha.active():
        facts = set(rollup.facts.objects.values_list())  # type: ignore[attr-defined]
        groups = {row[1:] for row in rollup.groups.objects.exclude(records=0).values_list()}  # type: ignore[attr-defined]
    return facts, groups


def _rebuilt_matches(alpha: TenantFixture, rollup: rollups.Rollup) -> None:
    incremental = _tables(alpha, rollup)
    with alpha.active():
        rollups.rebuild(rollup)
    assert _tables(alpha, rollup) == incremental


def test_the_open_deals_rollup_answers_as_the_deals_across_changes(alpha: TenantFixture, world: World):
    rollup = open_deals_rollup.ROLLUP
    expected = _from_records(alpha, world, rollup, OPEN_KINDS)
    with alpha.active():
        dispatch_pending()
        assert rollups.rebuild(rollup) == 4
        with reader_zone(world.admin):
            assert open_deals_rollup.open_groups(world.admin, None) is not None
    assert _figures(alpha, world, OPEN_KINDS) == expected
    # O1 1,000 + O2 100 USD at today's 0.80 + O3 50 + O4 700, and Mara's team without Cid's.
    assert compute(alpha, "sales-open-pipeline", world.admin, DashboardFilters()).value == Decimal("1830.00")
    assert compute(alpha, "sales-open-pipeline", world.mara, DashboardFilters()).value == Decimal("1130.00")

    with alpha.active():
        deals = {name: Deal.objects.get(pk=deal.pk) for name, deal in world.deals.items()}
        update_deal(deals["O1"], by=world.admin, amount=Decimal("1200.00"))
        move_deal_to_stage(deals["O3"], world.stages[1], by=world.admin)
        update_deal(deals["O4"], by=world.admin, owner=world.ana)
        mark_won(deals["O2"], by=world.admin)
        move_deal_to_stage(deals["A1"], world.stages[0], by=world.admin)  # reopened
        create_deal(by=world.cid, name="New", amount=Decimal("10.00"), currency="USD")
        delete_deal(Deal.objects.get(pk=deals["O3"].pk), by=world.admin)
        dispatch_pending()
    after_changes = _figures(alpha, world, OPEN_KINDS)
    _rebuilt_matches(alpha, rollup)
    assert _from_records(alpha, world, rollup, OPEN_KINDS) == after_changes
    # O1 1,200 + A1 1,000 + O4 700 (now Ana's) + New 10 USD at 0.80.
    assert after_changes[("sales-open-pipeline", world.admin.email, 0)].value == Decimal("2908.00")


def test_rates_coming_into_force_send_the_open_pipeline_back_to_the_deals(alpha: TenantFixture, world: World):
    with alpha.active():
        rollups.rebuild(open_deals_rollup.ROLLUP)
        ExchangeRate.objects.create(currency="USD", rate=Decimal("0.50"), valid_from=date(2025, 3, 1))
        with reader_zone(world.admin):
            assert open_deals_rollup.open_groups(world.admin, None) is None
        assert RefreshDue.objects.filter(tenant=alpha.tenant, analysis=open_deals_rollup.ROLLUP.key).exists()
    # O2's 100 USD now counts at 0.50: read from the deals until the rollup is rebuilt.
    assert compute(alpha, "sales-open-pipeline", world.admin, DashboardFilters()).value == Decimal("1800.00")
    with alpha.active():
        rollups.rebuild(open_deals_rollup.ROLLUP)
        with reader_zone(world.admin):
            assert open_deals_rollup.open_groups(world.admin, None) is not None
    assert compute(alpha, "sales-open-pipeline", world.admin, DashboardFilters()).value == Decimal("1800.00")


@pytest.mark.usefixtures("activities")
def test_the_done_activities_rollup_answers_as_the_activities_across_changes(alpha: TenantFixture, world: World):
    rollup = activity_rollup.ROLLUP
    expected = _from_records(alpha, world, rollup, ACTIVITY_KINDS)
    with alpha.active():
        dispatch_pending()
        assert rollups.rebuild(rollup) == 6
        with reader_zone(world.admin):
            assert activity_rollup.done_per_assignee(world.admin, None, None, None) is not None
    assert _figures(alpha, world, ACTIVITY_KINDS) == expected
    as_mara = compute(alpha, "activities-completed-per-rep", world.mara)
    assert [row[:2] for row in as_mara.rows] == [("Ana", 2), ("Mara", 1)]

    with alpha.active():
        ana_done = Activity.objects.filter(assignee=world.ana, status="done").order_by("completed_at")
        first, _second, meeting = list(ana_done)
        update_activity(meeting, by=world.admin, assignee=world.cid)
        update_activity(first, by=world.admin, kind="email")
        delete_activity(Activity.objects.get(completed_at=moment("2025-02-28T21:30:00")), by=world.admin)
        overdue = Activity.objects.filter(assignee=world.ana, status="open", all_day=False).get()
        complete_activity(overdue, by=world.admin)  # done today
        dispatch_pending()
    after_changes = _figures(alpha, world, ACTIVITY_KINDS)
    _rebuilt_matches(alpha, rollup)
    assert _from_records(alpha, world, rollup, ACTIVITY_KINDS) == after_changes
    as_admin = after_changes[("activities-completed-per-rep", world.admin.email, 1)]  # February
    assert [row[:2] for row in as_admin.rows] == [("Cid", 2), ("Ana", 1)]


@pytest.mark.usefixtures("activities")
def test_a_reader_in_another_zone_reads_the_activities(alpha: TenantFixture, world: World):
    with alpha.active():
        rollups.rebuild(activity_rollup.ROLLUP)
        with timezone.override(zoneinfo.ZoneInfo("Europe/Bucharest")):
            assert activity_rollup.done_per_assignee(world.ana, None, None, None) is not None
        with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
            assert activity_rollup.done_per_assignee(world.ana, None, None, None) is None
        world.ana.time_zone = "America/New_York"
        world.ana.save(update_fields=["time_zone"])
    # In New York Ana's call of Jan 31 22:30 UTC is on Jan 31, out of February: one, not two.
    assert [row[:2] for row in compute(alpha, "activities-completed-per-rep", world.ana).rows] == [("Ana", 1)]


@pytest.mark.usefixtures("activities")
def test_the_open_activities_rollup_counts_overdue_as_the_activities_across_changes(alpha: TenantFixture, world: World):
    rollup = activity_rollup.OPEN_ROLLUP
    expected = _from_records(alpha, world, rollup, OVERDUE)
    with alpha.active():
        dispatch_pending()
        assert rollups.rebuild(rollup) == 5  # the open ones with a due time: Ana's three, Mara's, Cid's
        with reader_zone(world.admin):
            assert activity_rollup.open_due_before(world.admin, None, timezone.localdate()) is not None
    assert _figures(alpha, world, OVERDUE) == expected
    assert compute(alpha, "activities-overdue", world.admin, DashboardFilters()).value == 3

    with alpha.active():
        now = timezone.now()
        open_ones = Activity.objects.filter(status="open")
        ana_yesterday, ana_today = open_ones.filter(assignee=world.ana, all_day=True).order_by("due_at")
        ana_timed = open_ones.get(assignee=world.ana, all_day=False)
        complete_activity(open_ones.get(assignee=world.cid), by=world.admin)
        update_activity(ana_yesterday, by=world.admin, due_at=ana_yesterday.due_at + timedelta(days=3))  # postponed
        update_activity(open_ones.get(assignee=world.mara), by=world.admin, due_at=now - timedelta(days=3))
        update_activity(ana_timed, by=world.admin, assignee=world.cid)
        create_activity(
            by=world.admin, kind="task", subject="Late", assignee=world.mara, due_at=now - timedelta(days=2)
        )
        cancelled = create_activity(by=world.admin, kind="task", subject="Off", assignee=world.ana,
                                    due_at=now - timedelta(days=4))  # fmt: skip
        cancel_activity(cancelled, by=world.admin)
        delete_activity(ana_today, by=world.admin)
        dispatch_pending()
    after_changes = _figures(alpha, world, OVERDUE)
    _rebuilt_matches(alpha, rollup)
    assert _from_records(alpha, world, rollup, OVERDUE) == after_changes
    # Mara's call moved back and her new task, and Ana's task of two hours ago now Cid's.
    assert after_changes[("activities-overdue", world.admin.email, 0)].value == 3
    assert after_changes[("activities-overdue", world.mara.email, 0)].value == 2
