"""The attribution report page, the report sources and the dashboard widgets, and the ready-made
"Marketing" dashboard: figures, permission, plan gate and query counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import combinations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from modules.analytics.dashboards.ready_made import offered_ready_made, ready_made_named
from modules.analytics.dashboards.widgets import DashboardFilters, available_widgets, widget_named
from modules.analytics.reports.registry import source_named
from modules.marketing.attribution.choices import TouchKind
from modules.marketing.attribution.services import record_touch
from modules.marketing.choices import MemberStatus
from modules.marketing.services.campaigns import add_members
from modules.sales.models import Deal
from tests.entitlements.helpers import without_modules
from tests.factories import ContactFactory, DealFactory
from tests.marketing.campaigns.conftest import make_campaign
from tests.sales.catalog.conftest import MakeUser
from tests.tenancy import TenantFixture

KINDS = ("marketing-campaign-roi", "marketing-influenced-revenue", "marketing-members-by-status")


def _influenced(alpha: TenantFixture, name: str, won: str, cost: str) -> None:
    """A campaign with ``cost`` that touched a contact before its won deal of ``won`` EUR."""
    campaign = make_campaign(alpha, name=name, actual_cost=Decimal(cost))
    with alpha.active():
        contact = ContactFactory()
        deal = DealFactory(contact=contact, amount=Decimal(won), status="won")
        Deal.objects.filter(pk=deal.pk).update(created_at=timezone.now() - timedelta(days=2))
        record_touch(campaign, kind=TouchKind.FORM, contact=contact, occurred_at=timezone.now() - timedelta(days=5))
        add_members(campaign, by=None, contacts=[contact], status=MemberStatus.REGISTERED)


def test_the_report_shows_each_models_figures_and_the_formula(alpha: TenantFixture):
    _influenced(alpha, "Fair", won="3000", cost="1000")
    client = alpha.client()
    page = client.get("/marketing/attribution/?model=first")
    html = page.content.decode()
    assert page.status_code == 200
    assert "ROI = (won revenue − cost) / cost" in html
    rows = dict((row.name, figures) for row, figures in page.context["rows"])
    assert rows["Fair"].won == Decimal("3000.00")
    assert rows["Fair"].roi_percent == Decimal("200.0")
    assert rows["Fair"].revenue_per_cost == Decimal("3.00")
    assert 'data-figure="revenue-per-cost">3.00×' in html
    later = client.get(f"/marketing/attribution/?start={(timezone.localdate() + timedelta(days=1)).isoformat()}")
    assert dict((row.name, f) for row, f in later.context["rows"])["Fair"].won == Decimal("0.00")


def test_the_report_costs_the_same_queries_for_2_and_20_campaigns(alpha: TenantFixture):
    for number in range(2):
        _influenced(alpha, f"Few {number}", won="100", cost="10")
    client = alpha.client()

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/marketing/attribution/").status_code == 200
        return len(captured.captured_queries)

    few = count()
    for number in range(18):
        _influenced(alpha, f"Many {number}", won="100", cost="10")
    assert count() == few


def test_the_widgets_compute_the_figures(alpha: TenantFixture):
    _influenced(alpha, "Good", won="3000", cost="1000")
    _influenced(alpha, "Poor", won="500", cost="1000")
    with alpha.active():
        user = alpha.user()
        roi = widget_named("marketing-campaign-roi").compute(user, DashboardFilters())  # type: ignore[union-attr]
        revenue = widget_named("marketing-influenced-revenue").compute(user, DashboardFilters())  # type: ignore[union-attr]
        members = widget_named("marketing-members-by-status").compute(user, DashboardFilters())  # type: ignore[union-attr]
    assert [(row[0], row[3]) for row in roi.rows] == [("Good", Decimal("200.0")), ("Poor", Decimal("-50.0"))]
    assert [point.value for point in revenue.series[1].points] == [Decimal("3000.00"), Decimal("500.00")]
    assert {point.label: point.value for point in members.series[0].points}["Registered"] == 2


def test_widgets_and_the_dashboard_follow_the_plan_and_the_permission(alpha: TenantFixture, make_user: MakeUser):
    make_user("read_only", "reader@example.test")
    with alpha.active():
        admin = {kind.key for kind in available_widgets(alpha.tenant, alpha.user())}
        reader = {kind.key for kind in available_widgets(alpha.tenant, alpha.user("reader@example.test"))}
        offered = {dashboard.key for dashboard in offered_ready_made(alpha.tenant)}
    without_modules(alpha, "marketing")
    with alpha.active():
        without = {kind.key for kind in available_widgets(alpha.tenant, alpha.user())}
        offered_without = {dashboard.key for dashboard in offered_ready_made(alpha.tenant)}
    assert set(KINDS) <= admin
    assert not set(KINDS) & reader  # no marketing.view_reports
    assert "marketing" in offered
    assert not set(KINDS) & without
    assert "marketing" not in offered_without


def test_the_marketing_dashboard_fills_the_grid_without_overlap():
    dashboard = ready_made_named("marketing")
    assert dashboard is not None
    cells = [
        {(x, y) for x in range(p.x, p.x + p.width) for y in range(p.y, p.y + p.height)} for p in dashboard.placements
    ]
    for first, second in combinations(cells, 2):
        assert not first & second
    for y in {y for cell in cells for _x, y in cell}:
        assert {x for cell in cells for x, row in cell if row == y} == set(range(12))


def test_report_sources_follow_campaign_visibility(alpha: TenantFixture, make_user: MakeUser):
    _influenced(alpha, "Visible to all", won="10", cost="1")
    make_user("sales_rep", "seller@example.test")
    with alpha.active():
        admin, seller = alpha.user(), alpha.user("seller@example.test")
        # The campaign, its registered member, and two touches: the form and the response.
        for key, count in (("campaigns", 1), ("campaign_members", 1), ("campaign_touches", 2)):
            source = source_named(key)
            assert source is not None
            assert source.visible(admin).count() == count, key
            assert source.visible(seller).count() == 0, key  # own records only; the campaign is the admin's
