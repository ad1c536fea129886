"""The funnel, sales by industry and the customer-value analyses in a browser: a manager opens each
from the analytics index, changes a filter, clicks through to a list or a customer, and on a 390 px
phone the filters fold away and nothing is wider than the screen. The cohort grid's counts open
their customers (``test_analytics_acting.py``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, Page, expect

from identity.models import Role, Team, User
from identity.services.accounts import create_user
from modules.sales.models import Deal, Pipeline
from tenants.models import Tenant
from tests.analytics.funnel.histories import Histories, build
from tests.browser.conftest import MOBILE, DemoTenant, database_access, sign_in

pytestmark = pytest.mark.browser
PASSWORD = "story-analyst-password-7731"
EMAIL = "story.analytics@demo.example"
DESKTOP = {"width": 1440, "height": 900}
CUSTOMER_PAGE = re.compile(r"/(companies|contacts)/\d+/$")


@pytest.fixture
def manager(demo_tenant: DemoTenant, django_db_blocker: Any) -> Iterator[tuple[User, Histories]]:
    """A manager of the demo's first team (so the demo's orders are theirs to analyse), owning the
    funnel tests' five hand-built deals in a pipeline of their own."""
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="demo")
        with tenant_context(tenant):
            team = Team.objects.filter(name="Field sales").first() or Team.objects.order_by("id").first()
            user = create_user(email=EMAIL, password=PASSWORD, full_name="Ana Analyst",
                               role=Role.objects.get(key="manager"), teams=[team] if team else [])  # fmt: skip
            histories = build(dict.fromkeys("ABCDE", user), name="Story funnel")
    yield user, histories
    with database_access(django_db_blocker), tenant_context(tenant):
        Deal.objects.filter(pk__in=[deal.pk for deal in histories.deals.values()]).delete()
        histories.pipeline.stages.all().delete()
        Pipeline.objects.filter(pk=histories.pipeline.pk).delete()
        User.objects.filter(pk=user.pk).delete()


def _signed_in(new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, viewport: dict) -> Page:
    page = new_context(viewport=viewport).new_page()
    page.set_default_timeout(30_000)
    sign_in(page, demo_tenant.url, EMAIL, PASSWORD)
    expect(page).to_have_url(demo_tenant.url, timeout=30_000)
    return page


