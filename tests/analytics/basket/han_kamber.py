"""Han and Kamber's nine transactions (Data Mining: Concepts and Techniques, table 6.1), entered
as orders through the sales services, and the six rules Apriori finds in them at a minimum support
of two transactions and a confidence of 70 %."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from modules.contacts.models import Company
from modules.sales.models import Product
from modules.sales.services.orders import create_order
from tests.factories import CompanyFactory, ProductFactory

TRANSACTIONS = {
    "T100": ("I1", "I2", "I5"),
    "T200": ("I2", "I4"),
    "T300": ("I2", "I3"),
    "T400": ("I1", "I2", "I4"),
    "T500": ("I1", "I3"),
    "T600": ("I2", "I3"),
    "T700": ("I1", "I3"),
    "T800": ("I1", "I2", "I3", "I5"),
    "T900": ("I1", "I2", "I3"),
}
# Two transactions out of nine (22.222 % × 9 = 1.99998: two orders pass, one does not).
MIN_SUPPORT_PERCENT = Decimal("22.222")
MIN_CONFIDENCE_PERCENT = Decimal("70")
# antecedent → consequent: (orders with both, with the antecedent, with the consequent).
RULES = {
    (("I5",), ("I1",)): (2, 2, 6),
    (("I4",), ("I2",)): (2, 2, 7),
    (("I5",), ("I2",)): (2, 2, 7),
    (("I2", "I5"), ("I1",)): (2, 2, 6),
    (("I1", "I5"), ("I2",)): (2, 2, 7),
    (("I5",), ("I1", "I2")): (2, 2, 4),
}


def expected_measures() -> dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[Fraction, Fraction, Fraction]]:
    """Each rule's support, confidence and lift as exact fractions of its counts over nine orders."""
    return {
        rule: (Fraction(both, 9), Fraction(both, left), Fraction(both * 9, left * right))
        for rule, (both, left, right) in RULES.items()
    }


def enter_orders(prefix: str, *, by: object = None) -> tuple[Company, dict[str, Product]]:
    """Products ``<prefix> I1`` … ``I5`` and one order per transaction (each also has a free-text
    line, which is no product), plus what must not count: a cancelled order of I1 and I4 (counted,
    I4 → I2 would fall to 2/3) and an order with only a free-text line (counted, nine would be ten)."""
    from modules.sales.services.orders import set_order_status

    company = CompanyFactory(name=f"{prefix} customer")
    products = {
        name: ProductFactory(name=f"{prefix} {name}", sku=f"{prefix[:8]}-{name}")
        for name in ("I1", "I2", "I3", "I4", "I5")
    }
    for items in TRANSACTIONS.values():
        lines = [{"product": products[item]} for item in items]
        create_order(by=by, company=company, lines=[*lines, {"description": "Delivery", "unit_price": "9.00"}])
    cancelled = create_order(by=by, company=company, lines=[{"product": products["I1"]}, {"product": products["I4"]}])
    set_order_status(cancelled, "cancelled", by=by)
    create_order(by=by, company=company, lines=[{"description": "Consulting", "unit_price": "90.00"}])
    return company, products


def named_rules(products: dict[str, Product]) -> dict[tuple[tuple[str, ...], tuple[str, ...]], tuple]:
    """The stored rules by product names: (counts, measures)."""
    from modules.analytics.basket.models import BasketRule

    names = {product.pk: name for name, product in products.items()}
    return {
        (tuple(sorted(names[p] for p in rule.antecedent)), tuple(sorted(names[p] for p in rule.consequent))): (
            (rule.rule_count, rule.antecedent_count, rule.consequent_count, rule.transactions),
            (rule.support, rule.confidence, rule.lift),
        )
        for rule in BasketRule.objects.all()
    }
