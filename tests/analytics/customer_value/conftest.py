"""Customer-value test helpers: orders bought through the order service at given days ago."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from identity.models import User
from modules.contacts.models import Company, Contact
from modules.sales.models import Order
from modules.sales.services.orders import create_order


def buy(
    by: User | None,
    *,
    days_ago: int,
    amount: str = "100.00",
    company: Company | None = None,
    contact: Contact | None = None,
    currency: str = "EUR",
    owner: User | None = None,
    on: date | None = None,
) -> Order:
    """An order of one line worth ``amount`` net (tax 19 %, which the analyses leave out)."""
    ordered_on = on or timezone.localdate() - timedelta(days=days_ago)
    return create_order(
        by=by,
        owner=owner or by,
        company=company,
        contact=contact,
        currency=currency,
        ordered_on=ordered_on,
        lines=[
            {"description": "Goods", "quantity": Decimal(1), "unit_price": Decimal(amount), "tax_rate": Decimal(19)}
        ],
    )
