"""The sales pipeline in a real browser: a lead is created and converted, its deal dragged on the board,
a call on the deal is completed with a follow-up, and global search finds the deal despite a typo.

Screenshots of the lead list, the deal page and the board land in var/screenshots/ (1280×800), and
the same pages must not be wider than a 390×844 phone screen.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, Page, expect

from modules.activities.models import Activity
from modules.contacts.models import Company, Contact
from modules.sales.models import Deal, Lead
from tenants.models import Tenant
from tests.browser.conftest import (
    DEMO_SLUG,
    MOBILE,
    SCREENSHOT_DIR,
    DemoTenant,
    database_access,
    horizontal_overflow,
    sign_in,
)

pytestmark = pytest.mark.browser

SLOW_MACHINE_TIMEOUT = 30_000


@pytest.fixture
def lead_name(django_db_blocker: Any) -> Iterator[str]:
    """A unique lead surname; whatever the test created from it is removed afterwards."""
    name = f"Browser{secrets.token_hex(3)}"
    yield name
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug=DEMO_SLUG)):
        Activity.objects.filter(subject__contains=name).delete()
        Deal.objects.filter(lead__last_name=name).delete()
        Lead.objects.filter(last_name=name).delete()
        Contact.objects.filter(last_name=name).delete()
        Company.objects.filter(name=f"{name} Works").delete()


def _deal(django_db_blocker: Any, name: str) -> Deal:
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug=DEMO_SLUG)):
        return Deal.objects.select_related("stage", "company").get(lead__last_name=name)


def test_a_lead_becomes_a_deal_that_moves_on_the_board(
    page: Page,
    new_context: Callable[..., BrowserContext],
    demo_tenant: DemoTenant,
    lead_name: str,
    django_db_blocker: Any,
) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    base = demo_tenant.url
    page.set_default_timeout(SLOW_MACHINE_TIMEOUT)  # the shared test machine may be busy: allow slow sign-ins
    sign_in(page, base, demo_tenant.admin_email, demo_tenant.admin_password)
    expect(page).to_have_url(base)

    # A new lead, entered in the form.
    page.goto(f"{base}leads/new/")
    page.locator("input[name=first_name]").fill("Paula")
    page.locator("input[name=last_name]").fill(lead_name)
    page.locator("input[name=company_name]").fill(f"{lead_name} Works")
    page.locator("input[name=email]").fill(f"paula@{lead_name.lower()}.example")
    page.locator("input[name=estimated_value]").fill("8400")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text(f"Paula {lead_name}")

    page.goto(f"{base}leads/")
    expect(page.get_by_role("link", name=f"Paula {lead_name}")).to_be_visible()
    page.screenshot(path=str(SCREENSHOT_DIR / "sales-lead-list.png"), full_page=True)

    # Converted into a new company, contact and deal.
    page.get_by_role("link", name=f"Paula {lead_name}").click()
    page.get_by_role("link", name="Convert").click()
    expect(page.locator("input[name=company_choice][value=new]")).to_be_checked()
    page.locator("input[name=deal_name]").fill(f"{lead_name} rollout")
    page.get_by_role("button", name="Convert").click()
    expect(page.locator("h1")).to_contain_text(f"{lead_name} rollout")
    expect(page.get_by_test_id("deal-amount")).to_have_text("8,400.00 EUR")
    page.screenshot(path=str(SCREENSHOT_DIR / "sales-deal.png"), full_page=True)
    deal = _deal(django_db_blocker, lead_name)
    assert (deal.stage.name, deal.company is not None) == ("Qualification", True)

    # Dragged from the first stage to the next one on the board.
    page.goto(f"{base}pipeline/")
    card = page.locator(f"[data-testid=deal-card][data-deal='{deal.pk}']")
    target = page.locator(".board-cards[data-stage-name='Needs analysis']")
    expect(card).to_be_visible()
    page.screenshot(path=str(SCREENSHOT_DIR / "sales-board.png"), full_page=True)
    with page.expect_response(lambda response: response.url.endswith(f"/deals/{deal.pk}/move/")) as move:
        card.hover()
        page.mouse.down()
        box = target.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 40, steps=12)
        page.mouse.up()
    assert move.value.status == 200
    assert _deal(django_db_blocker, lead_name).stage.name == "Needs analysis"
    page.reload()
    expect(target.locator(f"[data-deal='{deal.pk}']")).to_be_visible()

    # A call logged on the deal is completed, and its follow-up is planned in the same step.
    page.goto(f"{base}deals/{deal.pk}/")
    page.get_by_role("link", name="Log an activity").click()
    page.get_by_label("Type").select_option("call")
    page.get_by_label("Subject").fill(f"Kick-off call {lead_name}")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text(f"Kick-off call {lead_name}")
    page.get_by_test_id("complete").click()
    page.get_by_label("Outcome").select_option("successful")
    page.get_by_label("Plan a follow-up").check()
    page.get_by_label("Follow-up type").select_option("email")
    page.get_by_label("Follow-up subject").fill(f"Send the proposal {lead_name}")
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_test_id("chain")).to_contain_text(f"Send the proposal {lead_name}")
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug=DEMO_SLUG)):
        follow_up = Activity.objects.select_related("origin").get(subject=f"Send the proposal {lead_name}")
        assert (follow_up.deal_id, follow_up.origin.subject, follow_up.origin.status) == (
            deal.pk, f"Kick-off call {lead_name}", "done",
        )  # fmt: skip

    # Global search (Ctrl+K from any page) finds the deal with a typo in its name.
    page.goto(f"{base}pipeline/")
    page.keyboard.press("Control+k")
    search_box = page.get_by_test_id("global-search")
    expect(search_box).to_be_focused()
    search_box.fill(f"{lead_name} rolout")
    results = page.locator("#global-search-results")
    found = results.get_by_role("option").filter(has_text=f"{lead_name} rollout")
    expect(found).to_be_visible()
    found.click()
    expect(page.locator("h1")).to_contain_text(f"{lead_name} rollout")

    # The same pages fit a phone screen.
    phone = new_context(viewport=MOBILE).new_page()
    phone.set_default_timeout(SLOW_MACHINE_TIMEOUT)
    sign_in(phone, base, demo_tenant.admin_email, demo_tenant.admin_password)
    expect(phone).to_have_url(base)
    problems = []
    for name, path in [("lead-list", "leads/"), ("deal", f"deals/{deal.pk}/"), ("board", "pipeline/")]:
        response = phone.goto(f"{base}{path}")
        assert response is not None
        assert response.status == 200, path
        phone.screenshot(path=str(SCREENSHOT_DIR / f"sales-{name}-mobile.png"), full_page=True)
        overflow = horizontal_overflow(phone)
        if overflow["scrollWidth"] > overflow["clientWidth"] or overflow["scrollWidth"] > overflow["innerWidth"]:
            problems.append(f"{name}: {overflow}")
    assert not problems, "pages wider than the phone screen:\n" + "\n".join(problems)
