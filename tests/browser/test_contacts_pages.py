"""The customer record in a browser: the contact list, a contact's page with its timeline, and the
Ctrl-K search box, at desktop and phone width. Screenshots land in var/screenshots/contacts-*.png."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, expect

from identity.models import User
from modules.activities.services.activities import FollowUp, complete_activity, create_activity
from modules.contacts.models import Company, Contact
from modules.contacts.services.companies import create_company
from modules.contacts.services.contacts import create_contact, update_contact
from modules.contacts.services.tags import tags_from_names
from tenants.models import Tenant
from tests.browser.conftest import (
    DESKTOP,
    MOBILE,
    SCREENSHOT_DIR,
    DemoTenant,
    database_access,
    horizontal_overflow,
    sign_in,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def customer(demo_tenant: DemoTenant, django_db_blocker: Any) -> Iterator[int]:
    """A company with a contact that has a history; removed again afterwards."""
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="demo")
        with tenant_context(tenant):
            admin = User.objects.get(email=demo_tenant.admin_email)
            company = create_company(
                by=admin, allow_duplicate=True, name="Smithfield Optics Ltd", city="Leeds",
                website="https://smithfield.example", tags=tags_from_names(["optics", "key account"]),
            )  # fmt: skip
            contact = create_contact(
                by=admin, allow_duplicate=True, first_name="Jonathan", last_name="Smithfield-Browne",
                email="jonathan.smithfield@smithfield.example", phone="+44 113 496 0000",
                job_title="Head of Procurement",
                company=company, lifecycle_stage="customer", tags=tags_from_names(["decision maker"]),
            )  # fmt: skip
            update_contact(contact, by=admin, city="Leeds", lifecycle_stage="opportunity")
            call = create_activity(by=admin, kind="call", subject="Discovery call about lens supply", contact=contact)
            complete_activity(call, by=admin, follow_up=FollowUp(kind="task", subject="Send the proposal"))
    yield contact.pk
    with database_access(django_db_blocker), tenant_context(tenant):
        Contact.objects.filter(pk=contact.pk).delete()
        Company.objects.filter(pk=company.pk).delete()


@pytest.mark.parametrize(("viewport", "suffix"), [(DESKTOP, ""), (MOBILE, "-mobile")], ids=["desktop", "mobile"])
def test_contact_pages_and_ctrl_k_search(
    new_context: Callable[..., BrowserContext],
    demo_tenant: DemoTenant,
    customer: int,
    viewport: dict[str, int],
    suffix: str,
) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page = new_context(viewport=viewport).new_page()
    page.set_default_timeout(30_000)  # signing in hashes a password: slow when the machine is busy
    page.set_default_navigation_timeout(30_000)
    problems: list[str] = []

    def check(name: str) -> None:
        page.screenshot(path=str(SCREENSHOT_DIR / f"contacts-{name}{suffix}.png"), full_page=True)
        overflow = horizontal_overflow(page)
        if overflow["scrollWidth"] > overflow["clientWidth"]:
            problems.append(f"{name}: {overflow}")

    sign_in(page, demo_tenant.url, demo_tenant.admin_email, demo_tenant.admin_password)
    expect(page).to_have_url(demo_tenant.url, timeout=30_000)

    page.goto(f"{demo_tenant.url}contacts/?q=Smithfield")
    # The heading carries the list's count after the name.
    expect(page.locator("h1")).to_contain_text("Contacts", timeout=15_000)
    expect(page.get_by_test_id("record-table")).to_contain_text("Jonathan Smithfield-Browne", timeout=15_000)
    check("list")

    page.get_by_role("link", name="Jonathan Smithfield-Browne").click()
    expect(page.locator("h1")).to_contain_text("Jonathan Smithfield-Browne", timeout=15_000)
    timeline = page.get_by_test_id("timeline-entries")
    expect(timeline).to_contain_text("Discovery call about lens supply", timeout=15_000)
    expect(timeline).to_contain_text("Send the proposal", timeout=15_000)
    check("detail")

    page.locator("h1").click()
    page.keyboard.press("Control+k")
    search_box = page.get_by_test_id("global-search")
    if viewport is MOBILE:
        expect(search_box).to_be_hidden(timeout=15_000)  # inside the collapsed menu: open it as a phone user would
        page.locator(".navbar-toggler").click()
        search_box.click()
    expect(search_box).to_be_focused(timeout=15_000)
    search_box.press_sequentially("Jonathon Smithfeld", delay=20)
    results = page.locator("#global-search-results")
    expect(results.get_by_role("option", name="Jonathan Smithfield-Browne")).to_be_visible(timeout=15_000)
    check("search")

    # The results are a listbox the arrow keys move through; Enter opens the chosen one.
    search_box.press("ArrowDown")
    first = results.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(search_box).to_have_attribute("aria-expanded", "true")
    expect(search_box).to_have_attribute("aria-activedescendant", first.get_attribute("id") or "")
    chosen = first.get_attribute("href") or ""
    search_box.press("Enter")
    expect(page).to_have_url(f"{demo_tenant.url}{chosen.lstrip('/')}", timeout=15_000)

    page.goto(f"{demo_tenant.url}search/?q=Smithfield")
    expect(page.locator("h1")).to_have_text("Search", timeout=15_000)
    expect(page.get_by_test_id("search-total").first).to_be_visible()
    check("search-page")

    assert not problems, "pages wider than the viewport:\n" + "\n".join(problems)
