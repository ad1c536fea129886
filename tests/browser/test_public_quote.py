"""A quote accepted on its public page becomes an order, in a real browser: the owner shares the
quote from its page and reads the link once; the customer, in a browser that never signed in,
opens it, types their name and accepts. Screenshots of the public page (desktop and phone) land in
/tmp/shots/public-quote-*.png for a person to look at."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, Page, expect

from identity.models import User
from modules.activities.models import Notification
from modules.analytics.refresh.models import RefreshDue
from modules.contacts.models import Company, Contact, TimelineEntry
from modules.sales.models import Deal, Order, Quote
from modules.sales.services.quotes import add_line, create_quote
from tenants.models import Tenant
from tests.browser.conftest import MOBILE, GunicornServer, database_access, sign_in
from tests.factories import CompanyFactory, ContactFactory, DealFactory
from tests.tenancy import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.browser

SLOW_MACHINE_TIMEOUT = 30_000
SHOTS = Path("/tmp/shots")  # noqa: S108 - where people look at the screenshots


@dataclass(frozen=True)
class Setup:
    server: GunicornServer
    tenant: Tenant
    quote_id: int
    number: str

    @property
    def base_url(self) -> str:
        return self.server.url("alpha")


@pytest.fixture
def setup(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[Setup]:
    """A draft quote with two lines for a new customer of alpha (committed), removed afterwards with
    everything its acceptance made."""
    marker = uuid.uuid4().hex[:6]
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="alpha")
        with tenant_context(tenant):
            owner = User.objects.get(email=ADMIN_EMAIL)
            company = CompanyFactory(name=f"Browser Customer {marker}")
            deal = DealFactory(company=company, contact=ContactFactory(company=company), owner=owner, currency="EUR")
            quote = create_quote(deal=deal, by=owner)
            add_line(quote, by=owner, description="Ventilation design, floors one to four", quantity=Decimal("1"),
                     unit_price=Decimal("2400.00"), tax_rate=Decimal("19"))  # fmt: skip
            add_line(quote, by=owner, description="Commissioning", quantity=Decimal("2"),
                     unit_price=Decimal("350.00"), tax_rate=Decimal("19"))  # fmt: skip
    yield Setup(gunicorn_server, tenant, quote.pk, quote.number)
    with database_access(django_db_blocker), tenant_context(tenant):
        orders = Order.objects.filter(quote_id=quote.pk)
        Notification.objects.filter(entity="order", record_id__in=list(orders.values_list("pk", flat=True))).delete()
        orders.delete()
        TimelineEntry.objects.filter(deal_id=deal.pk).delete()
        Quote.objects.filter(pk=quote.pk).delete()
        Deal.objects.filter(pk=deal.pk).delete()
        Contact.objects.filter(company_id=company.pk).delete()
        Company.objects.filter(pk=company.pk).delete()
        RefreshDue.objects.filter(tenant=tenant).delete()  # the analyses the new order asked for


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"public-quote-{name}.png"), full_page=True)


def test_a_quote_accepted_on_its_public_page_becomes_an_order(
    page: Page, new_context: Callable[..., BrowserContext], setup: Setup, django_db_blocker: Any
) -> None:
    page.set_default_timeout(SLOW_MACHINE_TIMEOUT)
    sign_in(page, setup.base_url, ADMIN_EMAIL, PASSWORD)
    expect(page).to_have_url(setup.base_url)
    page.goto(f"{setup.base_url}quotes/{setup.quote_id}/")
    page.get_by_test_id("share-quote").click()
    link = page.get_by_test_id("shared-link").input_value()
    assert link.startswith(f"{setup.base_url}quote/")
    expect(page.get_by_test_id("sharing")).to_contain_text("works until")

    customer = new_context(viewport={"width": 1440, "height": 900}).new_page()
    customer.set_default_timeout(SLOW_MACHINE_TIMEOUT)
    customer.goto(link)
    expect(customer.locator("h1")).to_have_text(f"Quote {setup.number}")
    expect(customer.get_by_test_id("public-total")).to_have_text("3,689.00 EUR")
    _shot(customer, "desktop")
    phone = new_context(viewport=MOBILE).new_page()
    phone.goto(link)
    expect(phone.get_by_test_id("accept-form")).to_be_visible()
    _shot(phone, "phone")

    customer.get_by_label("Your full name").fill("")
    customer.get_by_role("button", name="Accept quote").click()
    expect(customer.locator("#id_name-errors")).to_contain_text("Type your full name")
    customer.get_by_label("Your full name").fill("Ana Popescu")
    customer.get_by_role("button", name="Accept quote").click()
    expect(customer.get_by_test_id("answer")).to_contain_text("Accepted by Ana Popescu")
    expect(customer.get_by_test_id("accept-form")).to_have_count(0)
    _shot(customer, "accepted")

    with database_access(django_db_blocker), tenant_context(setup.tenant):
        quote = Quote.objects.get(pk=setup.quote_id)
        order = Order.objects.get(quote_id=setup.quote_id)
        assert quote.status == "accepted"
        assert (order.total, order.lines.count()) == (quote.total, 2)
    page.goto(f"{setup.base_url}quotes/{setup.quote_id}/")
    expect(page.get_by_test_id("customer-answer")).to_contain_text("Accepted online by Ana Popescu")
