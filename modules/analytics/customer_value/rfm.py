"""RFM: recency, frequency and monetary value per customer over a period, scored 1–5 by quintile in
PostgreSQL, and the customer's segment.

Scores: ``NTILE(5)`` over the customers ordered from worst to best (oldest last order, fewest
orders, least value), so 5 is the best fifth. Ties share a score: customers with the same value
get the lowest tile any of them fell into (``MIN`` of the tile over the customers with that value),
so the score never depends on the order in which tied rows happen to be numbered, and a tie that
straddles a boundary is scored down rather than split.

Segments follow the usual map on recency and frequency (``SEGMENTS``); the monetary score is shown
beside them.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from identity.models import User
from modules.analytics.customer_value.customers import (
    CUSTOMER_NAME_SQL,
    counted_orders,
    customer_joins,
    order_rows,
)


@dataclass(frozen=True)
class Segment:
    key: str
    label: str | Promise
    description: str | Promise
    recency: tuple[int, ...]
    frequency: tuple[int, ...]


# Every (recency, frequency) pair of scores falls in exactly one segment.
SEGMENTS: tuple[Segment, ...] = (
    Segment("champions", _("Champions"), _("Bought recently, buy often."), (5,), (4, 5)),
    Segment("loyal", _("Loyal"), _("Buy often, bought fairly recently."), (3, 4), (4, 5)),
    Segment("potential_loyalists", _("Potential loyalists"), _("Recent customers with a few orders."), (4, 5), (2, 3)),
    Segment("new_customers", _("New customers"), _("Bought recently, for the first time."), (5,), (1,)),
    Segment("promising", _("Promising"), _("Recent, one order so far."), (4,), (1,)),
    Segment("need_attention", _("Need attention"), _("Average recency and frequency."), (3,), (3,)),
    Segment("about_to_sleep", _("About to sleep"), _("Few orders, none lately."), (3,), (1, 2)),
    Segment("at_risk", _("At risk"), _("Used to buy often, not lately."), (1, 2), (3, 4)),
    Segment("cant_lose", _("Can't lose them"), _("Bought the most often, long ago."), (1, 2), (5,)),
    Segment("hibernating", _("Hibernating"), _("Few orders, long ago."), (1, 2), (1, 2)),
)
SEGMENTS_BY_KEY = {segment.key: segment for segment in SEGMENTS}
# Months of history an RFM analysis may look at; 0 is all of it.
PERIODS = (3, 6, 12, 24, 36, 0)
DEFAULT_PERIOD = 12


def _segment_case() -> str:
    whens = " ".join(
        f"WHEN r IN ({', '.join(map(str, s.recency))}) AND f IN ({', '.join(map(str, s.frequency))}) THEN '{s.key}'"
        for s in SEGMENTS
    )
    return f"CASE {whens} END"


def period_start(today: date, months: int) -> date | None:
    """The first day a period of ``months`` ending ``today`` counts: the same day ``months`` months
    earlier (the month's last day when it is shorter); None for all history."""
    if months == 0:
        return None
    year, month_index = divmod(today.year * 12 + today.month - 1 - months, 12)
    month = month_index + 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def scored_sql(user: User | None, *, today: date, months: int) -> tuple[str, list[Any]]:
    """SQL of one row per customer with ``kind, customer_id, last_ordered_on, first_ordered_on,
    frequency, monetary, r, f, m, segment``, over the orders up to ``today`` in the period."""
    rows, params = order_rows(counted_orders(user, start=period_start(today, months), end=today))
    # Built from the ORM's compiled SQL and constants of this module; values travel as parameters.
    sql = f"""
        WITH orders AS ({rows}),
        customers AS (
            SELECT kind, customer_id, MAX(ordered_on) AS last_ordered_on, MIN(ordered_on) AS first_ordered_on,
                   COUNT(*) AS frequency, COALESCE(SUM(value), 0) AS monetary
            FROM orders GROUP BY kind, customer_id
        ),
        tiles AS (
            SELECT customers.*,
                   NTILE(5) OVER (ORDER BY last_ordered_on, kind, customer_id) AS r_tile,
                   NTILE(5) OVER (ORDER BY frequency, kind, customer_id) AS f_tile,
                   NTILE(5) OVER (ORDER BY monetary, kind, customer_id) AS m_tile
            FROM customers
        ),
        scores AS (
            SELECT tiles.*,
                   MIN(r_tile) OVER (PARTITION BY last_ordered_on) AS r,
                   MIN(f_tile) OVER (PARTITION BY frequency) AS f,
                   MIN(m_tile) OVER (PARTITION BY monetary) AS m
            FROM tiles
        )
        SELECT kind, customer_id, last_ordered_on, first_ordered_on, frequency, monetary, r, f, m,
               {_segment_case()} AS segment
        FROM scores
    """  # noqa: S608
    return sql, list(params)


@dataclass(frozen=True)
class CustomerScore:
    kind: str
    customer_id: int
    name: str
    last_ordered_on: date
    frequency: int
    monetary: Decimal
    r: int
    f: int
    m: int
    segment: Segment
    recency_days: int

    @property
    def code(self) -> str:
        return f"{self.r}{self.f}{self.m}"


@dataclass(frozen=True)
class SegmentSummary:
    segment: Segment
    customers: int
    monetary: Decimal
    share: float  # of the customers scored


def segment_summaries(user: User | None, *, today: date, months: int) -> list[SegmentSummary]:
    """Each segment's number of customers and value, in ``SEGMENTS`` order (empty ones included)."""
    sql, params = scored_sql(user, today=today, months=months)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT segment, COUNT(*), SUM(monetary) FROM ({sql}) AS scored GROUP BY segment", params)  # noqa: S608
        found = {key: (count, total) for key, count, total in cursor.fetchall()}
    everyone = sum(count for count, _total in found.values())
    return [
        SegmentSummary(
            segment=segment,
            customers=found.get(segment.key, (0, 0))[0],
            monetary=Decimal(found.get(segment.key, (0, 0))[1] or 0),
            share=found.get(segment.key, (0, 0))[0] / everyone if everyone else 0.0,
        )
        for segment in SEGMENTS
    ]


def customer_scores(
    user: User | None,
    *,
    today: date,
    months: int,
    segment: str | None = None,
    segments: tuple[str, ...] = (),
    customer: tuple[str, int] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[CustomerScore]:
    """Scored customers (of one segment, or one customer), most valuable first, with their names."""
    sql, params = scored_sql(user, today=today, months=months)
    where: list[str] = []
    extra: list[Any] = []
    if segment is not None:
        where.append("scored.segment = %s")
        extra.append(segment)
    if segments:
        where.append("scored.segment = ANY(%s)")
        extra.append(list(segments))
    if customer is not None:
        where.append("scored.kind = %s AND scored.customer_id = %s")
        extra.extend(customer)
    columns = "scored.kind, scored.customer_id, scored.last_ordered_on, scored.frequency, scored.monetary, scored.r"
    condition = f"WHERE {' AND '.join(where)}" if where else ""
    # Compiled SQL and constants of this module (see scored_sql); values are parameters.
    query = f"""
        SELECT {columns}, scored.f, scored.m, scored.segment, {CUSTOMER_NAME_SQL}
        FROM ({sql}) AS scored {customer_joins("scored")} {condition}
        ORDER BY scored.monetary DESC, scored.kind, scored.customer_id
    """  # noqa: S608
    if limit is not None:
        query += " LIMIT %s OFFSET %s"
        extra.extend([limit, offset])
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, *extra])
        rows = cursor.fetchall()
    return [
        CustomerScore(
            kind=kind,
            customer_id=customer_id,
            name=name or "",
            last_ordered_on=last,
            frequency=frequency,
            monetary=Decimal(monetary),
            r=r,
            f=f,
            m=m,
            segment=SEGMENTS_BY_KEY[key],
            recency_days=(today - last).days,
        )
        for kind, customer_id, last, frequency, monetary, r, f, m, key, name in rows
    ]
