"""Acting on analyses in a browser: a report's owner schedules its e-mail delivery (the day fields
follow the frequency), a workflow runs on an RFM segment whose customers are then saved as a
marketing segment, a cohort's count opens its customers, the order line list opens an order, and an
administrator exports the warehouse file and downloads it."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, Page, expect

from customization.workflows.models import SelectionRun, WorkflowRule
from identity.models import User
from modules.analytics.reports.delivery.models import ReportSubscription
from modules.analytics.reports.models import Report
from modules.analytics.warehouse.models import WarehouseExport
from modules.marketing.models import Segment
from tenants.models import Tenant
from tests.analytics.acting.conftest import selection_rule
from tests.browser.conftest import SCREENSHOT_DIR, DemoTenant, database_access, sign_in

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1440, "height": 900}
REPORT = "Story delivery report"
RULE = "Story call the segment"
SEGMENT = "Story at-risk customers"


def _admin_page(new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant) -> Page:
    page = new_context(viewport=DESKTOP).new_page()
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(120_000)  # the first page of a fresh server on a loaded machine
    sign_in(page, demo_tenant.url, demo_tenant.admin_email, demo_tenant.admin_password)
    expect(page).to_have_url(demo_tenant.url, timeout=30_000)
    return page


@pytest.fixture
def demo_admin_report(demo_tenant: DemoTenant, django_db_blocker: Any) -> Iterator[Report]:
    """A report of the demo admin's, deleted with its subscriptions afterwards."""
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="demo")
        with tenant_context(tenant):
            admin = User.objects.get(email=demo_tenant.admin_email)
            report = Report.objects.create(
                name=REPORT, source="deals", owner=admin, definition={"group_by": [{"field": "status"}],
                                                                      "measures": [{"fn": "count"}]},
            )  # fmt: skip
    yield report
    with database_access(django_db_blocker), tenant_context(tenant):
        ReportSubscription.objects.filter(report=report).delete()
        Report.objects.filter(pk=report.pk).delete()


def test_a_report_owner_schedules_a_delivery_and_sees_only_the_day_its_frequency_needs(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, demo_admin_report: Report
) -> None:
    page = _admin_page(new_context, demo_tenant)
    page.goto(f"{demo_tenant.url}analytics/reports/{demo_admin_report.pk}/")
    page.get_by_test_id("new-subscription").click()

    form = page.get_by_test_id("subscription-form")
    weekday, day_of_month = page.get_by_test_id("weekday-field"), page.get_by_test_id("day-of-month-field")
    expect(weekday).to_be_visible()  # weekly by default
    expect(day_of_month).to_be_hidden()
    form.get_by_label("Frequency").select_option("monthly")
    expect(weekday).to_be_hidden()
    expect(day_of_month).to_be_visible()
    form.get_by_label("Frequency").select_option("daily")
    expect(weekday).to_be_hidden()
    expect(day_of_month).to_be_hidden()

    form.get_by_label("Frequency").select_option("monthly")
    form.get_by_label("Day of the month (monthly)").fill("31")
    form.get_by_label("Recipients").select_option(str(demo_admin_report.owner_id))
    page.screenshot(path=str(SCREENSHOT_DIR / "report-delivery-form.png"), full_page=True)
    form.get_by_role("button", name="Save").click()

    expect(page).to_have_url(f"{demo_tenant.url}analytics/reports/{demo_admin_report.pk}/")
    subscriptions = page.get_by_test_id("subscriptions")
    expect(subscriptions).to_contain_text("31")

    # Editing it opens with the monthly day shown and the weekday hidden.
    subscriptions.get_by_role("link", name="Change").click()
    expect(page.get_by_test_id("day-of-month-field")).to_be_visible()
    expect(page.get_by_test_id("weekday-field")).to_be_hidden()


@pytest.fixture
def segment_rule(demo_tenant: DemoTenant, django_db_blocker: Any) -> Iterator[WorkflowRule]:
    """A workflow of the demo admin's started on a selection of companies; it and what the test
    makes are deleted afterwards."""
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="demo")
        with tenant_context(tenant):
            rule = selection_rule(User.objects.get(email=demo_tenant.admin_email), name=RULE)
    yield rule
    with database_access(django_db_blocker), tenant_context(tenant):
        from modules.activities.models import Activity
        from tests.analytics.acting.conftest import SUBJECT

        Activity.objects.filter(subject=SUBJECT).delete()
        SelectionRun.objects.filter(rule=rule).delete()
        rule.delete()
        Segment.objects.filter(name=SEGMENT).delete()


