"""The list parameters dashboard widgets link with: bad values never fail the page nor widen it."""

from __future__ import annotations

import pytest

from tests.analytics.dashboards.conftest import World, list_count
from tests.tenancy import TenantFixture

ADMIN = "admin@example.test"


@pytest.mark.parametrize(
    ("query", "rows"),
    [
        ("owners=abc", 0),
        ("owners=99999999999999999999999", 0),
        ("owners=1,x", 0),
        ("closed_from=2025-13-40", 12),
        ("closed_from=99999-01-01", 12),
        ("closed_to=2025-02-28%00", 12),
        ("status=closed", 8),
        ("stale=1", 1),
    ],
)
def test_the_deal_lists_dashboard_parameters_refuse_bad_values_quietly(
    alpha: TenantFixture, world: World, query: str, rows: int
):
    assert list_count(alpha, ADMIN, f"/deals/?{query}") == rows


@pytest.mark.parametrize(
    ("query", "rows"),
    [("owners=abc", 0), ("created_from=nonsense", 5), ("source=none", 1), ("created_from=2025-02-01", 4)],
)
def test_the_lead_lists_dashboard_parameters(alpha: TenantFixture, world: World, query: str, rows: int):
    assert list_count(alpha, ADMIN, f"/leads/?{query}") == rows


@pytest.mark.parametrize("query", ["owners=abc", "product=99999999999999999999999", "status=placed&product=x"])
def test_the_order_lists_dashboard_parameters_never_fail(alpha: TenantFixture, world: World, query: str):
    response = alpha.client(ADMIN).get(f"/orders/?{query}")

    assert response.status_code == 200
