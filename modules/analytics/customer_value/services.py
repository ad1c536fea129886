"""Computing the customer values: per-customer summaries aggregated in PostgreSQL, the two models
fitted on them in Python (only the summaries leave the database), the results stored for pages and
APIs to read. Runs in a Celery task (``tasks.py``), never in a request."""

from __future__ import annotations

import logging
import math
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from modules.analytics.customer_value.btyd import BetaGeo, FitFailed, GammaGamma
from modules.analytics.customer_value.customers import COMPANY, counted_orders, order_rows
from modules.analytics.customer_value.models import CustomerValue, CustomerValueRun, ValueRunStatus

logger = logging.getLogger(__name__)

HORIZON_DAYS = 365
KEEP_RUNS = 5
CENT = Decimal("0.01")


def customer_summaries(today: date) -> list[dict[str, Any]]:
    """One dict per customer with orders up to ``today``: ``kind, customer_id, orders, first, last,
    historical, repeat`` (purchase days after the first) and ``average_repeat`` (mean value of
    those days' purchases; None without any)."""
    rows, params = order_rows(counted_orders(None, end=today))
    sql = f"""
        WITH orders AS ({rows}),
        days AS (
            SELECT kind, customer_id, ordered_on, COUNT(*) AS orders, SUM(value) AS value,
                   MIN(ordered_on) OVER (PARTITION BY kind, customer_id) AS first_day
            FROM orders GROUP BY kind, customer_id, ordered_on
        )
        SELECT kind, customer_id, SUM(orders), MIN(ordered_on), MAX(ordered_on), COALESCE(SUM(value), 0),
               COUNT(*) - 1, AVG(value) FILTER (WHERE ordered_on > first_day)
        FROM days GROUP BY kind, customer_id ORDER BY kind, customer_id
    """  # noqa: S608 (compiled ORM SQL; values are parameters)
    names = ("kind", "customer_id", "orders", "first", "last", "historical", "repeat", "average_repeat")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _money(value: float | Decimal | None) -> Decimal | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return Decimal(str(value)).quantize(CENT)


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


# The value columns hold 18 digits before the decimal point.
VALUE_LIMIT = 1e17


def _check_in_range(purchases: list[float | None], values: list[float | None]) -> None:
    """A fit that converged on degenerate parameters (a Gamma-Gamma ``q`` near 1 on few repeat
    buyers) predicts absurd amounts: that is no prediction, the run keeps the history only."""
    for expected, value in zip(purchases, values, strict=True):
        if value is None:
            continue
        if abs(value) >= VALUE_LIMIT or (expected is not None and abs(expected * value) >= VALUE_LIMIT):
            raise FitFailed("the fitted model predicts values out of any plausible range")


def refresh_customer_values(*, today: date | None = None) -> CustomerValueRun:
    """Fit BG/NBD and Gamma-Gamma on the tenant's customers and replace the stored values. With too
    few customers to fit, the history is stored without predictions (the run says why)."""
    today = today or timezone.localdate()
    summaries = customer_summaries(today)
    x = [float(s["repeat"]) for s in summaries]
    t_x = [float((s["last"] - s["first"]).days) for s in summaries]
    age = [float((today - s["first"]).days) for s in summaries]
    m_x = [float(s["average_repeat"] or 0) for s in summaries]
    run = CustomerValueRun(computed_at=timezone.now(), as_of=today, customers=len(summaries), horizon_days=HORIZON_DAYS)
    purchases: list[float | None] = [None] * len(summaries)
    alive: list[float | None] = [None] * len(summaries)
    values: list[float | None] = [None] * len(summaries)
    try:
        bg = BetaGeo.fit(x, t_x, age)
        gg = GammaGamma.fit(x, m_x)
        fitted_purchases = [_finite(v) for v in bg.expected_purchases(HORIZON_DAYS, x, t_x, age)]
        fitted_values = [_finite(v) for v in gg.expected_value(x, m_x)]
        _check_in_range(fitted_purchases, fitted_values)
        purchases, values = fitted_purchases, fitted_values
        alive = [_finite(v) for v in bg.probability_alive(x, t_x, age)]
        run.status = ValueRunStatus.FITTED
        run.r, run.alpha, run.a, run.b = bg.r, bg.alpha, bg.a, bg.b
        run.p, run.q, run.v = gg.p, gg.q, gg.v
    except FitFailed as error:
        run.status = ValueRunStatus.HISTORY_ONLY
        run.message = str(error)[:300]
        logger.info("customer values without predictions: %s", error)
    rows = []
    for index, summary in enumerate(summaries):
        expected, value = purchases[index], values[index]
        customer = (
            {"company_id": summary["customer_id"]}
            if summary["kind"] == COMPANY
            else {"contact_id": summary["customer_id"]}
        )
        rows.append(
            CustomerValue(
                **customer,
                orders=summary["orders"],
                first_ordered_on=summary["first"],
                last_ordered_on=summary["last"],
                historical_value=_money(summary["historical"]) or Decimal("0.00"),
                repeat_purchases=summary["repeat"],
                recency_days=int(t_x[index]),
                age_days=int(age[index]),
                average_repeat_value=_money(summary["average_repeat"]),
                expected_purchases=expected,
                probability_alive=alive[index],
                expected_value=_money(value),
                predicted_value=_money(expected * value) if expected is not None and value is not None else None,
            )
        )
    with transaction.atomic():
        CustomerValue.objects.all().delete()
        CustomerValue.objects.bulk_create(rows, batch_size=1000)
        run.save()
        stale = CustomerValueRun.objects.order_by("-computed_at", "-id").values_list("pk", flat=True)[KEEP_RUNS:]
        CustomerValueRun.objects.filter(pk__in=list(stale)).delete()
    return run