def _assert_fits_a_phone(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= MOBILE["width"], f"{page.url} is {width} px wide"


def test_a_manager_filters_the_funnel_and_opens_a_stages_deals(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, manager
) -> None:
    _user, histories = manager
    page = _signed_in(new_context, demo_tenant, DESKTOP)

    page.goto(f"{demo_tenant.url}analytics/")
    page.locator("[data-analysis=funnel]").click()
    expect(page.get_by_role("heading", name="Sales funnel", exact=True)).to_be_visible()
    filters = page.get_by_test_id("funnel-filters")
    expect(filters).to_be_visible()  # open on a desktop
    filters.get_by_label("Pipeline").select_option(str(histories.pipeline.pk))
    filters.get_by_label("From").fill(histories.start.isoformat())
    filters.get_by_label("To").fill(histories.end.isoformat())
    filters.get_by_role("button", name="Show").click()

    stages = page.get_by_test_id("funnel-stages").locator("tbody tr")
    expect(stages).to_have_count(5)
    entered = [stages.nth(index).locator("td").nth(0).inner_text() for index in range(5)]
    assert entered == ["4", "3", "3", "2", "1"]
    expect(page.locator("[data-figure=win-rate]")).to_have_text("66.7 %")

    stages.nth(0).get_by_role("link").click()  # S1: the deals now in it
    expect(page).to_have_url(f"{demo_tenant.url}deals/?stage={histories.stages['S1'].pk}")
    expect(page.get_by_test_id("list-count")).to_have_text("1")
    expect(page.get_by_test_id("record-table")).to_contain_text("Story funnel D")


def test_on_a_phone_the_funnel_filters_fold_and_nothing_overflows(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, manager
) -> None:
    _user, histories = manager
    page = _signed_in(new_context, demo_tenant, MOBILE)

    page.goto(f"{demo_tenant.url}analytics/funnel/?pipeline={histories.pipeline.pk}&start={histories.start}")
    filters = page.get_by_test_id("funnel-filters")
    expect(filters).to_be_hidden()
    page.get_by_test_id("toggle-filters").click()
    expect(filters).to_be_visible()
    expect(page.get_by_test_id("funnel-stages")).to_be_visible()
    _assert_fits_a_phone(page)
    page.goto(f"{demo_tenant.url}analytics/team-activity/")
    expect(page.get_by_test_id("team-activity-filters")).to_be_hidden()
    _assert_fits_a_phone(page)


@pytest.mark.parametrize(
    ("analysis", "select", "value", "table"),
    [
        ("rfm", "#period", "0", "rfm-segments"),
        ("churn", "#period", "36", "churn-customers"),
        ("customer-value", None, None, "clv-customers"),
        ("cohorts", "#months", "6", "cohort-grid"),
    ],
)
def test_a_manager_uses_each_customer_value_analysis(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, manager, analysis, select, value, table
) -> None:
    page = _signed_in(new_context, demo_tenant, DESKTOP)

    page.goto(f"{demo_tenant.url}analytics/")
    page.locator(f"[data-analysis='{analysis}']").click()
    expect(page.get_by_test_id(table)).to_be_visible()
    if select is not None:
        page.locator(select).select_option(value)  # the select submits itself
        expect(page).to_have_url(f"{demo_tenant.url}analytics/{analysis}/?{select[1:]}={value}")
        expect(page.get_by_test_id(table)).to_be_visible()

    if analysis == "rfm":  # a segment opens its customers, a customer their record
        key = page.evaluate(
            """() => [...document.querySelectorAll("[data-segment]")]
                     .find((row) => row.querySelector("[data-count]").textContent.trim() !== "0").dataset.segment"""
        )
        page.locator(f"[data-segment='{key}'] a").click()
        expect(page).to_have_url(re.compile(rf"segment={key}"))
        page.get_by_test_id("rfm-customers").locator("tbody tr[data-customer] a").first.click()
        page.wait_for_url(CUSTOMER_PAGE)
    elif analysis in ("churn", "customer-value"):  # a customer opens their record
        page.get_by_test_id(table).locator("tbody a").first.click()
        page.wait_for_url(CUSTOMER_PAGE)

    phone = _signed_in(new_context, demo_tenant, MOBILE)
    phone.goto(f"{demo_tenant.url}analytics/{analysis}/")
    expect(phone.get_by_test_id(table)).to_be_visible()
    _assert_fits_a_phone(phone)


def test_a_manager_groups_sales_by_industry_and_opens_a_groups_won_deals(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, manager
) -> None:
    """The funnel deals have no company: A and E won, B lost, all in the "No industry" group."""
    _user, histories = manager
    page = _signed_in(new_context, demo_tenant, DESKTOP)

    page.goto(f"{demo_tenant.url}analytics/")
    page.locator("[data-analysis=sales-breakdown]").click()
    filters = page.get_by_test_id("breakdown-filters")
    filters.get_by_label("Group by").select_option("industry")
    filters.get_by_label("Closed from").fill(histories.start.isoformat())
    filters.get_by_label("To", exact=True).fill(histories.end.isoformat())
    filters.get_by_role("button", name="Show").click()

    row = page.get_by_test_id("breakdown-groups").locator("tbody tr[data-group='']")
    expect(row).to_contain_text("No industry")
    row.locator("th a").click()
    expect(page).to_have_url(re.compile(r"/deals/\?status=won&closed_from=.*&industry=none"))
    table = page.get_by_test_id("record-table")
    expect(table).to_contain_text("Story funnel A")
    expect(table).to_contain_text("Story funnel E")
    expect(table).not_to_contain_text("Story funnel B")

    phone = _signed_in(new_context, demo_tenant, MOBILE)
    phone.goto(f"{demo_tenant.url}analytics/sales/?by=industry&start={histories.start}&end={histories.end}")
    expect(phone.get_by_test_id("breakdown-filters")).to_be_hidden()
    expect(phone.get_by_test_id("breakdown-groups")).to_be_visible()
    _assert_fits_a_phone(phone)
