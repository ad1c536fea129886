"""Sales by product, segment and region, computed in PostgreSQL: one GROUP BY over the closed deals
the viewer may see, whatever the number of deals or groups.

How deals count (the same in the docs and the page):

- The deals are those won or lost with a close date in the period (days of the current time zone),
  narrowed to an owner or a team's members.
- **Won revenue** is the won deals' amounts in the base currency, converted in SQL at the latest
  rate on or before the day the deal closed; a won deal without such a rate adds nothing to the
  revenue and is counted as *unconverted*.
- **Won** and **lost** count deals; **win rate** = won / (won + lost); **average deal size** =
  revenue / the won deals that converted.
- Segments and regions read the deal's company (no company: the empty group). Company size is the
  band of its employee count (``SIZE_BANDS``).
- **Products** follow ``modules.sales.selectors.deal_products``: the lines of the deal's orders
  that are not cancelled, else of its accepted or latest quote. A deal counts under each product it
  carries, its amount shared between them by the lines' net amounts, so the products' revenue adds
  up to the deals'; lines without a product and deals without lines form the "no product" group.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from identity.models import Team, User
from identity.visibility import restrict_to_visible
from modules.contacts.company_size import SIZE_BANDS
from modules.contacts.services.money import base_currency
from modules.sales.models import Deal
from modules.sales.selectors.deal_products import SHARES_PARAMS, product_shares_sql

DIMENSIONS = ("product", "industry", "size", "custom", "country", "region")


@dataclass
class Group:
    """One row: ``key`` (and ``region`` for the region dimension) as stored, '' for the empty group."""

    key: str
    region: str = ""
    revenue: Decimal = Decimal("0.00")
    won: int = 0
    lost: int = 0
    unconverted: int = 0
    average: Decimal | None = None
    label: str = ""

    @property
    def win_rate(self) -> Decimal | None:
        closed = self.won + self.lost
        return None if not closed else (Decimal(self.won * 100) / closed).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def is_empty(self) -> bool:
        return self.key == "" and self.region == ""


@dataclass
class Breakdown:
    dimension: str
    start: dt.date
    end: dt.date
    base_currency: str
    groups: list[Group] = field(default_factory=list)
    total: Group = field(default_factory=lambda: Group(key="total"))
    custom_field: str = ""


def breakdown_deals(viewer: User, *, owner: User | None = None, team: Team | None = None) -> QuerySet[Deal]:
    """The deals ``viewer`` may see, narrowed to an owner or a team's members."""
    deals = restrict_to_visible(Deal.objects.all(), viewer)
    if owner is not None:
        deals = deals.filter(owner=owner)
    if team is not None:
        deals = deals.filter(owner__teams=team)
    return deals


def _size_case() -> tuple[str, list[Any]]:
    whens, params = [], []
    for key, low, high in SIZE_BANDS:
        if high is None:
            whens.append("WHEN c.employee_count >= %s THEN %s")
            params += [low, key]
        else:
            whens.append("WHEN c.employee_count <= %s THEN %s")
            params += [high, key]
    return f"CASE WHEN c.employee_count IS NULL THEN '' {' '.join(whens)} END", params


def _company_groups(dimension: str, custom_key: str) -> tuple[str, list[Any]]:
    """SQL of (deal_id, k1, k2, weight) for a company dimension, and its parameters."""
    params: list[Any] = []
    if dimension == "industry":
        k1, k2 = "COALESCE(c.industry, '')", "''"
    elif dimension == "size":
        k1, params = _size_case()
        k2 = "''"
    elif dimension == "custom":
        k1, k2, params = "COALESCE(c.custom ->> %s, '')", "''", [custom_key]
    elif dimension == "country":
        k1, k2 = "COALESCE(c.country, '')", "''"
    else:  # region: within its country
        k1, k2 = "COALESCE(c.country, '')", "COALESCE(c.region, '')"
    sql = f"""SELECT d.id AS deal_id, {k1} AS k1, {k2} AS k2, 1::numeric AS weight
              FROM closed d LEFT JOIN contacts_company c ON c.id = d.company_id"""  # noqa: S608 - fixed fragments
    return sql, params


