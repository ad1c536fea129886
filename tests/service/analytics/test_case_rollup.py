"""The cases' rollups answer exactly what the cases answer: the open backlog, open cases by status
and by priority, new and solved cases per week and new cases by channel, computed from the
rollups, equal the same widgets computed from the cases for an agent (her cases and her queue's
unassigned ones) and the administrator, under every owner filter (and period), after a build and
after status, agent, queue, channel and priority changes, new and deleted cases applied from the
outbox; the incremental tables equal a rebuild's; a status recategorised needs no rebuild; a
reader in another zone reads the cases."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.utils import timezone

from customization.events.dispatcher import dispatch_pending
from modules.analytics.dashboards import rollups
from modules.analytics.dashboards.models import RollupState
from modules.analytics.dashboards.widgets import DashboardFilters
from modules.service import dashboard_rollup
from modules.service.models import Case, CaseStatus
from modules.service.services.cases import create_case, delete_case, set_case_status, update_case
from tests.service.analytics.conftest import FEBRUARY, World
from tests.service.analytics.test_dashboard_widgets import compute
from tests.tenancy import TenantFixture

KINDS = ("service-open-backlog", "service-backlog-by-status", "service-backlog-by-priority")
DAY_KINDS = ("service-new-vs-solved", "service-cases-by-channel")
ROLLUP = dashboard_rollup.ROLLUP
DAY_ROLLUPS = (dashboard_rollup.OPENED_ROLLUP, dashboard_rollup.SOLVED_ROLLUP)


def _figures(alpha: TenantFixture, world: World, kinds: tuple[str, ...] = KINDS) -> dict[tuple[Any, ...], Any]:
    filters = [
        DashboardFilters(),
        DashboardFilters(owner_ids=frozenset({world.ada.pk})),
        DashboardFilters(owner_ids=frozenset({world.ada.pk, world.ben.pk})),
        DashboardFilters(owner_ids=frozenset()),
        FEBRUARY,
        DashboardFilters(start=FEBRUARY.start, end=FEBRUARY.end, owner_ids=frozenset({world.ben.pk})),
    ]
    return {
        (kind, reader.email, index): compute(alpha, kind, reader, narrowed)
        for kind in kinds
        for reader in (world.admin, world.ada, world.ben)
        for index, narrowed in enumerate(filters)
    }


def _from_cases(
    alpha: TenantFixture, world: World, kinds: tuple[str, ...] = KINDS, rollup_keys: tuple[str, ...] = (ROLLUP.key,)
) -> dict[tuple[Any, ...], Any]:
    with alpha.active():
        RollupState.objects.filter(key__in=rollup_keys).delete()
    return _figures(alpha, world, kinds)


def _tables(alpha: TenantFixture, rollup: rollups.Rollup = ROLLUP) -> tuple[set[Any], set[Any]]:
    with alpha.active():
        facts = set(rollup.facts.objects.values_list())  # type: ignore[attr-defined]
        groups = {row[1:] for row in rollup.groups.objects.exclude(records=0).values_list()}  # type: ignore[attr-defined]
    return facts, groups


def test_the_case_rollup_answers_as_the_cases_across_changes(alpha: TenantFixture, world: World):
    expected = _from_cases(alpha, world)
    with alpha.active():
        dispatch_pending()
        assert rollups.rebuild(ROLLUP) == 5
        assert dashboard_rollup.open_groups(world.admin, None) is not None
    assert _figures(alpha, world) == expected
    assert compute(alpha, "service-open-backlog", world.ada, DashboardFilters()).value == 2  # C2, C3

    with alpha.active():
        statuses = {status.key: status for status in CaseStatus.objects.all()}
        cases = {name: Case.objects.get(pk=case.pk) for name, case in world.cases.items()}
        set_case_status(cases["C1"], statuses["open"], by=None)  # reopened
        update_case(cases["C3"], by=None, owner=world.ben, priority="low")  # taken out of Ada's queue view
        update_case(cases["C5"], by=None, team=world.desk)  # now in Ada's queue
        set_case_status(cases["C2"], statuses["solved"], by=None)
        create_case(by=None, subject="C6", owner=world.ada, priority="urgent", status=statuses["new"])
        delete_case(Case.objects.get(pk=cases["C4"].pk), by=None)
        dispatch_pending()
    after_changes = _figures(alpha, world)
    incremental = _tables(alpha)
    with alpha.active():
        rollups.rebuild(ROLLUP)
    assert _tables(alpha) == incremental
    assert _from_cases(alpha, world) == after_changes
    # Ada: C1 reopened, C5 in her queue unassigned, C6; not C3 (Ben's now) nor C2 (solved).
    assert after_changes[("service-open-backlog", world.ada.email, 0)].value == 3


def test_a_status_recategorised_is_counted_by_its_new_category_without_a_rebuild(alpha: TenantFixture, world: World):
    with alpha.active():
        rollups.rebuild(ROLLUP)
        CaseStatus.objects.filter(key="new").update(category="closed")
        assert dashboard_rollup.open_groups(world.admin, None) is not None
    assert compute(alpha, "service-open-backlog", world.admin, DashboardFilters()).value == 1  # C2 alone
    assert _from_cases(alpha, world)[("service-open-backlog", world.admin.email, 0)].value == 1


def test_the_opened_and_solved_rollups_answer_as_the_cases_across_changes(alpha: TenantFixture, world: World):
    keys = tuple(rollup.key for rollup in DAY_ROLLUPS)
    expected = _from_cases(alpha, world, DAY_KINDS, keys)
    with alpha.active():
        dispatch_pending()
        assert [rollups.rebuild(rollup) for rollup in DAY_ROLLUPS] == [5, 2]  # all five opened, C1 and C4 solved
        with timezone.override(zoneinfo.ZoneInfo("Europe/Bucharest")):
            assert dashboard_rollup.opened_per_channel(world.admin, None, None, None) is not None
    assert _figures(alpha, world, DAY_KINDS) == expected

    with alpha.active():
        statuses = {status.key: status for status in CaseStatus.objects.all()}
        cases = {name: Case.objects.get(pk=case.pk) for name, case in world.cases.items()}
        set_case_status(cases["C1"], statuses["open"], by=None)  # reopened: no longer solved
        update_case(cases["C2"], by=None, channel="email", status=statuses["solved"])  # solved today, by e-mail
        update_case(cases["C3"], by=None, owner=world.ben)  # out of Ada's queue view
        update_case(cases["C5"], by=None, team=world.desk, channel="portal")  # now in Ada's queue
        create_case(by=None, subject="C6", owner=world.ada, channel="phone", status=statuses["new"])
        delete_case(Case.objects.get(pk=cases["C4"].pk), by=None)
        dispatch_pending()
    after_changes = _figures(alpha, world, DAY_KINDS)
    for rollup in DAY_ROLLUPS:
        incremental = _tables(alpha, rollup)
        with alpha.active():
            rollups.rebuild(rollup)
        assert _tables(alpha, rollup) == incremental
    assert _from_cases(alpha, world, DAY_KINDS, keys) == after_changes
    # February, as Ada: C1 and C2, now both by e-mail, and C3 is Ben's now.
    by_channel = after_changes[("service-cases-by-channel", world.ada.email, 4)].series[0].points
    assert [(point.label, point.value) for point in by_channel] == [("E-mail", 2)]


def test_a_reader_in_another_zone_reads_the_cases_by_day(alpha: TenantFixture, world: World):
    with alpha.active():
        for rollup in DAY_ROLLUPS:
            rollups.rebuild(rollup)
        with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
            assert dashboard_rollup.opened_per_channel(world.ada, None, None, None) is None
            assert dashboard_rollup.per_week(dashboard_rollup.SOLVED_ROLLUP, world.ada, None, FEBRUARY.start,
                                             FEBRUARY.end) is None  # fmt: skip
