"""The forecast's sums per group before conversion: per (group, currency, day), so the forecast can
convert each sum at its day's rate. Groups are the deal's owner, its company's industry or country
(ORM GROUP BYs), or its products (one SQL query sharing each deal's amount between its products by
``deal_products``' rule). One or two queries whatever the number of deals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from modules.sales.choices import DealStatus
from modules.sales.models import Deal
from modules.sales.selectors.deal_products import SHARES_PARAMS, product_shares_sql

if TYPE_CHECKING:
    from modules.sales.selectors.forecast import Period

COMMIT_THRESHOLD = 75
ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=20, decimal_places=6)
# The forecast's groupings besides the owner (and the owner's teams), and the deal field each reads.
COMPANY_GROUPS = {"industry": "company__industry", "country": "company__country"}
GROUPINGS = ("owner", "product", *COMPANY_GROUPS)

Rows = Iterable[Mapping[str, Any]]


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(period.start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(period.end, dt.time.min, tzinfo=zone),
    )


def open_groups(deals: QuerySet[Deal], period: Period, path: str) -> Rows:
    """Open deals expected to close in the period: pipeline, weighted, committed and count per
    (``path``'s value as ``group``, currency, ``on``)."""
    probability = Coalesce("probability", "stage__probability")
    return (
        deals.filter(status=DealStatus.OPEN, expected_close_date__gte=period.start, expected_close_date__lt=period.end)
        .annotate(p=probability)
        .values("currency", group=F(path), on=F("expected_close_date"))
        .annotate(
            pipeline=Sum("amount"),
            weighted=Sum(ExpressionWrapper(F("amount") * F("p") / Value(Decimal(100)), output_field=MONEY)),
            committed=Coalesce(Sum("amount", filter=Q(p__gte=COMMIT_THRESHOLD)), Value(ZERO), output_field=MONEY),
            count=Count("id"),
        )
        .order_by()
    )


def won_groups(deals: QuerySet[Deal], period: Period, path: str) -> Rows:
    """Deals won in the period: won and count per (``group``, currency, ``on`` the day they closed)."""
    start, end = _bounds(period)
    return (
        deals.filter(status=DealStatus.WON, closed_at__gte=start, closed_at__lt=end)
        .values("currency", group=F(path), on=TruncDate("closed_at", tzinfo=timezone.get_current_timezone()))
        .annotate(won=Sum("amount"), count=Count("id"))
        .order_by()
    )


PRODUCT_SQL = """
WITH period_deals AS (
    SELECT d.id FROM sales_deal d
    WHERE d.id IN (%(deals)s)
      AND ((d.status = 'open' AND d.expected_close_date >= %%s AND d.expected_close_date < %%s)
           OR (d.status = 'won' AND d.closed_at >= %%s AND d.closed_at < %%s))
),
%(shares)s
SELECT s.product_id, d.status, d.currency,
       CASE WHEN d.status = 'open' THEN d.expected_close_date ELSE (d.closed_at AT TIME ZONE %%s)::date END,
       SUM(d.amount * s.weight),
       SUM(d.amount * s.weight * COALESCE(d.probability, st.probability) / 100),
       COALESCE(SUM(d.amount * s.weight) FILTER (WHERE COALESCE(d.probability, st.probability) >= %%s), 0),
       COUNT(DISTINCT d.id)
FROM product_shares s JOIN sales_deal d ON d.id = s.deal_id JOIN sales_stage st ON st.id = d.stage_id
GROUP BY 1, 2, 3, 4
"""


def product_groups(deals: QuerySet[Deal], period: Period) -> tuple[Rows, Rows]:
    """``open_groups`` and ``won_groups`` per product (``group``: its id, None for no product)."""
    start, end = _bounds(period)
    deals_sql, deals_params = deals.values("id").order_by().query.sql_with_params()
    sql = PRODUCT_SQL % {"deals": deals_sql, "shares": product_shares_sql("period_deals")}
    params = [
        *deals_params, period.start, period.end, start, end, *SHARES_PARAMS, str(timezone.get_current_timezone()),
        COMMIT_THRESHOLD,
    ]  # fmt: skip
    open_rows: list[dict[str, Any]] = []
    won_rows: list[dict[str, Any]] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for product, status, currency, on, amount, weighted, committed, count in cursor.fetchall():
            row = {"group": product, "currency": currency, "on": on, "count": count}
            if status == DealStatus.OPEN:
                open_rows.append({**row, "pipeline": amount, "weighted": weighted, "committed": committed})
            else:
                won_rows.append({**row, "won": amount})
    return open_rows, won_rows


def grouped(deals: QuerySet[Deal], period: Period, by: str) -> tuple[Rows, Rows]:
    """The open and won sums of ``deals`` in ``period`` per group of ``by`` (one of ``GROUPINGS``)."""
    if by == "product":
        return product_groups(deals, period)
    path = "owner_id" if by == "owner" else COMPANY_GROUPS[by]
    return open_groups(deals, period, path), won_groups(deals, period, path)
