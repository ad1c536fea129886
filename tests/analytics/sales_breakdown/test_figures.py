"""Sales by product, segment and region: every figure against the hand-built deals (``deals.py``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from identity.models import Team
from modules.analytics.sales_breakdown.filters import period_dates
from modules.analytics.sales_breakdown.presentation import label_groups
from modules.analytics.sales_breakdown.selectors import sales_breakdown
from tenants.models import Tenant
from tests.analytics.sales_breakdown.deals import build
from tests.tenancy import REP_EMAIL, TenantFixture, grant


@pytest.fixture
def closed(alpha: TenantFixture):
    Tenant.objects.filter(pk=alpha.tenant.pk).update(currency="EUR")
    with alpha.active():
        return build(alpha.user(), alpha.user(REP_EMAIL))


def figures(alpha: TenantFixture, closed, dimension: str, viewer=None, **options) -> dict:
    with alpha.active():
        result = sales_breakdown(viewer or alpha.user(), dimension, closed.start, closed.end, **options)
        label_groups(result)
    rows = {
        group.label: (str(group.revenue), group.won, group.lost, group.unconverted, str(group.win_rate),
                      str(group.average))
        for group in result.groups
    }  # fmt: skip
    total = result.total
    rows["total"] = (str(total.revenue), total.won, total.lost, total.unconverted, str(total.win_rate),
                     str(total.average))  # fmt: skip
    return rows


TOTAL = ("2400.00", 4, 2, 1, "66.7", "800.00")


def test_products_share_each_deal_by_line_net_and_add_up_to_the_deals(alpha: TenantFixture, closed):
    rows = figures(alpha, closed, "product")

    assert rows == {
        # revenue, won, lost, won without a rate, win rate, average deal size
        "SB Widget": ("2150.00", 3, 0, 0, "100.0", "716.67"),
        "SB Gadget": ("250.00", 1, 1, 0, "50.0", "250.00"),
        "No product": ("0.00", 1, 1, 1, "50.0", "None"),
        "total": TOTAL,
    }


def test_groups_come_largest_revenue_first(alpha: TenantFixture, closed):
    with alpha.active():
        result = sales_breakdown(alpha.user(), "industry", closed.start, closed.end)

    assert [group.key for group in result.groups] == ["Retail", "Software", ""]


@pytest.mark.parametrize(
    ("dimension", "acme", "bolt", "nobody"),
    [
        ("industry", "Software", "Retail", "No industry"),
        ("size", "11–50", "501–1000", "Size unknown"),
        ("country", "RO", "DE", "No country"),
        ("region", "Cluj (RO)", "No region (DE)", "No region (—)"),
    ],
)
def test_segments_and_regions_read_the_company(alpha: TenantFixture, closed, dimension, acme, bolt, nobody):
    rows = figures(alpha, closed, dimension)

    assert rows == {
        acme: ("1000.00", 2, 1, 1, "66.7", "1000.00"),
        bolt: ("1400.00", 2, 0, 0, "100.0", "700.00"),
        nobody: ("0.00", 0, 1, 0, "0.0", "None"),
        "total": TOTAL,
    }


def test_a_company_custom_field_groups_by_its_value(alpha: TenantFixture, closed):
    with alpha.active():
        result = sales_breakdown(alpha.user(), "custom", closed.start, closed.end, custom_key="tier")
        from customization.fields.models import CustomFieldDefinition

        label_groups(result, CustomFieldDefinition.objects.get(key="tier", entity="company"))

    assert [(group.label, str(group.revenue), group.won, group.lost) for group in result.groups] == [
        ("Silver", "1400.00", 2, 0), ("Gold", "1000.00", 2, 1), ("No value", "0.00", 0, 1),
    ]  # fmt: skip


def test_the_owner_filter_keeps_that_owners_deals(alpha: TenantFixture, closed):
    rows = figures(alpha, closed, "product", owner=alpha.user())

    assert rows == {
        "SB Widget": ("1150.00", 2, 0, 0, "100.0", "575.00"),
        "SB Gadget": ("250.00", 1, 1, 0, "50.0", "250.00"),
        "No product": ("0.00", 0, 1, 0, "0.0", "None"),
        "total": ("1400.00", 2, 2, 0, "50.0", "700.00"),
    }


def test_the_team_filter_keeps_its_members_deals(alpha: TenantFixture, closed):
    with alpha.active():
        team = Team.objects.create(name="Breakdown team")
        alpha.user(REP_EMAIL).teams.add(team)

    rows = figures(alpha, closed, "industry", team=team)

    assert rows == {
        "Retail": ("1000.00", 1, 0, 0, "100.0", "1000.00"),
        "Software": ("0.00", 1, 0, 1, "100.0", "None"),
        "total": ("1000.00", 2, 0, 1, "100.0", "1000.00"),
    }


def test_a_rep_counts_only_the_deals_the_rep_may_see(alpha: TenantFixture, closed):
    grant(alpha, "sales_rep", "analytics.view")

    rows = figures(alpha, closed, "product", viewer=alpha.user(REP_EMAIL))

    assert rows == {
        "SB Widget": ("1000.00", 1, 0, 0, "100.0", "1000.00"),
        "No product": ("0.00", 1, 0, 1, "100.0", "None"),
        "total": ("1000.00", 2, 0, 1, "100.0", "1000.00"),
    }


def test_an_empty_period_has_a_zero_total_and_no_groups(alpha: TenantFixture, closed):
    with alpha.active():
        result = sales_breakdown(alpha.user(), "product", closed.end, closed.end)

    assert result.groups == []
    assert (result.total.revenue, result.total.won, result.total.win_rate) == (Decimal("0.00"), 0, None)


def test_the_other_tenant_sees_none_of_these_deals(beta: TenantFixture, closed):
    with beta.active():
        result = sales_breakdown(beta.user(), "product", closed.start, closed.end)

    assert result.groups == []


@pytest.mark.parametrize(
    ("period", "start_month", "first", "last"),
    [
        ("this-month", 1, "2030-01-01", "2030-01-31"),
        ("last-month", 1, "2029-12-01", "2029-12-31"),
        ("this-quarter", 5, "2029-11-01", "2030-01-31"),  # quarters from May: Nov–Jan holds 10 January
        ("last-quarter", 5, "2029-08-01", "2029-10-31"),
        ("this-year", 4, "2029-04-01", "2030-03-31"),
        ("last-year", 4, "2028-04-01", "2029-03-31"),
        ("this-quarter", 1, "2030-01-01", "2030-03-31"),
    ],
)
def test_periods_follow_the_fiscal_calendar(period, start_month, first, last):
    assert period_dates(period, dt.date(2030, 1, 10), start_month) == (
        dt.date.fromisoformat(first),
        dt.date.fromisoformat(last),
    )
