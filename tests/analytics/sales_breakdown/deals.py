"""Hand-built closed deals for the sales-breakdown tests, in an EUR workspace with RON at 0.2 (0.25
from today on, after every close) and no USD rate. Everything closes at noon thirty days ago; the
period runs from sixty days ago to yesterday.

- W1 won 1,000 EUR, Acme, admin; a confirmed order: Widget net 300, Gadget net 100 → 750 / 250.
- W2 won 5,000 RON = 1,000 EUR, Bolt, rep; an accepted quote with Widget 2 × 50 and a later draft
  quote with Gadget (not read: the accepted quote wins) → Widget 1,000.
- W3 won 200 USD, no rate, Acme, rep; no lines → no product, unconverted.
- W4 won 400 EUR, Bolt, admin; a cancelled order with Gadget (not read) and a sent quote with Widget.
- L1 lost 700 EUR, Acme, admin; a draft quote with Gadget.
- L2 lost 300 EUR, no company, admin; no lines.
- Outside: a 9,999 EUR deal won before the period, an open deal of Acme.

Acme: Software, 40 employees, RO / Cluj, tier gold. Bolt: Retail, 600 employees, DE, no region,
tier silver."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from customization.fields.models import CustomFieldDefinition
from identity.models import User
from modules.contacts.models import Company, ExchangeRate
from modules.sales.models import Deal, Order, OrderLine, Product, Quote, QuoteLine
from modules.sales.services.pipelines import default_pipeline
from tests.factories import CompanyFactory, DealFactory, ProductFactory


@dataclass
class Closed:
    deals: dict[str, Deal]
    companies: dict[str, Company]
    products: dict[str, Product]
    start: dt.date
    end: dt.date


def _noon(days_ago: int) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())


def _quote(deal: Deal, number: str, status: str, lines: list[tuple[Product, str, str]]) -> Quote:
    quote = Quote.objects.create(number=number, deal=deal, status=status, currency=deal.currency)
    for product, quantity, price in lines:
        QuoteLine.objects.create(
            quote=quote, product=product, description=product.name, quantity=Decimal(quantity),
            unit_price=Decimal(price),
        )  # fmt: skip
    return quote


def _order(deal: Deal, number: str, status: str, lines: list[tuple[Product, str]]) -> Order:
    order = Order.objects.create(
        number=number, deal=deal, status=status, currency=deal.currency, ordered_on=timezone.localdate()
    )
    for product, net in lines:
        OrderLine.objects.create(
            order=order, product=product, description=product.name, unit_price=Decimal(net), net_amount=Decimal(net)
        )
    return order


def build(admin: User, rep: User, *, prefix: str = "SB") -> Closed:
    """The deals above, in the active tenant (its base currency must be EUR)."""
    today = timezone.localdate()
    ExchangeRate.objects.create(currency="RON", valid_from=today - dt.timedelta(days=400), rate=Decimal("0.2"))
    ExchangeRate.objects.create(currency="RON", valid_from=today, rate=Decimal("0.25"))
    CustomFieldDefinition.objects.create(
        entity="company", key="tier", label="Tier", field_type="single_select",
        options=[{"value": "gold", "label": "Gold"}, {"value": "silver", "label": "Silver"}],
    )  # fmt: skip
    acme = CompanyFactory(name=f"{prefix} Acme", industry="Software", employee_count=40, country="RO",
                          region="Cluj", custom={"tier": "gold"})  # fmt: skip
    bolt = CompanyFactory(name=f"{prefix} Bolt", industry="Retail", employee_count=600, country="DE", region="",
                          custom={"tier": "silver"})  # fmt: skip
    widget, gadget = ProductFactory(name=f"{prefix} Widget"), ProductFactory(name=f"{prefix} Gadget")
    pipeline = default_pipeline()
    assert pipeline is not None
    won_stage = pipeline.stages.get(kind="won")
    lost_stage = pipeline.stages.get(kind="lost")

    def closed(name: str, status: str, amount: str, currency: str, company: Company | None, owner: User,
               days_ago: int = 30) -> Deal:  # fmt: skip
        return DealFactory(
            name=f"{prefix} {name}", status=status, amount=Decimal(amount), currency=currency, company=company,
            owner=owner, stage=won_stage if status == "won" else lost_stage, closed_at=_noon(days_ago),
        )  # fmt: skip

    deals = {
        "W1": closed("W1", "won", "1000", "EUR", acme, admin),
        "W2": closed("W2", "won", "5000", "RON", bolt, rep),
        "W3": closed("W3", "won", "200", "USD", acme, rep),
        "W4": closed("W4", "won", "400", "EUR", bolt, admin),
        "L1": closed("L1", "lost", "700", "EUR", acme, admin),
        "L2": closed("L2", "lost", "300", "EUR", None, admin),
        "before": closed("before", "won", "9999", "EUR", acme, admin, days_ago=90),
        "open": DealFactory(name=f"{prefix} open", company=acme, owner=admin, amount=Decimal("5555")),
    }
    _order(deals["W1"], f"{prefix}-O1", "confirmed", [(widget, "300"), (gadget, "100")])
    _quote(deals["W2"], f"{prefix}-Q1", "accepted", [(widget, "2", "50")])
    _quote(deals["W2"], f"{prefix}-Q2", "draft", [(gadget, "1", "10")])
    _order(deals["W4"], f"{prefix}-O2", "cancelled", [(gadget, "900")])
    _quote(deals["W4"], f"{prefix}-Q3", "sent", [(widget, "1", "400")])
    _quote(deals["L1"], f"{prefix}-Q4", "draft", [(gadget, "1", "700")])
    return Closed(
        deals=deals,
        companies={"Acme": acme, "Bolt": bolt},
        products={"Widget": widget, "Gadget": gadget},
        start=today - dt.timedelta(days=60),
        end=today - dt.timedelta(days=1),
    )
