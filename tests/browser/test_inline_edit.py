"""Inline editing in a real browser: a sales rep opens their deal, clicks the amount, types a
negative number and sees the service's error in place (nothing saved), then a valid amount that
is saved and shown; the deal dropped on Won goes back with Undo. A company's timeline names the
deals that moved. The board, a deal and a company with their timelines, and the calendar are
screenshotted at 1440×900 and 390×844."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from identity.models import Role, User
from identity.services.accounts import create_user
from modules.sales.models import Deal
from modules.sales.services.deals import create_deal
from tenants.models import Tenant
from tests.browser.conftest import DEMO_SLUG, MOBILE, SCREENSHOT_DIR, DemoTenant, database_access, sign_in

pytestmark = pytest.mark.browser

SLOW_MACHINE_TIMEOUT = 30_000
PASSWORD = "inline-edit-rep-2026"
WIDE = {"width": 1440, "height": 900}


@pytest.fixture
def rep_deal(demo_tenant: DemoTenant, django_db_blocker: Any) -> Iterator[tuple[str, int]]:
    """A sales rep (e-mail) and a deal of theirs (id); both removed afterwards."""
    token = secrets.token_hex(3)
    email = f"inline-{token}@demo.example"
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug=DEMO_SLUG)):
        rep = create_user(
            email=email, password=PASSWORD, full_name=f"Rita Inline {token}",
            role=Role.objects.get(key="sales_rep"), teams=[],
        )  # fmt: skip
        deal = create_deal(by=rep, name=f"Inline {token}", amount=Decimal("1200.00"), currency="EUR")
        deal_pk = deal.pk
    yield email, deal_pk
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug=DEMO_SLUG)):
        Deal.objects.filter(pk=deal_pk).delete()
        User.objects.filter(email=email).delete()


def test_a_rep_edits_a_field_inline_and_sees_the_validation_error_in_place(
    page: Page, demo_tenant: DemoTenant, rep_deal: tuple[str, int], django_db_blocker: Any
) -> None:
    email, deal_pk = rep_deal
    deal_name = f"Inline {email.split('@')[0].removeprefix('inline-')}"
    base = demo_tenant.url
    page.set_default_timeout(SLOW_MACHINE_TIMEOUT)
    sign_in(page, base, email, PASSWORD)
    expect(page).to_have_url(base)

    page.goto(f"{base}deals/{deal_pk}/")
    amount = page.get_by_test_id("deal-amount")
    amount.get_by_test_id("inline-value").click()
    editor = amount.locator("input[name=value]")
    expect(editor).to_be_focused()
    editor.fill("-5")
    amount.get_by_test_id("inline-save").click()

    expect(amount.get_by_test_id("inline-error")).to_be_visible()
    expect(amount.get_by_test_id("inline-error")).to_contain_text("greater than or equal to 0")
    expect(editor).to_have_value("-5")
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug=DEMO_SLUG)):
        assert Deal.objects.get(pk=deal_pk).amount == Decimal("1200.00")

    editor.fill("2500")
    editor.press("Enter")
    expect(amount.get_by_test_id("inline-value")).to_contain_text("2,500.00")
    expect(amount.get_by_test_id("inline-error")).to_have_count(0)
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug=DEMO_SLUG)):
        assert Deal.objects.get(pk=deal_pk).amount == Decimal("2500.00")

    # The change is on the deal's timeline, in words.
    timeline = page.get_by_test_id("timeline-entries")
    page.reload()
    expect(page.get_by_test_id("timeline-entries")).to_contain_text("1,200.00")
    expect(timeline).to_contain_text("2,500.00")

    # Dropped on Won by mistake, the deal goes back with Undo.
    page.set_viewport_size(WIDE)
    page.goto(f"{base}pipeline/?owner=me")
    card = page.locator(f"[data-testid=deal-card][data-deal='{deal_pk}']")
    won = page.locator(".board-cards[data-kind='won']")
    expect(card).to_be_visible()
    with page.expect_response(lambda response: response.url.endswith(f"/deals/{deal_pk}/move/")) as move:
        card.hover()
        page.mouse.down()
        box = won.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 40, steps=12)
        page.mouse.up()
    assert move.value.status == 200
    expect(page.get_by_test_id("board-undo")).to_contain_text(f"{deal_name} is won.")
    with page.expect_response(lambda response: response.url.endswith(f"/deals/{deal_pk}/undo-move/")) as undo:
        page.get_by_test_id("board-undo").get_by_role("button", name="Undo").click()
    assert undo.value.status == 200
    expect(
        page.locator(".board-cards[data-stage-name='Qualification']").locator(f"[data-deal='{deal_pk}']")
    ).to_be_visible()
    expect(page.get_by_test_id("board-undo")).to_be_hidden()
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug=DEMO_SLUG)):
        deal = Deal.objects.select_related("stage").get(pk=deal_pk)
        assert (deal.stage.name, deal.status) == ("Qualification", "open")

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for name, size in (("desktop", WIDE), ("phone", MOBILE)):
        page.set_viewport_size(size)
        page.goto(f"{base}deals/{deal_pk}/")
        expect(page.get_by_test_id("timeline-entries")).to_be_visible()
        page.screenshot(path=str(SCREENSHOT_DIR / f"records-deal-{name}.png"), full_page=True)
        page.goto(f"{base}pipeline/?owner=me")
        expect(page.get_by_test_id("deal-card").first).to_be_visible()
        page.screenshot(path=str(SCREENSHOT_DIR / f"records-board-{name}.png"))


def test_a_company_timeline_names_the_deals_that_moved_and_the_calendar_reads_well(
    page: Page, demo_tenant: DemoTenant, django_db_blocker: Any
) -> None:
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug=DEMO_SLUG)):
        from modules.contacts.models import TimelineEntry

        company_pk = (
            TimelineEntry.objects.filter(kind="stage_changed", company__isnull=False, deal__isnull=False)
            .order_by("-occurred_at")
            .values_list("company_id", flat=True)
            .first()
        )
        from identity.models import Team

        team_pk = Team.objects.order_by("pk").values_list("pk", flat=True).first()
    assert company_pk is not None
    base = demo_tenant.url
    page.set_default_timeout(SLOW_MACHINE_TIMEOUT)
    sign_in(page, base, demo_tenant.admin_email, demo_tenant.admin_password)
    expect(page).to_have_url(base)

    for name, size in (("desktop", WIDE), ("phone", MOBILE)):
        page.set_viewport_size(size)
        page.goto(f"{base}companies/{company_pk}/")
        sales_filter = page.get_by_test_id("timeline-filter").filter(has_text="Sales")
        sales_filter.click()
        expect(page.get_by_test_id("timeline-filter").filter(has_text="Sales")).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(page.locator("[data-testid=timeline-entries] [data-kind=activity]")).to_have_count(0)
        about = page.get_by_test_id("timeline-about").first
        expect(about).to_contain_text("Deal")
        expect(about.get_by_role("link")).to_have_attribute("href", re.compile(r"^/deals/\d+/$"))
        page.screenshot(path=str(SCREENSHOT_DIR / f"records-company-{name}.png"), full_page=True)
        page.goto(f"{base}pipeline/")
        expect(page.get_by_test_id("deal-card").first).to_be_visible()
        page.screenshot(path=str(SCREENSHOT_DIR / f"records-board-all-{name}.png"))
        page.goto(f"{base}calendar/?team={team_pk}")
        expect(page.locator(".fc-view-harness")).to_be_visible()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(SCREENSHOT_DIR / f"records-calendar-{name}.png"))


def test_a_rep_edits_a_deal_list_cell_in_place(
    page: Page, demo_tenant: DemoTenant, rep_deal: tuple[str, int], django_db_blocker: Any
) -> None:
    """In the deal list the rep's amount cell turns into its editor: a negative amount is refused
    in the cell with nothing saved, a valid one is saved and shown in the cell."""
    email, deal_pk = rep_deal
    base = demo_tenant.url
    page.set_default_timeout(SLOW_MACHINE_TIMEOUT)
    page.set_viewport_size(WIDE)
    sign_in(page, base, email, PASSWORD)
    expect(page).to_have_url(base)

    page.goto(f"{base}deals/?owner=me")
    cell = page.locator("tr", has=page.locator(f"#row-{deal_pk}")).get_by_test_id("inline-amount")
    cell.get_by_test_id("inline-value").click()
    editor = cell.locator("input[name=value]")
    expect(editor).to_be_focused()
    editor.fill("-5")
    cell.get_by_test_id("inline-save").click()

    expect(cell.get_by_test_id("inline-error")).to_contain_text("greater than or equal to 0")
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug=DEMO_SLUG)):
        assert Deal.objects.get(pk=deal_pk).amount == Decimal("1200.00")

    editor.fill("3100")
    editor.press("Enter")
    expect(cell.get_by_test_id("inline-value")).to_contain_text("3,100.00")
    expect(cell.get_by_test_id("inline-error")).to_have_count(0)
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug=DEMO_SLUG)):
        assert Deal.objects.get(pk=deal_pk).amount == Decimal("3100.00")
    page.screenshot(path=str(SCREENSHOT_DIR / "list-cell-edit-desktop.png"))
