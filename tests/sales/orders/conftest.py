"""Orders test helpers: a customer with a deal, an accepted quote, orders made through the service."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from modules.sales.choices import QuoteStatus
from modules.sales.models import Order, Quote
from modules.sales.services.orders import create_order
from modules.sales.services.quotes import add_line, create_quote, set_status
from tests.factories import CompanyFactory, ContactFactory, DealFactory, ProductFactory
from tests.sales.catalog.conftest import make_user, sales_disabled  # noqa: F401 - fixtures of these tests too
from tests.tenancy import TenantFixture


def line(description: str = "Work", quantity: str = "1", price: str = "100.00", **extra: Any) -> dict[str, Any]:
    return {"description": description, "quantity": Decimal(quantity), "unit_price": Decimal(price), **extra}


def make_order(alpha: TenantFixture, *, lines: int = 1, owner_email: str | None = None, **values: Any) -> Order:
    """An order of a new company (and contact) in tenant ``alpha`` with ``lines`` lines of 100.00."""
    with alpha.active():
        by = alpha.user(owner_email) if owner_email else alpha.user()
        company = values.pop("company", None) or CompanyFactory()
        values.setdefault("contact", ContactFactory(company=company))
        return create_order(
            by=by, company=company, currency="EUR", lines=[line(f"Line {n}") for n in range(lines)], **values
        )


def accepted_quote(alpha: TenantFixture) -> Quote:
    with alpha.active():
        by = alpha.user()
        company = CompanyFactory()
        deal = DealFactory(company=company, contact=ContactFactory(company=company), owner=by, currency="EUR")
        quote = create_quote(deal=deal, by=by, discount_percent=Decimal("10"))
        product = ProductFactory(currency="EUR", unit_price=Decimal("50.00"), tax_rate=Decimal("19"))
        add_line(quote, by=by, product=product, quantity=Decimal("3"))
        add_line(quote, by=by, description="Installation", quantity=Decimal("1"), unit_price=Decimal("120.00"),
                 tax_rate=Decimal("9"), discount_percent=Decimal("5"))  # fmt: skip
        set_status(quote, QuoteStatus.SENT, by=by)
        set_status(quote, QuoteStatus.ACCEPTED, by=by)
        return Quote.objects.get(pk=quote.pk)
