"""The cases' rollup answers exactly what the cases answer: the open backlog, open cases by status
and by priority, computed from the rollup, equal the same widgets computed from the cases for an
agent (her cases and her queue's unassigned ones) and the administrator, under every owner filter,
after a build and after status, agent, queue and priority changes, new and deleted cases applied
from the outbox; the incremental tables equal a rebuild's; a status recategorised needs no
rebuild."""

from __future__ import annotations

from typing import Any

from customization.events.dispatcher import dispatch_pending
from modules.analytics.dashboards import rollups
from modules.analytics.dashboards.models import RollupState
from modules.analytics.dashboards.widgets import DashboardFilters
from modules.service import dashboard_rollup
from modules.service.models import Case, CaseStatus
from modules.service.services.cases import create_case, delete_case, set_case_status, update_case
from tests.service.analytics.conftest import World
from tests.service.analytics.test_dashboard_widgets import compute
from tests.tenancy import TenantFixture

KINDS = ("service-open-backlog", "service-backlog-by-status", "service-backlog-by-priority")
ROLLUP = dashboard_rollup.ROLLUP


def _figures(alpha: TenantFixture, world: World) -> dict[tuple[Any, ...], Any]:
    filters = [
        DashboardFilters(),
        DashboardFilters(owner_ids=frozenset({world.ada.pk})),
        DashboardFilters(owner_ids=frozenset({world.ada.pk, world.ben.pk})),
        DashboardFilters(owner_ids=frozenset()),
    ]
    return {
        (kind, reader.email, index): compute(alpha, kind, reader, narrowed)
        for kind in KINDS
        for reader in (world.admin, world.ada, world.ben)
        for index, narrowed in enumerate(filters)
    }


def _from_cases(alpha: TenantFixture, world: World) -> dict[tuple[Any, ...], Any]:
    with alpha.active():
        RollupState.objects.filter(key=ROLLUP.key).delete()
    return _figures(alpha, world)


def _tables(alpha: TenantFixture) -> tuple[set[Any], set[Any]]:
    with alpha.active():
        facts = set(ROLLUP.facts.objects.values_list())  # type: ignore[attr-defined]
        groups = {row[1:] for row in ROLLUP.groups.objects.exclude(records=0).values_list()}  # type: ignore[attr-defined]
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
