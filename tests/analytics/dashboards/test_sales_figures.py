"""Sales' KPI widgets against the hand-built team of ``conftest``: exact figures per reader, the owner
filter, the period before, and each figure's link opening a list of exactly the records it counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from modules.analytics.dashboards.widgets import DashboardFilters
from tests.analytics.dashboards.conftest import FEBRUARY, World, compute, list_count
from tests.tenancy import TenantFixture

MARA, ANA, ADMIN = "mara@example.test", "ana@example.test", "admin@example.test"


def test_won_revenue_converts_on_the_close_day_and_compares_with_the_period_before(alpha: TenantFixture, world: World):
    as_mara = compute(alpha, "sales-won-revenue", world.mara)
    as_ana = compute(alpha, "sales-won-revenue", world.ana)
    as_admin = compute(alpha, "sales-won-revenue", world.admin)

    # A2 500 (Feb 1 local) + A3 200 USD × 0.90 + M1 300 (Feb 28 23:59 local); A4 has no GBP rate.
    assert (as_mara.value, as_mara.previous, as_mara.unit) == (Decimal("980.00"), Decimal("1000.00"), "EUR")
    assert (as_ana.value, as_ana.previous) == (Decimal("680.00"), Decimal("1000.00"))
    assert (as_admin.value, as_admin.previous) == (Decimal("4980.00"), Decimal("1000.00"))
    # The list holds the deals won in the period, the unconvertible A4 too.
    assert as_mara.url == "/deals/?status=won&closed_from=2025-02-01&closed_to=2025-02-28"
    assert list_count(alpha, MARA, as_mara.url) == 4
    assert list_count(alpha, ANA, as_ana.url) == 3
    assert list_count(alpha, ADMIN, as_admin.url) == 5


def test_the_owner_filter_narrows_to_one_owner_or_a_team(alpha: TenantFixture, world: World):
    only_ana = DashboardFilters(start=FEBRUARY.start, end=FEBRUARY.end, owner_ids=frozenset({world.ana.pk}))
    north = DashboardFilters(start=FEBRUARY.start, end=FEBRUARY.end, owner_ids=frozenset({world.ana.pk, world.mara.pk}))
    hidden = DashboardFilters(start=FEBRUARY.start, end=FEBRUARY.end, owner_ids=frozenset({world.cid.pk}))

    mara_on_ana = compute(alpha, "sales-won-revenue", world.mara, only_ana)
    admin_on_north = compute(alpha, "sales-won-revenue", world.admin, north)
    mara_on_cid = compute(alpha, "sales-won-revenue", world.mara, hidden)

    assert mara_on_ana.value == Decimal("680.00")
    assert mara_on_ana.url == f"/deals/?status=won&closed_from=2025-02-01&closed_to=2025-02-28&owner={world.ana.pk}"
    assert list_count(alpha, MARA, mara_on_ana.url) == 3
    assert admin_on_north.value == Decimal("980.00")
    assert "owners=" in str(admin_on_north.url)
    assert list_count(alpha, ADMIN, admin_on_north.url) == 4
    # Cid's deals stay out of Mara's sight whatever she filters on.
    assert (mara_on_cid.value, mara_on_cid.previous) == (Decimal("0.00"), Decimal("0.00"))
    assert list_count(alpha, MARA, mara_on_cid.url) == 0


def test_win_rate_counts_the_deals_closed_in_the_period(alpha: TenantFixture, world: World):
    as_mara = compute(alpha, "sales-win-rate", world.mara)
    as_ana = compute(alpha, "sales-win-rate", world.ana)
    as_admin = compute(alpha, "sales-win-rate", world.admin)

    # Mara: A2 A3 A4 M1 won, L1 lost (L2 closed on March 1 locally). Previous period: A1 alone.
    assert (as_mara.value, as_mara.previous, as_mara.unit) == (Decimal("80.0"), Decimal("100.0"), "%")
    assert as_ana.value == Decimal("75.0")
    assert as_admin.value == Decimal("83.3")
    assert list_count(alpha, MARA, as_mara.url) == 5
    assert list_count(alpha, ANA, as_ana.url) == 4
    assert list_count(alpha, ADMIN, as_admin.url) == 6


def test_cycle_length_averages_creation_to_win(alpha: TenantFixture, world: World):
    as_mara = compute(alpha, "sales-cycle-length", world.mara)
    as_ana = compute(alpha, "sales-cycle-length", world.ana)
    empty = compute(alpha, "sales-cycle-length", world.ana, DashboardFilters(date(2025, 6, 1), date(2025, 6, 30)))

    assert (as_mara.value, as_mara.previous, as_mara.unit) == (Decimal("25.0"), Decimal("30.0"), "days")
    assert as_ana.value == Decimal("23.3")  # (10 + 20 + 40) / 3
    assert list_count(alpha, ANA, as_ana.url) == 3
    assert empty.value is None


def test_open_pipeline_converts_at_todays_rate(alpha: TenantFixture, world: World):
    as_mara = compute(alpha, "sales-open-pipeline", world.mara)
    as_ana = compute(alpha, "sales-open-pipeline", world.ana)
    as_admin = compute(alpha, "sales-open-pipeline", world.admin)

    # O1 1,000 + O2 100 USD × 0.80 + O3 50 for Mara; O4 700 more for the administrator.
    assert (as_mara.value, as_mara.unit) == (Decimal("1130.00"), "EUR")
    assert as_ana.value == Decimal("1080.00")
    assert as_admin.value == Decimal("1830.00")
    assert as_mara.url == "/deals/?status=open"
    assert (list_count(alpha, MARA, as_mara.url), list_count(alpha, ANA, as_ana.url)) == (3, 2)
    assert list_count(alpha, ADMIN, as_admin.url) == 4


def test_an_open_ended_period_has_no_previous_one(alpha: TenantFixture, world: World):
    since = compute(alpha, "sales-won-revenue", world.mara, DashboardFilters(start=date(2025, 2, 1)))

    assert (since.value, since.previous) == (Decimal("980.00"), None)
    assert since.url == "/deals/?status=won&closed_from=2025-02-01"
    assert list_count(alpha, MARA, since.url) == 4
