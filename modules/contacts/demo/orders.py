"""Demo orders: two years of purchases by repeat customers, with baskets drawn from the catalogue's
natural bundles (licences with onboarding and training, scanners with tablets, support renewals), and
the order of every accepted quote. Deterministic: the builder's fixed random source decides."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from modules.contacts.choices import TimelineKind
from modules.contacts.demo.builder import HISTORY_DAYS, DemoBase, bulk_create, bulk_create_dated
from modules.contacts.models import Company
from modules.sales.choices import OrderStatus, QuoteStatus
from modules.sales.models import Order, OrderLine, Product, Quote
from modules.sales.services.quotes import compute_totals

# Share of the companies that buy, and how many orders a buyer places over the two years (weights):
# most buy once or twice, a loyal few every month or two.
BUYER_SHARE = 0.45
ORDERS_PER_BUYER = ((1, 30), (2, 22), (3, 14), (4, 10), (6, 9), (9, 7), (12, 5), (18, 3))
# Products bought together (by SKU), with how likely each bundle is; each line of a bundle is kept
# with its own chance, so baskets vary around the bundle.
BUNDLES: tuple[tuple[float, tuple[tuple[str, float], ...]], ...] = (
    (0.30, (("REL-CRM-USR", 1.0), ("REL-ONB", 0.7), ("REL-TRN", 0.5), ("REL-SUP-STD", 0.35))),
    (0.15, (("REL-CRM-ENT", 1.0), ("REL-ONB", 0.8), ("REL-MIG", 0.6), ("REL-INT", 0.5), ("REL-SUP-PRM", 0.6))),
    (0.20, (("HW-SCAN-01", 1.0), ("HW-TAB-10", 0.75), ("REL-TRN", 0.3))),
    (0.20, (("REL-SUP-STD", 0.7), ("REL-SUP-PRM", 0.3), ("REL-TRN", 0.25))),
    (0.15, (("REL-MIG", 1.0), ("REL-INT", 0.6))),
)
QUANTITIES = {"licence": (5, 10, 15, 25, 50), "hour": (8, 16, 24, 40), "pcs": (2, 5, 10, 20)}


class OrderRecords(DemoBase):
    def orders(self) -> None:
        products = {p.sku: p for p in Product.objects.filter(is_active=True, currency=self.base_currency)}
        if not products:
            return
        rows: list[tuple[Order, list[OrderLine], datetime]] = []
        for quote in Quote.objects.filter(status=QuoteStatus.ACCEPTED).prefetch_related("lines").order_by("pk"):
            rows.append(self._from_quote(quote))
        buyers = [company for company in self.company_list if self.rng.random() < BUYER_SHARE]
        if not buyers and self.company_list:
            buyers = [self.company_list[0]]  # a tiny demo still has a customer with orders
        counts, weights = zip(*ORDERS_PER_BUYER, strict=True)
        for company in buyers:
            count = self.rng.choices(counts, weights=weights)[0]
            # A customer orders only once it is on file: within two years and its own lifetime.
            since = min(HISTORY_DAYS, (self.now - self.created[id(company)]).total_seconds() / 86400 - 1)
            for day in sorted(self.rng.uniform(1, max(since, 1)) for _ in range(count)):
                rows.append(self._order(company, products, self.now - timedelta(days=day)))
        rows.sort(key=lambda row: (row[2], row[0].company_id or 0))
        self._number(rows)
        bulk_create_dated(Order, [order for order, _lines, _at in rows], self.created)
        lines = []
        for order, order_lines, _at in rows:
            for line in order_lines:
                line.order = order
            lines += order_lines
        bulk_create(OrderLine, lines)
        for order, _lines, at in rows:
            data = {"action": "created", "order": order.pk, "number": order.number, "status": OrderStatus.CONFIRMED,
                    "total": str(order.total), "currency": order.currency}  # fmt: skip
            if order.quote_id:
                data["quote_number"] = order.quote.number  # type: ignore[union-attr]
            links = {"company_id": order.company_id, "contact_id": order.contact_id, "deal_id": order.deal_id}
            self.entry(TimelineKind.ORDER, at, order.owner, data, **links)
            if order.status != OrderStatus.CONFIRMED:
                changed = getattr(order, f"{order.status}_at")
                status = {**data, "action": "status", "status": order.status, "previous_status": self._before(order)}
                self.entry(TimelineKind.ORDER, changed, order.owner, status, **links)

    def _from_quote(self, quote: Quote) -> tuple[Order, list[OrderLine], datetime]:
        at = datetime.combine(quote.issued_on or self.now.date(), time(10), tzinfo=self.now.tzinfo) + timedelta(days=3)
        at = min(at, self.now)
        order = Order(
            quote=quote, company_id=quote.company_id, contact_id=quote.contact_id, deal_id=quote.deal_id,
            owner_id=quote.owner_id, currency=quote.currency, discount_percent=quote.discount_percent,
            ordered_on=at.date(), created_by_id=quote.owner_id,
        )  # fmt: skip
        lines = [
            OrderLine(
                position=line.position, product_id=line.product_id, description=line.description,
                quantity=line.quantity, unit_price=line.unit_price, discount_percent=line.discount_percent,
                tax_rate=line.tax_rate,
            )
            for line in sorted(quote.lines.all(), key=lambda line: (line.position, line.pk))
        ]  # fmt: skip
        return self._finish(order, lines, at)

    def _order(
        self, company: Company, products: dict[str, Product], at: datetime
    ) -> tuple[Order, list[OrderLine], datetime]:
        at = at.replace(hour=self.rng.randint(8, 17), minute=self.rng.choice((0, 15, 30, 45)))
        # Someone of the company who was on file by then (else the order names no contact).
        contacts = [c for c in self.contacts_of.get(company.pk, []) if self.created[id(c)] <= at]
        contact = self.pick(contacts) if contacts else None
        order = Order(
            company=company, contact=contact, owner_id=company.owner_id, currency=self.base_currency,
            ordered_on=at.date(), created_by_id=company.owner_id,
            discount_percent=Decimal(self.rng.choice((0, 0, 0, 0, 5, 10))),
        )  # fmt: skip
        weights, bundles = zip(*BUNDLES, strict=True)
        bundle = self.rng.choices(bundles, weights=weights)[0]
        chosen = [products[sku] for sku, chance in bundle if sku in products and self.rng.random() < chance]
        if not chosen:
            chosen = [products.get(bundle[0][0]) or next(iter(products.values()))]
        lines = [
            OrderLine(
                position=position, product=product, description=product.name, quantity=self._quantity(product),
                unit_price=product.unit_price, tax_rate=product.tax_rate,
                discount_percent=Decimal(self.rng.choice((0, 0, 0, 5, 10))),
            )
            for position, product in enumerate(chosen, start=1)
        ]  # fmt: skip
        return self._finish(order, lines, at)

    def _quantity(self, product: Product) -> Decimal:
        return Decimal(self.rng.choice(QUANTITIES.get(product.unit, (1, 1, 1, 2, 3))))

    def _finish(self, order: Order, lines: list[OrderLine], at: datetime) -> tuple[Order, list[OrderLine], datetime]:
        """Totals as the service computes them, and the status the order's age gives it."""
        totals = compute_totals(lines, order.discount_percent)
        for line, amounts in zip(lines, totals.lines, strict=True):
            line.net_amount = amounts.net
        order.subtotal, order.discount_total = totals.subtotal, totals.discount_total
        order.tax_total, order.total = totals.tax_total, totals.total
        age = (self.now - at).days
        order.confirmed_at = at
        if self.rng.random() < 0.04 and age > 3:
            order.status, order.cancelled_at = OrderStatus.CANCELLED, at + timedelta(days=min(2, age))
        else:
            steps = [(OrderStatus.FULFILLED, 7), (OrderStatus.INVOICED, 9), (OrderStatus.PAID, 35)]
            for status, days in steps:
                if age <= days:
                    break
                order.status = status
                setattr(order, f"{status}_at", at + timedelta(days=days - 2))
        self.created[id(order)] = at
        return order, lines, at

    @staticmethod
    def _before(order: Order) -> str:
        previous = {
            OrderStatus.FULFILLED: OrderStatus.CONFIRMED, OrderStatus.INVOICED: OrderStatus.FULFILLED,
            OrderStatus.PAID: OrderStatus.INVOICED, OrderStatus.CANCELLED: OrderStatus.CONFIRMED,
        }  # fmt: skip
        return previous.get(OrderStatus(order.status), OrderStatus.CONFIRMED)

    @staticmethod
    def _number(rows: list[tuple[Order, list[OrderLine], datetime]]) -> None:
        """O-<year>-<0001…> in order-date order, as the service numbers them."""
        sequence: dict[int, int] = {}
        for order, _lines, _at in rows:
            year = order.ordered_on.year
            sequence[year] = sequence.get(year, 0) + 1
            order.number = f"O-{year}-{sequence[year]:04d}"
