"""Service's dashboard widgets over the hand-built cases of ``conftest`` (Europe/Bucharest): what an
agent counts (her cases and the unassigned ones of her queue) against the administrator, the
period and owner filters, click-through to the case list, the ready-made dashboard and query counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from modules.analytics.dashboards.ready_made import offered_ready_made, ready_made_named
from modules.analytics.dashboards.widgets import DashboardFilters, WidgetData, available_widgets, widget_named
from modules.service.services.cases import create_case
from tests.service.analytics.conftest import FEBRUARY, World
from tests.tenancy import TenantFixture

SERVICE_KINDS = {
    "service-open-backlog", "service-first-response", "service-resolution-time", "service-backlog-by-status",
    "service-new-vs-solved", "service-cases-by-channel", "service-backlog-by-priority", "service-oldest-open",
}  # fmt: skip


def compute(alpha: TenantFixture, key: str, user, filters: DashboardFilters = FEBRUARY) -> WidgetData:
    kind = widget_named(key)
    assert kind is not None, key
    with alpha.active():
        return kind.compute(user, filters)


def list_count(alpha: TenantFixture, email: str, url: str | None) -> int:
    assert url is not None
    response = alpha.client(email).get(url)
    assert response.status_code == 200, url
    return int(response.context["count"].value)


def test_the_open_backlog_counts_what_the_reader_sees_and_opens_the_same_cases(alpha: TenantFixture, world: World):
    as_ada = compute(alpha, "service-open-backlog", world.ada)
    as_admin = compute(alpha, "service-open-backlog", world.admin)
    of_ada = compute(alpha, "service-open-backlog", world.admin, DashboardFilters(owner_ids=frozenset({world.ada.pk})))
    of_team = compute(
        alpha, "service-open-backlog", world.admin, DashboardFilters(owner_ids=frozenset({world.ada.pk, world.ben.pk}))
    )

    assert (as_ada.value, as_admin.value, of_ada.value) == (2, 3, 1)  # C2, C3 / C2, C3, C5 / C2
    assert list_count(alpha, "ada@example.test", as_ada.url) == 2
    assert list_count(alpha, "admin@example.test", as_admin.url) == 3
    assert list_count(alpha, "admin@example.test", of_ada.url) == 1
    assert of_team.value == 1
    assert of_team.url is None  # the list says one agent, not several


def test_backlog_by_status_and_priority_link_to_their_cases(alpha: TenantFixture, world: World):
    by_status = compute(alpha, "service-backlog-by-status", world.admin)
    by_priority = compute(alpha, "service-backlog-by-priority", world.ada)

    [status_series] = by_status.series
    assert [(point.label, point.value) for point in status_series.points] == [("New", 2), ("Open", 1)]
    assert [list_count(alpha, "admin@example.test", point.url) for point in status_series.points] == [2, 1]
    [priority_series] = by_priority.series
    assert [(point.label, point.value) for point in priority_series.points] == [("Urgent", 1), ("Normal", 1)]
    assert [list_count(alpha, "ada@example.test", point.url) for point in priority_series.points] == [1, 1]


def test_median_response_and_resolution_hours_follow_the_period(alpha: TenantFixture, world: World):
    first = compute(alpha, "service-first-response", world.admin)
    resolution = compute(alpha, "service-resolution-time", world.admin)
    ada_first = compute(alpha, "service-first-response", world.ada)
    january = compute(
        alpha, "service-first-response", world.admin, DashboardFilters(start=date(2025, 1, 1), end=date(2025, 1, 31))
    )

    assert (first.value, first.unit) == (Decimal("2.0"), "hours")  # 2, 4 and 1 hours
    assert resolution.value == Decimal("20.0")  # 10 and 30 hours
    assert ada_first.value == Decimal("3.0")  # her 2 and 4 hours
    assert first.previous is None  # nothing was answered in January
    assert january.value is None


def test_new_and_solved_per_week_and_new_cases_by_channel(alpha: TenantFixture, world: World):
    weekly = compute(alpha, "service-new-vs-solved", world.admin)
    channels = compute(alpha, "service-cases-by-channel", world.admin)
    ada_channels = compute(alpha, "service-cases-by-channel", world.ada)

    new, solved = weekly.series
    # Weeks from Monday 27 January to the week of 24 February.
    assert [point.value for point in new.points] == [0, 2, 2, 0, 0]
    assert [point.value for point in solved.points] == [0, 1, 1, 0, 0]
    assert [(point.label, point.value) for point in channels.series[0].points] == [
        ("E-mail", 2), ("Phone", 1), ("Portal", 1),
    ]  # fmt: skip
    assert [(point.label, point.value) for point in ada_channels.series[0].points] == [("E-mail", 2), ("Phone", 1)]


def test_the_oldest_open_cases_table_links_each_case(alpha: TenantFixture, world: World):
    table = compute(alpha, "service-oldest-open", world.admin)
    as_ada = compute(alpha, "service-oldest-open", world.ada)

    assert table.value == 3
    assert [row[0] for row in table.rows] == [world.cases[name].number for name in ("C5", "C2", "C3")]
    assert table.rows[0][3] == "Unassigned"
    assert table.rows[1][-1] == reverse("service:case-detail", args=[world.cases["C2"].pk])
    assert [row[0] for row in as_ada.rows] == [world.cases[name].number for name in ("C2", "C3")]


def test_the_service_widgets_and_dashboard_need_the_module_and_the_permission(alpha: TenantFixture, world: World):
    with alpha.active():
        kinds = {kind.key for kind in available_widgets(alpha.tenant, world.ada)}
        offered = [dashboard.key for dashboard in offered_ready_made(alpha.tenant)]
    assert kinds >= SERVICE_KINDS
    assert "service" in offered
    assert {placement.kind for placement in ready_made_named("service").placements} == SERVICE_KINDS  # type: ignore[union-attr]

    alpha.tenant.enabled_modules = [key for key in alpha.tenant.enabled_modules if key != "service"]
    alpha.tenant.save()
    with alpha.active():
        assert not SERVICE_KINDS & {kind.key for kind in available_widgets(alpha.tenant, world.admin)}
        assert "service" not in [dashboard.key for dashboard in offered_ready_made(alpha.tenant)]


def test_every_service_widget_costs_the_same_queries_for_5_and_50_cases(alpha: TenantFixture, world: World):
    def queries() -> dict[str, int]:
        counts = {}
        for key in sorted(SERVICE_KINDS):
            kind = widget_named(key)
            with alpha.active(), CaptureQueriesContext(connection) as captured:
                kind.compute(world.ada, FEBRUARY)  # type: ignore[union-attr]
            counts[key] = len(captured.captured_queries)
        return counts

    few = queries()
    with alpha.active():
        for index in range(45):
            create_case(by=None, subject=f"More {index}", owner=world.ada if index % 2 else None, team=world.desk)
    assert queries() == few