def _segment_with_customers(page: Page) -> str:
    return page.evaluate(
        """() => [...document.querySelectorAll("[data-segment]")]
                 .find((row) => row.querySelector("[data-count]").textContent.trim() !== "0").dataset.segment"""
    )


def test_a_workflow_runs_on_an_rfm_segment_and_its_customers_become_a_marketing_segment(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, segment_rule: WorkflowRule
) -> None:
    page = _admin_page(new_context, demo_tenant)
    page.goto(f"{demo_tenant.url}analytics/rfm/?period=36")
    key = _segment_with_customers(page)
    page.locator(f"[data-segment='{key}'] a").click()

    page.get_by_test_id("act-link").click()
    expect(page).to_have_url(re.compile(r"/analytics/act/\?"))
    rules = page.get_by_test_id("act-rules")
    expect(rules).to_contain_text(RULE)
    rules.get_by_role("button", name=re.compile(rf"Run “{RULE}” on")).click()
    expect(page).to_have_url(re.compile(r"/analytics/act/\d+/$"))
    # The batches start in the worker; the page's Refresh shows how far they came.
    for _attempt in range(60):
        started, total = (page.get_by_test_id("act-started").text_content() or "").split("/")
        if int(started) == int(total) > 0:
            break
        page.wait_for_timeout(1_000)
        page.get_by_role("link", name="Refresh").click()
    assert int(started) == int(total) > 0

    page.go_back()
    page.go_back()
    page.get_by_test_id("contact-list-link").click()
    expect(page.get_by_test_id("list-form")).to_be_visible()
    page.get_by_label("Name").fill(SEGMENT)
    page.get_by_test_id("list-form").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/marketing/segments/\d+/$"))
    expect(page.get_by_role("heading", name=SEGMENT)).to_be_visible()
    page.screenshot(path=str(SCREENSHOT_DIR / "rfm-saved-as-segment.png"), full_page=True)


def test_a_cohorts_count_opens_the_list_of_its_customers(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant
) -> None:
    page = _admin_page(new_context, demo_tenant)
    page.goto(f"{demo_tenant.url}analytics/cohorts/?months=24")
    page.screenshot(path=str(SCREENSHOT_DIR / "cohort-grid-links.png"), full_page=True)
    link = page.get_by_test_id("cohort-grid").locator("td[data-age=size] [data-testid=cohort-link]").first
    shown = link.text_content() or ""
    count = int(re.search(r"\d+", link.get_attribute("title") or shown)[0])  # type: ignore[index]

    link.click()

    expect(page).to_have_url(re.compile(r"/(companies|contacts)/\?cohort=\d{4}-\d{2}$"))
    expect(page.get_by_test_id("list-count")).to_have_text(str(count))


def test_the_order_line_list_shows_lines_and_opens_their_orders(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant
) -> None:
    page = _admin_page(new_context, demo_tenant)
    page.goto(f"{demo_tenant.url}orders/lines/")
    expect(page.get_by_test_id("list-count")).to_have_text(re.compile(r"[1-9]"))
    expect(page.get_by_test_id("record-table").locator("tbody tr").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOT_DIR / "order-line-list.png"))

    page.get_by_test_id("record-table").locator("tbody tr a[href^='/orders/']").first.click()
    expect(page).to_have_url(re.compile(r"/orders/\d+/$"))


@pytest.fixture
def warehouse_cleanup(demo_tenant: DemoTenant, django_db_blocker: Any) -> Iterator[None]:
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="demo")):
        before = set(WarehouseExport.objects.values_list("pk", flat=True))
    yield
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="demo")):
        WarehouseExport.objects.exclude(pk__in=before).delete()


def test_an_administrator_exports_the_warehouse_file_and_downloads_it(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, warehouse_cleanup: None
) -> None:
    page = _admin_page(new_context, demo_tenant)
    page.goto(f"{demo_tenant.url}analytics/")
    page.locator("[data-analysis=warehouse]").click()
    page.get_by_test_id("start-warehouse-export").click()

    # The worker builds the file; the table polls until the download shows.
    download_link = page.get_by_test_id("warehouse-download").first
    expect(download_link).to_be_visible(timeout=90_000)
    with page.expect_download() as download:
        download_link.click()
    data = download.value.path().read_bytes()

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = set(archive.namelist())
    assert {"companies.parquet", "deals.parquet"} <= names
    assert manifest
