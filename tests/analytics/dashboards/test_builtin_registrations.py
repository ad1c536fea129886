"""The built-in kinds and ready-made dashboards: registered, fitting the grid without overlap, hidden
from a plan without sales and from a role without the permission."""

from __future__ import annotations

from itertools import combinations

import pytest

from modules.analytics.dashboards.ready_made import (
    offered_ready_made,
    placements_for,
    ready_made_named,
    registered_ready_made,
)
from modules.analytics.dashboards.widgets import available_widgets, registered_widgets, widget_named
from tests.entitlements.helpers import without_modules
from tests.tenancy import REP_EMAIL, TenantFixture, grant, revoke

SALES_KINDS = {
    "sales-open-pipeline", "sales-won-revenue", "sales-win-rate", "sales-cycle-length", "sales-deals-by-stage",
    "sales-won-by-month", "sales-pipeline-by-owner", "sales-forecast-vs-quota", "sales-new-leads-by-source",
    "sales-stale-deals", "sales-top-products",
}  # fmt: skip
ACTIVITY_KINDS = {"activities-completed-per-rep", "activities-overdue", "activities-by-type-per-week"}
VALUE_KINDS = {
    "customers-by-rfm-segment", "customers-at-risk", "customers-at-risk-table", "customers-top-predicted-value",
    "customers-cohort-retention",
}  # fmt: skip


def test_every_built_in_kind_is_registered_with_its_module_and_permission():
    keys = {kind.key for kind in registered_widgets()}
    assert keys >= SALES_KINDS | ACTIVITY_KINDS | VALUE_KINDS
    for key in SALES_KINDS | VALUE_KINDS:
        kind = widget_named(key)
        assert kind is not None
        assert kind.needs == ("sales",)
        assert kind.permission in ("sales.view", "sales.view_reports")
    for key in ACTIVITY_KINDS:
        assert widget_named(key).permission == "activities.view"  # type: ignore[union-attr]


@pytest.mark.parametrize("key", ["sales", "management"])
def test_ready_made_dashboards_fill_the_grid_without_overlap(key: str):
    dashboard = ready_made_named(key)
    assert dashboard is not None
    assert dashboard.needs == ("sales",)
    for placement in dashboard.placements:
        assert widget_named(placement.kind) is not None, placement.kind
        assert 0 <= placement.x < placement.x + placement.width <= 12
        assert placement.y >= 0
    cells = [
        {(x, y) for x in range(p.x, p.x + p.width) for y in range(p.y, p.y + p.height)} for p in dashboard.placements
    ]
    for first, second in combinations(cells, 2):
        assert not first & second
    rows = {y for cell in cells for _x, y in cell}
    for y in rows:  # every row of the grid is filled edge to edge
        assert {x for cell in cells for x, row in cell if row == y} == set(range(12)), (key, y)


def test_a_plan_without_sales_offers_no_sales_kinds_nor_ready_made_dashboards(alpha: TenantFixture):
    without_modules(alpha, "sales")
    with alpha.active():
        keys = {kind.key for kind in available_widgets(alpha.tenant, alpha.user())}
        offered = {dashboard.key for dashboard in offered_ready_made(alpha.tenant)}
    assert keys & (SALES_KINDS | VALUE_KINDS) == set()
    assert keys >= ACTIVITY_KINDS
    assert {"sales", "management"} & offered == set()


def test_a_role_sees_only_the_kinds_its_permissions_allow(alpha: TenantFixture):
    with alpha.active():
        rep_without_analytics = available_widgets(alpha.tenant, alpha.user(REP_EMAIL))
    grant(alpha, "sales_rep", "analytics.view")
    with alpha.active():
        rep = {kind.key for kind in available_widgets(alpha.tenant, alpha.user(REP_EMAIL))}
        admin = {kind.key for kind in available_widgets(alpha.tenant, alpha.user())}
        offered = {dashboard.key for dashboard in registered_ready_made()}
    assert rep_without_analytics == []
    assert rep & {"sales-pipeline-by-owner", "sales-forecast-vs-quota"} == set()
    assert {"sales-won-revenue", "customers-at-risk", "activities-overdue"} <= rep
    assert admin >= SALES_KINDS | ACTIVITY_KINDS | VALUE_KINDS
    assert {"sales", "management"} <= offered
    revoke(alpha, "sales_rep", "sales.view")
    with alpha.active():
        without_sales = {kind.key for kind in available_widgets(alpha.tenant, alpha.user(REP_EMAIL))}
    assert without_sales & (SALES_KINDS | VALUE_KINDS) == set()
    sales_board = ready_made_named("sales")
    assert sales_board is not None
    assert placements_for(sales_board, without_sales) == []


def test_a_rep_gets_the_sales_dashboard_without_the_team_wide_widgets(alpha: TenantFixture):
    grant(alpha, "sales_rep", "analytics.view")
    with alpha.active():
        rep = {kind.key for kind in available_widgets(alpha.tenant, alpha.user(REP_EMAIL))}
    sales_board = ready_made_named("sales")
    assert sales_board is not None

    shown = {placement.kind for placement in placements_for(sales_board, rep)}

    assert shown == {placement.kind for placement in sales_board.placements} - {
        "sales-pipeline-by-owner", "sales-forecast-vs-quota",
    }  # fmt: skip
