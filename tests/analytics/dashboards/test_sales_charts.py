"""Sales' charts, leaderboards and tables against the hand-built team of ``conftest``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from modules.analytics.dashboards.builtin_support import reader_zone
from modules.analytics.dashboards.widgets import DashboardFilters
from modules.sales.models import Quota
from modules.sales.selectors.forecast import COMMIT_THRESHOLD
from modules.workspace.fiscal import fiscal_quarter_start
from tests.analytics.dashboards.conftest import World, compute, list_count
from tests.factories import DealFactory
from tests.tenancy import TenantFixture

MARA, ANA, ADMIN = "mara@example.test", "ana@example.test", "admin@example.test"


def _points(data, series=0):
    return [(point.label, point.value) for point in data.series[series].points]


def test_deals_by_stage_counts_open_deals_in_every_open_stage(alpha: TenantFixture, world: World):
    as_mara = compute(alpha, "sales-deals-by-stage", world.mara)
    as_admin = compute(alpha, "sales-deals-by-stage", world.admin)

    first, second = world.stages[0].name, world.stages[1].name
    assert _points(as_mara)[:3] == [(first, 2), (second, 1), (world.stages[2].name, 0)]
    assert len(as_mara.series[0].points) == len(world.stages)
    assert _points(as_admin)[:2] == [(first, 2), (second, 2)]
    for point in as_mara.series[0].points[:3]:
        assert list_count(alpha, MARA, point.url) == point.value
    assert list_count(alpha, ADMIN, as_admin.series[0].points[1].url) == 2


def test_won_revenue_by_month_puts_each_deal_in_its_local_month(alpha: TenantFixture, world: World):
    filters = DashboardFilters(start=date(2025, 1, 15), end=date(2025, 3, 10))

    as_mara = compute(alpha, "sales-won-by-month", world.mara, filters)

    points = as_mara.series[0].points
    assert [point.value for point in points] == [Decimal("1000.00"), Decimal("980.00"), Decimal("0.00")]
    assert as_mara.series[0].unit == "EUR"
    assert points[0].url == "/deals/?status=won&closed_from=2025-01-15&closed_to=2025-01-31"
    assert points[2].url == "/deals/?status=won&closed_from=2025-03-01&closed_to=2025-03-10"
    assert [list_count(alpha, MARA, point.url) for point in points] == [1, 4, 0]


def test_won_revenue_by_month_shows_the_last_twelve_months_without_a_period(alpha: TenantFixture, world: World):
    as_ana = compute(alpha, "sales-won-by-month", world.ana, DashboardFilters())

    points = as_ana.series[0].points
    assert len(points) == 12
    with alpha.active(), reader_zone(world.ana):
        today = timezone.localdate()  # the reader's day, which near midnight is not the server's
    assert points[-1].url.endswith(f"closed_to={today.isoformat()}")


def test_pipeline_by_owner_ranks_owners_by_open_amount(alpha: TenantFixture, world: World):
    as_mara = compute(alpha, "sales-pipeline-by-owner", world.mara)
    as_admin = compute(alpha, "sales-pipeline-by-owner", world.admin)

    assert [row[:3] for row in as_mara.rows] == [("Ana", 2, Decimal("1080.00")), ("Mara", 1, Decimal("50.00"))]
    assert [row[0] for row in as_admin.rows] == ["Ana", "Cid", "Mara"]
    assert as_mara.row_urls is True
    assert [list_count(alpha, MARA, row[-1]) for row in as_mara.rows] == [2, 1]


def test_new_leads_by_source_count_leads_created_on_the_periods_local_days(alpha: TenantFixture, world: World):
    as_mara = compute(alpha, "sales-new-leads-by-source", world.mara)
    as_ana = compute(alpha, "sales-new-leads-by-source", world.ana)
    as_admin = compute(alpha, "sales-new-leads-by-source", world.admin)

    assert sorted(_points(as_mara)) == [("No source", 1), ("Referral", 1), ("Website", 1)]
    assert _points(as_ana) == [("Website", 1)]
    assert _points(as_admin)[0] == ("Website", 2)
    for point in as_mara.series[0].points:
        assert list_count(alpha, MARA, point.url) == point.value
    assert list_count(alpha, ADMIN, as_admin.series[0].points[0].url) == 2


def test_stale_deals_lists_open_deals_idle_beyond_their_stage(alpha: TenantFixture, world: World):
    as_mara = compute(alpha, "sales-stale-deals", world.mara)
    as_cid = compute(alpha, "sales-stale-deals", world.cid)

    assert as_mara.value == 1
    assert [(row[0], row[3]) for row in as_mara.rows] == [("O1", 15)]
    assert as_mara.rows[0][-1] == f"/deals/{world.deals['O1'].pk}/"
    assert list_count(alpha, MARA, as_mara.url) == 1
    assert (as_cid.value, as_cid.rows) == (0, ())
    assert list_count(alpha, "cid@example.test", as_cid.url) == 0


@pytest.fixture
def this_quarter(alpha: TenantFixture, world: World) -> date:
    """Ana: a 2,000.00 quota this month, a deal won today (400.00) and one committed (600.00 at 80 %)."""
    with alpha.active():
        today = timezone.localdate()
        Quota.objects.create(user=world.ana, month=today.replace(day=1), amount=Decimal("2000.00"))
        DealFactory(owner=world.ana, amount=Decimal("400.00"), status="won", closed_at=timezone.now())
        DealFactory(
            owner=world.ana, amount=Decimal("600.00"), probability=COMMIT_THRESHOLD + 5, expected_close_date=today
        )
        return fiscal_quarter_start(today, 1)


def test_forecast_against_quota_is_this_fiscal_quarters_forecast(alpha: TenantFixture, world: World, this_quarter):
    as_mara = compute(alpha, "sales-forecast-vs-quota", world.mara)
    only_mara = compute(
        alpha, "sales-forecast-vs-quota", world.mara, DashboardFilters(owner_ids=frozenset({world.mara.pk}))
    )

    forecast, quota = as_mara.series
    ana = [point.label for point in forecast.points].index("Ana")
    assert (forecast.points[ana].value, quota.points[ana].value) == (Decimal("1000.00"), Decimal("2000.00"))
    assert forecast.unit == "EUR"
    quarter = f"{this_quarter.year}-Q{(this_quarter.month - 1) // 3 + 1}"
    assert as_mara.url == f"{reverse('sales:forecast')}?kind=quarter&period={quarter}"
    assert "Ana" not in [point.label for point in only_mara.series[0].points]
    response = alpha.client(MARA).get(as_mara.url)
    assert response.status_code == 200
    assert response.context["forecast"].period.start == this_quarter


def test_a_rep_without_team_reports_gets_no_forecast_page_but_the_kind_is_hidden_for_them(
    alpha: TenantFixture, world: World
):
    """The widget needs sales.view_reports, as the forecast page does."""
    from modules.analytics.dashboards.widgets import available_widgets

    with alpha.active():
        keys_ana = {kind.key for kind in available_widgets(alpha.tenant, world.ana)}
        keys_mara = {kind.key for kind in available_widgets(alpha.tenant, world.mara)}
    assert "sales-forecast-vs-quota" not in keys_ana
    assert "sales-pipeline-by-owner" not in keys_ana
    assert {"sales-forecast-vs-quota", "sales-pipeline-by-owner", "sales-won-revenue"} <= keys_mara
    assert alpha.client(ANA).get(reverse("sales:forecast")).status_code == 403
