"""The report builder in a browser: a manager builds a report on deals grouped by a custom field,
sees its chart, clicks a bar and lands on the deal list filtered to that bar's deals."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, expect

from identity.models import Role, Team, User
from identity.services.accounts import create_user
from modules.analytics.reports.models import Report
from modules.sales.models import Deal
from tenants.models import Tenant
from tests.browser.conftest import DemoTenant, database_access, sign_in
from tests.factories import DealFactory

pytestmark = pytest.mark.browser
PASSWORD = "story-manager-password-5512"
EMAIL = "story.reports@demo.example"


@pytest.fixture
def manager_with_deals(demo_tenant: DemoTenant, django_db_blocker: Any) -> Iterator[User]:
    """A manager alone in a team, owning three deals: two renewals and one new business."""
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="demo")
        with tenant_context(tenant):
            team = Team.objects.create(name="Story reports team")
            manager = create_user(email=EMAIL, password=PASSWORD, full_name="Rita Reports",
                                  role=Role.objects.get(key="manager"), teams=[team])  # fmt: skip
            deals = [
                DealFactory(name=f"Story report deal {index}", owner=manager, amount=Decimal("100.00"),
                            custom={"contract_type": kind})
                for index, kind in enumerate(("renewal", "renewal", "new"))
            ]  # fmt: skip
    yield manager
    with database_access(django_db_blocker), tenant_context(tenant):
        Report.objects.filter(owner=manager).delete()
        Deal.objects.filter(pk__in=[deal.pk for deal in deals]).delete()
        User.objects.filter(pk=manager.pk).delete()
        team.delete()


def test_a_manager_builds_a_report_and_drills_into_a_bar(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, manager_with_deals: User
) -> None:
    page = new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.set_default_timeout(30_000)
    sign_in(page, demo_tenant.url, EMAIL, PASSWORD)
    expect(page).to_have_url(demo_tenant.url, timeout=30_000)

    page.goto(f"{demo_tenant.url}analytics/")
    page.locator("[data-analysis=reports]").click()
    page.get_by_test_id("new-report").click()
    page.get_by_label("Records").select_option("deals")
    expect(page).to_have_url(f"{demo_tenant.url}analytics/reports/new/?source=deals")
    builder = page.get_by_test_id("report-builder")
    builder.get_by_label("Grouping 1", exact=True).select_option("custom.contract_type")
    builder.get_by_label("Measure 1", exact=True).select_option("count")
    builder.get_by_label("Name", exact=True).fill("Deals by contract type")
    builder.get_by_test_id("report-save").click()

    expect(page.get_by_role("heading", name="Deals by contract type")).to_be_visible()
    canvas = page.get_by_test_id("report-chart")
    expect(canvas).to_have_attribute("data-ready", "true")
    rows = page.get_by_test_id("report-rows")
    expect(rows.locator("tbody tr")).to_have_count(2)
    expect(rows.locator("tbody tr").nth(0)).to_contain_text("New business")
    expect(rows.locator("tbody tr").nth(1)).to_contain_text("Renewal")
    expect(rows.locator("tbody tr").nth(1).locator("td").nth(1)).to_have_text("2")

    # The centre of the "Renewal" bar, from the chart's own layout.
    point = page.evaluate(
        """() => { const chart = window.relataReportChart;
                   const bar = chart.getDatasetMeta(0).data[chart.data.labels.indexOf("Renewal")];
                   return {x: bar.x, y: (bar.y + bar.base) / 2}; }"""
    )
    canvas.click(position={"x": point["x"], "y": point["y"]})

    expect(page).to_have_url(f"{demo_tenant.url}deals/?cf.contract_type=renewal")
    expect(page.get_by_test_id("list-count")).to_have_text("2")
    table = page.get_by_test_id("record-table")
    expect(table).to_contain_text("Story report deal 0")
    expect(table).to_contain_text("Story report deal 1")
    expect(table).not_to_contain_text("Story report deal 2")
