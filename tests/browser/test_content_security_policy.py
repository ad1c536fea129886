"""The key pages under the enforced Content-Security-Policy in Chromium: none reports a violation
or an Alpine error, and their Alpine components still answer a click."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect

from modules.sales.models import Lead
from tenants.models import Tenant
from tests.browser.conftest import DemoTenant, database_access, sign_in

pytestmark = pytest.mark.browser

# Recorded before any page script runs (an init script is not subject to the page's policy).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI + " " + (event.sample || ""));
});
"""


def _watched_page(new_context: Callable[..., BrowserContext], problems: list[str]) -> Page:
    page = new_context().new_page()
    page.set_default_timeout(30_000)
    page.add_init_script(RECORD_VIOLATIONS)

    def on_console(message: ConsoleMessage) -> None:
        # A missing resource (the browser asks for /favicon.ico) is not this test's business.
        if message.text.startswith("Failed to load resource"):
            return
        if message.type == "error" or "Alpine" in message.text or "Content Security Policy" in message.text:
            problems.append(f"{page.url}: console {message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    return page


def _violations(page: Page) -> list[str]:
    return [f"{page.url}: {violation}" for violation in page.evaluate("window.__violations")]


def test_key_pages_run_under_the_policy_and_their_components_work(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, django_db_blocker: Any
) -> None:
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="demo")):
        lead = Lead.objects.filter(status="new").order_by("pk").first()
        assert lead is not None
    problems: list[str] = []
    page = _watched_page(new_context, problems)
    sign_in(page, demo_tenant.url, demo_tenant.admin_email, demo_tenant.admin_password)
    expect(page).to_have_url(demo_tenant.url, timeout=30_000)
    violations: list[str] = []

    response = page.goto(f"{demo_tenant.url}contacts/")
    assert response is not None
    assert "script-src 'self';" in response.headers["content-security-policy"]
    expect(page.get_by_test_id("bulk-actions")).to_be_hidden()
    page.locator("input[name=ids]").first.check()
    expect(page.get_by_test_id("bulk-actions")).to_be_visible()
    page.keyboard.press("Control+k")
    expect(page.get_by_test_id("global-search")).to_be_focused()
    violations += _violations(page)

    page.goto(f"{demo_tenant.url}pipeline/")
    expect(page.get_by_test_id("board-column").first).to_be_visible()
    violations += _violations(page)

    page.goto(f"{demo_tenant.url}calendar/")
    expect(page.locator("#calendar .fc-toolbar-title")).to_be_visible()
    page.locator("#calendar .fc-timeGridWeek-button").click()
    expect(page.locator("#calendar .fc-timegrid")).to_be_visible()
    violations += _violations(page)

    page.goto(f"{demo_tenant.url}leads/{lead.pk}/convert/")
    company_picker = page.get_by_test_id("picker-company")
    expect(company_picker).to_be_hidden()
    page.locator("input[name=company_choice][value=existing]").check()
    expect(company_picker).to_be_visible()
    # The searchable picker runs under the policy too: typing lists companies to choose from.
    company_picker.get_by_role("combobox").fill("a")
    expect(company_picker.get_by_role("option").first).to_be_visible()
    violations += _violations(page)

    page.goto(f"{demo_tenant.url}settings/fields/new/?entity=contact")
    add_option = page.get_by_test_id("add-option")
    expect(add_option).to_be_hidden()
    page.locator("#id_field_type").select_option("single_select")
    expect(add_option).to_be_visible()
    rows = page.get_by_test_id("option-row").count()
    add_option.click()
    expect(page.get_by_test_id("option-row")).to_have_count(rows + 1)
    page.get_by_test_id("option-row").last.locator("input[name=option_value]").fill("gold")
    expect(page.get_by_test_id("option-row").last.locator("input[name=option_value]")).to_have_value("gold")
    violations += _violations(page)

    page.goto(f"{demo_tenant.url}settings/workflows/new/")
    page.get_by_test_id("add-condition").click()
    condition = page.get_by_test_id("condition")
    expect(condition).to_have_count(1)
    condition.get_by_test_id("condition-field").select_option(index=1)
    expect(condition.get_by_test_id("condition-op").locator("option").first).to_be_attached()
    violations += _violations(page)

    assert violations == []
    assert problems == []
