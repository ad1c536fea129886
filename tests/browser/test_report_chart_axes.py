"""A report chart with a count and a sum of amounts draws the sum on its own axis on the right;
measures in one unit share the left axis."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, expect

from identity.models import User
from modules.analytics.reports.models import Report
from modules.analytics.reports.services import create_report
from tenants.models import Tenant
from tests.browser.conftest import DemoTenant, database_access, sign_in

pytestmark = pytest.mark.browser
AXES = """() => { const chart = window.relataReportChart;
                  return {axes: Object.keys(chart.scales).sort(),
                          right: chart.scales.y1 ? chart.scales.y1.position : null,
                          datasets: chart.data.datasets.map((set) => set.yAxisID)}; }"""


@pytest.fixture
def reports(demo_tenant: DemoTenant, django_db_blocker: Any) -> Iterator[tuple[int, int]]:
    """Two reports of the demo admin on deals by owner: count and sum of amounts; count and
    distinct names (both counts)."""
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="demo")
        with tenant_context(tenant):
            admin = User.objects.get(email=demo_tenant.admin_email)
            mixed, counts = (
                create_report(by=admin, name=f"Axes {name}", source="deals", sharing="private",
                              definition={"group_by": [{"field": "owner"}], "measures": measures})
                for name, measures in (
                    ("mixed", [{"fn": "count"}, {"fn": "sum", "field": "amount"}]),
                    ("counts", [{"fn": "count"}, {"fn": "count_distinct", "field": "name"}]),
                )
            )  # fmt: skip
    yield mixed.pk, counts.pk
    with database_access(django_db_blocker), tenant_context(tenant):
        Report.objects.filter(pk__in=[mixed.pk, counts.pk]).delete()


def test_a_sum_of_amounts_beside_a_count_gets_the_right_hand_axis(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, reports: tuple[int, int]
) -> None:
    mixed, counts = reports
    page = new_context().new_page()
    page.set_default_timeout(30_000)
    sign_in(page, demo_tenant.url, demo_tenant.admin_email, demo_tenant.admin_password)
    expect(page).to_have_url(demo_tenant.url, timeout=30_000)

    page.goto(f"{demo_tenant.url}analytics/reports/{mixed}/")
    expect(page.get_by_test_id("report-chart")).to_have_attribute("data-ready", "true")
    assert page.evaluate(AXES) == {"axes": ["x", "y", "y1"], "right": "right", "datasets": ["y", "y1"]}

    page.goto(f"{demo_tenant.url}analytics/reports/{counts}/")
    expect(page.get_by_test_id("report-chart")).to_have_attribute("data-ready", "true")
    assert page.evaluate(AXES) == {"axes": ["x", "y"], "right": None, "datasets": ["y", "y"]}
