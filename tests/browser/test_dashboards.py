"""Dashboards in a browser: a manager builds a report on orders grouped by a custom field, puts it
on a new dashboard twice (once kept to all time), resizes a widget by dragging (the layout is
saved), changes the period — only the widget that honours it loads again — and clicks a bar,
landing on the order list filtered to that bar's orders, as many as the bar says."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, expect

from customization.fields.models import CustomFieldDefinition
from customization.fields.services import archive_definition, create_definition, purge_definition
from identity.models import Role, Team, User
from identity.services.accounts import create_user
from modules.analytics.dashboards.models import Dashboard, Widget
from modules.analytics.reports.models import Report
from modules.contacts.models import Company, TimelineEntry
from modules.sales.models import Order
from modules.sales.services.orders import create_order
from tenants.models import Tenant
from tests.browser.conftest import DemoTenant, database_access, sign_in
from tests.browser.test_content_security_policy import RECORD_VIOLATIONS
from tests.factories import CompanyFactory

pytestmark = pytest.mark.browser
PASSWORD = "story-dashboard-password-7731"
EMAIL = "story.dashboards@demo.example"


@pytest.fixture
def manager_with_orders(demo_tenant: DemoTenant, django_db_blocker: Any) -> Iterator[User]:
    """A manager alone in a team, with a "Sales channel" custom field on orders and four orders of
    theirs: web 3 and 5 days ago, phone 4 days ago, web 200 days ago."""
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="demo")
        with tenant_context(tenant):
            team = Team.objects.create(name="Story dashboards team")
            manager = create_user(email=EMAIL, password=PASSWORD, full_name="Dana Dashboards",
                                  role=Role.objects.get(key="manager"), teams=[team])  # fmt: skip
            field = create_definition(
                by=None, entity="order", key="sales_channel", label="Sales channel", field_type="single_select",
                options=[{"value": "web", "label": "Web"}, {"value": "phone", "label": "Phone"}],
            )  # fmt: skip
            company = CompanyFactory(name="Story dashboards customer", owner=manager)
            today = timezone.localdate()
            orders = [
                create_order(
                    by=manager, company=company, currency="EUR", ordered_on=today - timedelta(days=days),
                    custom={"sales_channel": channel},
                    lines=[{"description": "Story line", "unit_price": Decimal("10.00")}],
                )
                for channel, days in (("web", 3), ("web", 5), ("phone", 4), ("web", 200))
            ]  # fmt: skip
    yield manager
    with database_access(django_db_blocker), tenant_context(tenant):
        Dashboard.objects.filter(owner=manager).delete()
        Report.objects.filter(owner=manager).delete()
        TimelineEntry.objects.filter(order__in=orders).delete()
        Order.objects.filter(pk__in=[order.pk for order in orders]).delete()
        TimelineEntry.objects.filter(company=company).delete()
        Company.objects.filter(pk=company.pk).delete()
        purge_definition(archive_definition(CustomFieldDefinition.objects.get(pk=field.pk), by=None), by=None)
        User.objects.filter(pk=manager.pk).delete()
        team.delete()


def test_a_manager_builds_a_dashboard_and_drills_from_a_bar(
    new_context: Callable[..., BrowserContext],
    demo_tenant: DemoTenant,
    manager_with_orders: User,
    django_db_blocker: Any,
) -> None:
    page = new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.set_default_timeout(30_000)
    page.add_init_script(RECORD_VIOLATIONS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, demo_tenant.url, EMAIL, PASSWORD)
    expect(page).to_have_url(demo_tenant.url, timeout=30_000)

    # A report of orders by the custom field.
    page.goto(f"{demo_tenant.url}analytics/reports/new/?source=orders")
    builder = page.get_by_test_id("report-builder")
    builder.get_by_label("Grouping 1", exact=True).select_option("custom.sales_channel")
    builder.get_by_label("Measure 1", exact=True).select_option("count")
    builder.get_by_label("Name", exact=True).fill("Orders by channel")
    builder.get_by_test_id("report-save").click()
    expect(page.get_by_role("heading", name="Orders by channel")).to_be_visible()

    # A new dashboard with the report twice; the second keeps to all time.
    page.goto(f"{demo_tenant.url}analytics/")
    page.locator("[data-analysis=dashboards]").click()
    page.get_by_label("Name").fill("Channel board")
    page.get_by_test_id("new-dashboard").get_by_role("button").click()
    expect(page.get_by_role("heading", name="Channel board")).to_be_visible()
    for title in ("", "All-time channels"):
        page.get_by_test_id("add-widget").locator("summary").click()
        page.get_by_label("Widget", exact=True).select_option(label="Orders by channel")
        page.get_by_label("Title (optional)").fill(title)
        page.get_by_test_id("add-widget").get_by_role("button", name="Add").click()
        expect(page.get_by_text("Widget added.")).to_be_visible()
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="demo")):
        first, second = Widget.objects.filter(dashboard__owner=manager_with_orders).order_by("pk")
    item = page.locator(f'[data-widget-item="{second.pk}"]')
    item.get_by_role("button", name="Widget actions").click()
    item.get_by_label("The period applies to").select_option("none")
    item.get_by_role("button", name="Save").click()
    grid = page.locator("#dashboard-grid")
    expect(grid).to_have_attribute("data-ready", "true")
    for widget in (first, second):
        expect(page.locator(f'[data-widget-body="{widget.pk}"]')).to_have_attribute("data-state", "ready")

    # Resize the first widget by its corner handle: the new width is saved.
    box = page.locator(f'[data-widget-item="{first.pk}"]')
    box.hover()
    handle = box.locator(".ui-resizable-se")
    corner = handle.bounding_box()
    assert corner is not None
    page.mouse.move(corner["x"] + corner["width"] / 2, corner["y"] + corner["height"] / 2)
    page.mouse.down()
    page.mouse.move(corner["x"] + 200, corner["y"] + 60, steps=12)
    page.mouse.move(corner["x"] + 360, corner["y"] + 100, steps=12)
    page.mouse.up()
    expect(grid).to_have_attribute("data-layout-saved", "saved")
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="demo")):
        first.refresh_from_db()
    assert first.width > 6
    assert first.height > 3

    # A new period reloads the widget that honours it, not the one kept to all time.
    before = page.evaluate("() => window.relataDashboardRequests.length")
    page.get_by_label("Period", exact=True).select_option("last_30_days")
    expect(page).to_have_url(f"{demo_tenant.url}analytics/dashboards/{first.dashboard_id}/?period=last_30_days")
    page.wait_for_function(f"() => window.relataDashboardRequests.length > {before}")
    body = page.locator(f'[data-widget-body="{first.pk}"]')
    expect(body).to_have_attribute("data-state", "ready")
    requests = page.evaluate(f"() => window.relataDashboardRequests.slice({before})")
    assert requests == [[first.pk, "period=last_30_days"]]
    figures = page.evaluate(
        f"""() => {{ const chart = window.relataDashboardCharts[{first.pk}];
                     return [chart.data.labels, chart.data.datasets[0].data]; }}"""
    )
    assert dict(zip(*figures, strict=True)) == {"Web": 2, "Phone": 1}
    all_time = page.evaluate(
        f"""() => {{ const chart = window.relataDashboardCharts[{second.pk}];
                     return chart.data.datasets[0].data[chart.data.labels.indexOf("Web")]; }}"""
    )
    assert all_time == 3

    assert page.evaluate("window.__violations") == []
    assert errors == []

    # The "Web" bar opens the order list with the bar's filters, as many orders as the bar.
    point = page.evaluate(
        f"""() => {{ const chart = window.relataDashboardCharts[{first.pk}];
                     const bar = chart.getDatasetMeta(0).data[chart.data.labels.indexOf("Web")];
                     return {{x: bar.x, y: (bar.y + bar.base) / 2}}; }}"""
    )
    body.locator("canvas").click(position={"x": point["x"], "y": point["y"]})
    expect(page).to_have_url(re.compile(r"/orders/\?from=[0-9-]+&to=[0-9-]+&cf\.sales_channel=web$"))
    expect(page.get_by_test_id("list-count")).to_have_text("2")


def test_the_demo_admins_sales_dashboard_draws_every_widget(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, django_db_blocker: Any
) -> None:
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="demo")):
        dashboard = Dashboard.objects.get(owner__email=demo_tenant.admin_email, ready_made="sales")
        widgets = list(dashboard.widgets.values_list("pk", flat=True))
    page = new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.set_default_timeout(30_000)
    page.add_init_script(RECORD_VIOLATIONS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, demo_tenant.url, demo_tenant.admin_email, demo_tenant.admin_password)
    expect(page).to_have_url(demo_tenant.url, timeout=30_000)

    page.goto(f"{demo_tenant.url}analytics/dashboards/{dashboard.pk}/?period=all")

    assert len(widgets) >= 4
    for pk in widgets:
        expect(page.locator(f'[data-widget-body="{pk}"]')).to_have_attribute("data-state", re.compile("ready|empty"))
    assert page.evaluate("window.__violations") == []
    assert errors == []
