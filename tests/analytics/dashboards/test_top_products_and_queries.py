"""Top products by order revenue, and every built-in kind's query count, which the amount of data
does not change."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from modules.analytics.dashboards.widgets import registered_widgets
from modules.contacts.models import Company
from modules.sales.models import Order, Product
from modules.sales.services.orders import create_order
from tests.analytics.dashboards.conftest import FEBRUARY, World, compute, list_count
from tests.factories import ActivityFactory, CompanyFactory, DealFactory, LeadFactory, ProductFactory
from tests.tenancy import TenantFixture

MARA, ADMIN = "mara@example.test", "admin@example.test"


def _order(owner, company: Company, on: date, currency: str, *lines: tuple[Product, str, str]) -> Order:
    return create_order(
        by=owner, owner=owner, company=company, currency=currency, ordered_on=on,
        lines=[
            {"product": product, "description": product.name, "quantity": Decimal(quantity),
             "unit_price": Decimal(price), "tax_rate": Decimal(19)}
            for product, quantity, price in lines
        ],
    )  # fmt: skip


@pytest.fixture
def products(alpha: TenantFixture, world: World) -> tuple[Product, Product]:
    """Net amounts (EUR unless said): Ana Feb 1 P1 100 + P2 2 × 50; Ana Feb 20 P1 200 USD (0.80: 160);
    Mara Feb 10 P2 300; Mara Feb 11 P1 1,000 cancelled; Cid Feb 12 P1 500; Ana Jan 31 P1 999."""
    with alpha.active():
        p1, p2 = ProductFactory(name="P1"), ProductFactory(name="P2")
        company = CompanyFactory(owner=world.ana)
        _order(world.ana, company, date(2025, 2, 1), "EUR", (p1, "1", "100.00"), (p2, "2", "50.00"))
        _order(world.ana, company, date(2025, 2, 20), "USD", (p1, "1", "200.00"))
        _order(world.mara, company, date(2025, 2, 10), "EUR", (p2, "1", "300.00"))
        cancelled = _order(world.mara, company, date(2025, 2, 11), "EUR", (p1, "1", "1000.00"))
        Order.objects.filter(pk=cancelled.pk).update(status="cancelled")
        _order(world.cid, company, date(2025, 2, 12), "EUR", (p1, "1", "500.00"))
        _order(world.ana, company, date(2025, 1, 31), "EUR", (p1, "1", "999.00"))
        return p1, p2


def test_top_products_sum_the_net_amounts_of_orders_placed_in_the_period(alpha: TenantFixture, world: World, products):
    as_mara = compute(alpha, "sales-top-products", world.mara)
    as_admin = compute(alpha, "sales-top-products", world.admin)

    assert [row[:3] for row in as_mara.rows] == [("P2", 2, Decimal("400.00")), ("P1", 2, Decimal("260.00"))]
    assert [row[:3] for row in as_admin.rows] == [("P1", 3, Decimal("760.00")), ("P2", 2, Decimal("400.00"))]
    assert [list_count(alpha, MARA, row[-1]) for row in as_mara.rows] == [2, 2]
    assert [list_count(alpha, ADMIN, row[-1]) for row in as_admin.rows] == [3, 2]


def _more(alpha: TenantFixture, world: World, products: tuple[Product, Product], count: int) -> None:
    """``count`` more of every record the kinds read, spread over owners, stages, types and days."""
    owners = [world.ana, world.mara, world.cid]
    with alpha.active():
        company = CompanyFactory(owner=world.mara)
        for n in range(count):
            owner, stage = owners[n % 3], world.stages[n % len(world.stages)]
            closed = timezone.now() - timedelta(days=n * 9)
            DealFactory(owner=owner, stage=stage, currency=("EUR", "USD")[n % 2], stage_entered_at=closed)
            DealFactory(owner=owner, status=("won", "lost")[n % 2], closed_at=closed, currency=("EUR", "USD")[n % 2])
            LeadFactory(owner=owner, source=("website", "referral", "")[n % 3])
            ActivityFactory(assignee=owner, kind=("call", "task")[n % 2], status="done", completed_at=closed)
            ActivityFactory(assignee=owner, due_at=closed)
            _order(owner, company, date(2025, 2, 1 + n % 28), "EUR", (products[n % 2], "1", "10.00"))


def _queries(alpha: TenantFixture, world: World) -> dict[str, int]:
    counts = {}
    for kind in registered_widgets():
        with alpha.active(), CaptureQueriesContext(connection) as queries:
            kind.compute(world.mara, FEBRUARY)
        counts[kind.key] = len(queries)
    return counts


def test_every_kind_costs_the_same_queries_for_little_and_much_data(alpha: TenantFixture, world: World, products):
    _more(alpha, world, products, 3)
    few = _queries(alpha, world)
    _more(alpha, world, products, 30)
    many = _queries(alpha, world)

    assert many == few
    assert max(few.values()) <= 12, few
