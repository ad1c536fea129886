"""Cohort retention: customers grouped by the month of their first order, and the share of each
cohort that ordered in each later month. Computed in one PostgreSQL query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import connection

from identity.models import User
from modules.analytics.customer_value.customers import COMPANY, counted_orders, order_rows

# Cohorts (months of first orders) a grid may show.
COHORT_MONTHS = (6, 12, 24)
DEFAULT_COHORT_MONTHS = 12


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_of(index: int) -> date:
    year, month = divmod(index, 12)
    return date(year, month + 1, 1)


@dataclass(frozen=True)
class Cohort:
    month: date
    size: int
    # Customers of the cohort who ordered in month 0, 1, 2 … after their first (month 0 is all of
    # them); the list stops at the current month.
    active: list[int]
    # Of those, the customers that are companies (the rest are contacts ordering without one): a
    # cell links to the company list and the contact list, each narrowed to its customers.
    companies: list[int] = field(default_factory=list)

    @property
    def shares(self) -> list[float]:
        return [count / self.size for count in self.active]


def cohorts(user: User | None, *, today: date, months: int) -> list[Cohort]:
    """The cohorts of the last ``months`` months (the current one included), oldest first. A
    customer's cohort is the month of their first order ever, so one who came back is no new
    customer; record visibility applies as in the other analyses."""
    rows, params = order_rows(counted_orders(user, end=today))
    first_month = month_index(today) - months + 1
    sql = f"""
        WITH orders AS ({rows}),
        months AS (
            SELECT DISTINCT kind, customer_id,
                   EXTRACT(YEAR FROM ordered_on)::int * 12 + EXTRACT(MONTH FROM ordered_on)::int - 1 AS month
            FROM orders
        ),
        firsts AS (SELECT kind, customer_id, MIN(month) AS cohort FROM months GROUP BY kind, customer_id)
        SELECT firsts.cohort, months.month - firsts.cohort AS age, COUNT(*),
               COUNT(*) FILTER (WHERE kind = %s)
        FROM months JOIN firsts USING (kind, customer_id)
        WHERE firsts.cohort >= %s
        GROUP BY firsts.cohort, age ORDER BY firsts.cohort, age
    """  # noqa: S608 (compiled ORM SQL; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, COMPANY, first_month])
        found = cursor.fetchall()
    counts: dict[int, dict[int, tuple[int, int]]] = {}
    for cohort, age, count, companies in found:
        counts.setdefault(cohort, {})[age] = (count, companies)
    current = month_index(today)
    return [
        Cohort(
            month=month_of(cohort),
            size=by_age.get(0, (0, 0))[0],
            active=[by_age.get(age, (0, 0))[0] for age in range(current - cohort + 1)],
            companies=[by_age.get(age, (0, 0))[1] for age in range(current - cohort + 1)],
        )
        for cohort, by_age in sorted(counts.items())
    ]


def cohort_customers(user: User | None, *, today: date, month: date, age: int = 0) -> list[tuple[str, int]]:
    """The customers (kind, id) whose first order ever fell in ``month`` and who ordered ``age``
    months after it (0: the whole cohort): one cell of the grid, with the grid's visibility."""
    rows, params = order_rows(counted_orders(user, end=today))
    sql = f"""
        WITH orders AS ({rows}),
        months AS (
            SELECT kind, customer_id,
                   EXTRACT(YEAR FROM ordered_on)::int * 12 + EXTRACT(MONTH FROM ordered_on)::int - 1 AS month
            FROM orders
        )
        SELECT kind, customer_id FROM months GROUP BY kind, customer_id
        HAVING MIN(month) = %s AND bool_or(month = %s)
        ORDER BY kind, customer_id
    """  # noqa: S608 (compiled ORM SQL; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, month_index(month), month_index(month) + age])
        return [(kind, int(pk)) for kind, pk in cursor.fetchall()]
