"""A new workspace's administrator works through the home page's checklist in a real browser:
loads sample data, completes and reschedules activities in place, invites a colleague, imports
contacts, shapes the pipeline, creates a first deal, and removes the sample data again.

Screenshots of the home page land in var/screenshots/home-*.png at 1440×900 and 390×844.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, Page, expect

from modules.activities.models import Activity
from modules.contacts.models import Contact
from modules.dataio.imports.models import ImportJob
from modules.registry import OPTIONAL_MODULE_KEYS
from modules.sales.models import Deal
from tenants.models import Tenant
from tenants.services.provisioning import TenantRequest, delete_tenant_schema, provision_tenant, request_tenant
from tests.browser.conftest import SCREENSHOT_DIR, GunicornServer, database_access, horizontal_overflow, sign_in
from tests.dataio.imports.conftest import csv_bytes

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "founder@fresh.example"
PASSWORD = "correct-horse-battery-staple"
WIDE = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
SLOW = 30_000


@pytest.fixture
def fresh_workspace(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[Tenant]:
    """A workspace just provisioned, with every module and nothing in it; dropped afterwards."""
    slug = f"fresh-{uuid.uuid4().hex[:8]}"
    with database_access(django_db_blocker):
        tenant = request_tenant(
            TenantRequest(
                name="Fresh Ideas SRL",
                slug=slug,
                admin_email=ADMIN_EMAIL,
                admin_password=PASSWORD,
                status="active",
                enabled_modules=OPTIONAL_MODULE_KEYS,
            )
        )
        try:
            provision_tenant(tenant.pk)
        finally:
            connection.set_schema_to_public()
    yield tenant
    with database_access(django_db_blocker):
        with tenant_context(tenant):
            for job in ImportJob.objects.all():
                job.file.delete(save=False)
        delete_tenant_schema(tenant)


def step(page: Page, key: str):
    return page.get_by_test_id(f"onboarding-step-{key}")


def shoot(page: Page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)  # for a person to review


def test_a_new_workspace_admin_works_through_the_checklist(
    new_context: Callable[..., BrowserContext],
    gunicorn_server: GunicornServer,
    fresh_workspace: Tenant,
    django_db_blocker: Any,
) -> None:
    base = gunicorn_server.url(fresh_workspace.slug)
    page = new_context(viewport=WIDE).new_page()
    page.set_default_timeout(SLOW)
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm asks before removing

    sign_in(page, base, ADMIN_EMAIL, PASSWORD)
    expect(page).to_have_url(base)
    expect(page.get_by_test_id("onboarding-progress")).to_have_text("0 of 4 steps done")
    expect(page.get_by_test_id("agenda-empty")).to_be_visible()
    shoot(page, "home-new")

    # Sample data, to see the home page at work.
    page.get_by_test_id("sample-data-load").click()
    expect(page.get_by_test_id("sample-data-loaded")).to_contain_text("8 companies")
    expect(step(page, "first-deal")).to_have_attribute("data-done", "false")  # samples are not a first deal
    rows = page.get_by_test_id("agenda-row")
    expect(rows.first).to_be_visible()
    expect(page.get_by_test_id("stage-total").first).to_be_visible()
    shoot(page, "home")
    assert horizontal_overflow(page)["scrollWidth"] <= WIDE["width"]

    # Done, in place: the row stays and says so, the rest of the page is untouched.
    first = rows.first
    first_id = first.get_attribute("data-activity")
    first.get_by_test_id("agenda-done").click()
    done_row = page.locator(f"#agenda-{first_id}")
    expect(done_row).to_contain_text("Done")
    expect(page.get_by_test_id("sample-data-loaded")).to_be_visible()

    # Reschedule another to tomorrow, in place.
    other = page.locator(f"[data-testid=agenda-row]:not(#agenda-{first_id})").first
    other_id = other.get_attribute("data-activity")
    other.get_by_test_id("agenda-reschedule").click()
    other.get_by_test_id("agenda-tomorrow").click()
    expect(page.locator(f"#agenda-{other_id}")).to_contain_text("Rescheduled.")

    # The phone sees the same page in one column, nothing sticking out.
    phone = new_context(viewport=PHONE).new_page()
    phone.set_default_timeout(SLOW)
    sign_in(phone, base, ADMIN_EMAIL, PASSWORD)
    expect(phone.get_by_test_id("home-card-agenda")).to_be_visible()
    shoot(phone, "home-mobile")
    overflow = horizontal_overflow(phone)
    assert overflow["scrollWidth"] <= PHONE["width"], overflow

    # Invite the team.
    step(page, "invite-users").get_by_role("link").click()
    expect(page.locator("h1")).to_have_text("Invitations")
    page.locator("input[name=email]").fill("colleague@fresh.example")
    page.locator("select[name=role]").select_option(label="Sales rep")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#main [role=alert]").first).to_contain_text("Invitation sent")
    page.goto(base)
    expect(step(page, "invite-users")).to_have_attribute("data-done", "true")
    expect(page.get_by_test_id("onboarding-progress")).to_have_text("1 of 4 steps done")

    # Import contacts (the worker runs the import).
    step(page, "import-contacts").get_by_role("link").click()
    page.get_by_label("Records in the file").select_option("contact")
    people = [["First name", "Last name", "E-mail"], ["Ana", "Real", "ana@customer.example"]]
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": csv_bytes(people)}]
    )
    page.get_by_role("button", name="Upload and map columns").click()
    page.get_by_role("button", name="Preview").click()
    page.get_by_test_id("start-import").click()
    expect(page.locator('[data-testid="import-progress"][data-status="done"]')).to_be_visible(timeout=SLOW)
    page.goto(base)
    expect(step(page, "import-contacts")).to_have_attribute("data-done", "true")

    # Shape the pipeline: deals in qualification go stale after a week.
    step(page, "shape-pipeline").get_by_role("link").click()
    page.get_by_test_id("pipeline-name").first.click()
    page.locator("tr[data-testid=stage-row]", has_text="Qualification").get_by_role("link", name="Edit").click()
    page.locator("#stage-edit-form input[name$=rotting_days]").fill("7")
    page.locator("#stage-edit-form").get_by_role("button", name="Save").click()
    page.goto(base)
    expect(step(page, "shape-pipeline")).to_have_attribute("data-done", "true")
    expect(page.get_by_test_id("onboarding-progress")).to_have_text("3 of 4 steps done")

    # The first deal of their own: the last step, and the checklist has done its job.
    step(page, "first-deal").get_by_role("link").click()
    page.get_by_label("Name").fill("Fresh Ideas — first order")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("Fresh Ideas — first order")
    page.goto(base)
    expect(page.get_by_test_id("home-card-onboarding")).to_have_count(0)

    # Sample data out again. What the admin made stays, and so do the two sample activities they
    # worked on (with the deals, companies and contacts those name): they are the admin's now.
    page.get_by_test_id("sample-data-remove").click()
    expect(page.locator("#main [role=alert]").first).to_contain_text("Sample data is removed.")
    expect(page.locator("#main [role=alert]").first).to_contain_text("that were changed or are in use stay")
    expect(page.get_by_test_id("home-card-sample-data")).to_have_count(0)  # the imported contact exists
    shoot(page, "home-after-samples")
    with database_access(django_db_blocker), tenant_context(fresh_workspace):
        worked_on = Activity.objects.filter(pk__in=[int(first_id or 0), int(other_id or 0)])
        assert worked_on.count() == 2
        kept_deals = {deal for (deal,) in worked_on.values_list("deal__name") if deal}
        assert set(Deal.objects.values_list("name", flat=True)) == {"Fresh Ideas — first order", *kept_deals}
        assert Contact.objects.filter(email="ana@customer.example").exists()
