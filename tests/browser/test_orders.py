"""Orders in a real browser on the demo tenant: the list, an order's page where a status button asks
for confirmation before the order moves, and a repeat buyer's purchase history on the company page.

Screenshots of the order list, an order and the company's purchase history land in var/screenshots/
(1440×900 and 390×844); no page may be wider than the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Count
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, expect

from modules.sales.models import Order
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

WIDE = {"width": 1440, "height": 900}


def _demo_orders(django_db_blocker: Any) -> tuple[Order, int]:
    """A confirmed order of the demo, and the company with the most orders."""
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug=DEMO_SLUG)):
        with_lines = Order.objects.filter(lines__isnull=False).distinct()
        # A confirmed one to move; once an earlier run moved it, any other to look at.
        confirmed = with_lines.filter(status="confirmed").order_by("pk").first() or with_lines.order_by("pk").first()
        assert confirmed is not None, "the demo has orders"
        busiest = (
            Order.objects.exclude(company=None).values("company").annotate(n=Count("id")).order_by("-n", "company")[0]
        )
        return confirmed, busiest["company"]


@pytest.mark.parametrize(("viewport", "suffix"), [(WIDE, ""), (MOBILE, "-mobile")], ids=["wide", "mobile"])
def test_orders_are_listed_moved_with_confirmation_and_summed_on_the_company(
    new_context: Callable[..., BrowserContext],
    demo_tenant: DemoTenant,
    django_db_blocker: Any,
    viewport: dict[str, int],
    suffix: str,
) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    order, company_id = _demo_orders(django_db_blocker)
    page = new_context(viewport=viewport).new_page()
    sign_in(page, demo_tenant.url, demo_tenant.admin_email, demo_tenant.admin_password)
    problems: list[str] = []

    def fits(name: str) -> None:
        page.screenshot(path=str(SCREENSHOT_DIR / f"{name}{suffix}.png"), full_page=True)
        overflow = horizontal_overflow(page)
        if overflow["scrollWidth"] > overflow["clientWidth"]:
            problems.append(f"{name}: {overflow}")

    page.goto(f"{demo_tenant.url}orders/")
    expect(page.locator("h1")).to_contain_text("Orders")
    expect(page.get_by_test_id("record-table").locator("tbody tr")).to_have_count(50)
    fits("orders")

    page.goto(f"{demo_tenant.url}orders/{order.pk}/")
    expect(page.get_by_test_id("order-lines")).to_be_visible()
    fits("order")
    if order.status == "confirmed":  # move the order once (the desktop run comes first)
        dialogs: list[str] = []
        page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.locator("button[data-status='fulfilled']").click()
        expect(page.locator("h1")).to_contain_text("Confirmed")  # dismissed: nothing moved
        page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
        page.locator("button[data-status='fulfilled']").click()
        expect(page.locator("h1")).to_contain_text("Fulfilled")
        expect(page.get_by_test_id("order-history")).to_contain_text("Confirmed → Fulfilled")
        assert len(dialogs) == 2
        assert order.number in dialogs[0]

    page.goto(f"{demo_tenant.url}companies/{company_id}/")
    history = page.get_by_test_id("purchase-history")
    expect(history).to_be_visible()
    expect(history.get_by_test_id("frequency")).to_contain_text("days")
    history.scroll_into_view_if_needed()
    fits("company-purchases")

    assert not problems, "pages wider than the viewport:\n" + "\n".join(problems)