# Products as groups: the shares of ``deal_products`` (fixed SQL, no user input).
PRODUCT_GROUPS = """,
groups AS (SELECT deal_id, COALESCE(product_id::text, '') AS k1, '' AS k2, weight FROM product_shares)"""

BREAKDOWN_SQL = """
WITH closed AS (
    SELECT d.id, d.status, d.company_id,
           CASE WHEN d.status <> 'won' THEN NULL
                WHEN d.currency = %%s THEN d.amount
                ELSE ROUND(d.amount * (
                    SELECT r.rate FROM contacts_exchangerate r
                    WHERE r.currency = d.currency AND r.valid_from <= (d.closed_at AT TIME ZONE %%s)::date
                    ORDER BY r.valid_from DESC LIMIT 1), 2)
           END AS amount_base
    FROM sales_deal d
    WHERE d.id IN (%(deals)s) AND d.status IN ('won', 'lost') AND d.closed_at >= %%s AND d.closed_at < %%s
),
%(groups)s
SELECT g.k1, g.k2,
       ROUND(COALESCE(SUM(d.amount_base * g.weight), 0), 2),
       COUNT(DISTINCT d.id) FILTER (WHERE d.status = 'won'),
       COUNT(DISTINCT d.id) FILTER (WHERE d.status = 'lost'),
       COUNT(DISTINCT d.id) FILTER (WHERE d.status = 'won' AND d.amount_base IS NULL),
       ROUND(SUM(d.amount_base * g.weight)
             / NULLIF(COUNT(DISTINCT d.id) FILTER (WHERE d.amount_base IS NOT NULL), 0), 2)
FROM closed d JOIN groups g ON g.deal_id = d.id
GROUP BY GROUPING SETS ((g.k1, g.k2), ())
ORDER BY 3 DESC, 1, 2
"""


def _period(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def sales_breakdown(
    viewer: User,
    dimension: str,
    start: dt.date,
    end: dt.date,
    *,
    custom_key: str = "",
    owner: User | None = None,
    team: Team | None = None,
) -> Breakdown:
    """Won revenue, won and lost deals, win rate and average deal size per group of ``dimension``
    (one of ``DIMENSIONS``; ``custom_key`` names the company custom field of "custom"), over the
    deals closed from ``start`` to ``end`` that ``viewer`` may see. Groups come unlabelled
    (``presentation.label_groups`` names them), the largest revenue first; ``total`` counts each deal once."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    since, until = _period(start, end)
    deals_sql, deals_params = (
        breakdown_deals(viewer, owner=owner, team=team).values("id").order_by().query.sql_with_params()
    )
    if dimension == "product":
        groups_sql = product_shares_sql("closed") + PRODUCT_GROUPS
        groups_params: list[Any] = list(SHARES_PARAMS)
    else:
        company_sql, groups_params = _company_groups(dimension, custom_key)
        groups_sql = f"groups AS ({company_sql})"
    zone = str(timezone.get_current_timezone())
    base = base_currency()
    sql = BREAKDOWN_SQL % {"deals": deals_sql, "groups": groups_sql}
    result = Breakdown(dimension=dimension, start=start, end=end, base_currency=base, custom_field=custom_key)
    with connection.cursor() as cursor:
        cursor.execute(sql, [base, zone, *deals_params, since, until, *groups_params])
        for k1, k2, revenue, won, lost, unconverted, average in cursor.fetchall():
            row = Group(key=k1 or "", region=k2 or "", revenue=revenue, won=won, lost=lost,
                        unconverted=unconverted, average=average)  # fmt: skip
            if k1 is None and k2 is None:  # the grand total of GROUPING SETS
                row.key = "total"
                result.total = row
            else:
                result.groups.append(row)
    return result
