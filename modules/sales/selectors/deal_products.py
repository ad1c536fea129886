"""Which products a deal carries, the one rule the sales analyses, the forecast and the deal list
share: the lines of the deal's orders that are not cancelled, or, when it has none, of its quote
(the accepted one, else the latest). A deal's amount is shared between its products in proportion
to the lines' net amounts (equally when they net nothing), so the products' figures add up to the
deals'; lines without a product, and deals without lines, make the "no product" share (product
NULL)."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Subquery, Value, When

from modules.sales.choices import OrderStatus, QuoteStatus
from modules.sales.models import Order, OrderLine, Quote, QuoteLine

# CTEs ``product_lines``, ``product_nets`` and ``product_shares`` (deal_id, product_id, weight) over
# the deals of a CTE named by ``%(deals)s`` (its ``id`` column). Parameters: ``SHARES_PARAMS``.
SHARES_SQL = """
product_lines AS (
    SELECT o.deal_id, l.product_id, l.net_amount AS net
    FROM sales_orderline l JOIN sales_order o ON o.id = l.order_id
    WHERE o.deal_id IN (SELECT id FROM %(deals)s) AND o.status <> %%s
    UNION ALL
    SELECT q.deal_id, l.product_id, l.quantity * l.unit_price * (1 - l.discount_percent / 100)
    FROM sales_quoteline l JOIN (
        SELECT DISTINCT ON (deal_id) id, deal_id FROM sales_quote
        WHERE deal_id IN (SELECT id FROM %(deals)s)
        ORDER BY deal_id, (status = %%s) DESC, created_at DESC, id DESC
    ) q ON q.id = l.quote_id
    WHERE NOT EXISTS (SELECT 1 FROM sales_order o WHERE o.deal_id = q.deal_id AND o.status <> %%s)
),
product_nets AS (
    SELECT deal_id, product_id, SUM(net) AS net FROM product_lines GROUP BY deal_id, product_id
),
product_shares AS (
    SELECT deal_id, product_id,
           CASE WHEN SUM(net) OVER w > 0 THEN net / SUM(net) OVER w
                ELSE 1::numeric / COUNT(*) OVER w END AS weight
    FROM product_nets WINDOW w AS (PARTITION BY deal_id)
    UNION ALL
    SELECT id, NULL, 1::numeric FROM %(deals)s WHERE id NOT IN (SELECT deal_id FROM product_nets)
)"""
SHARES_PARAMS: list[Any] = [OrderStatus.CANCELLED, QuoteStatus.ACCEPTED, OrderStatus.CANCELLED]


def product_shares_sql(deals_cte: str) -> str:
    """``SHARES_SQL`` over the CTE ``deals_cte``, its ``%s`` placeholders ready for the cursor."""
    return SHARES_SQL % {"deals": deals_cte}


def carrying_product(product_id: int) -> Q:
    """The deals carrying the product, for the deal list (the same rule, in the ORM)."""
    live_orders = Order.objects.filter(deal=OuterRef("pk")).exclude(status=OrderStatus.CANCELLED)
    on_orders = OrderLine.objects.filter(order__deal=OuterRef("pk"), product_id=product_id).exclude(
        order__status=OrderStatus.CANCELLED
    )
    chosen_quote = (
        Quote.objects.filter(deal=OuterRef(OuterRef("pk")))
        .order_by(
            Case(When(status=QuoteStatus.ACCEPTED, then=Value(0)), default=Value(1), output_field=IntegerField()),
            "-created_at",
            "-id",
        )
        .values("id")[:1]
    )
    on_quote = QuoteLine.objects.filter(quote_id=Subquery(chosen_quote), product_id=product_id)
    return Q(Exists(on_orders)) | (~Q(Exists(live_orders)) & Q(Exists(on_quote)))
