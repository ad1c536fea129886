"""Revenue metrics over time, computed from the subscriptions' state history (``SubscriptionChange``).

A subscription's state at an instant is its latest change before that instant. For each of the
last twelve month-ends and for now:

- MRR per currency: the monthly amounts of the subscriptions in a paying status (ARR is 12 × MRR).
  Currencies are never converted into one another: each has its own series.
- paying subscriptions, and seats of the paying and trialing ones;
- trials started in the month (a change into ``trialing`` from any other state, or the first
  change) and how many of those have converted: reached ``active`` afterwards, up to now;
- churn: of the subscriptions paying at the start of the month, the share cancelled during it.

Two queries answer every point: one for the states at each boundary, one for the trials.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.utils import timezone

from billing.choices import PAYING_STATUSES, SubscriptionStatus
from billing.models import SubscriptionChange

MONTHS = 12
# A state recorded at exactly "now" belongs to "now": boundaries are exclusive, so now's is nudged.
_NOW_INCLUSIVE = timedelta(microseconds=1)
_PAYING = sorted(str(status) for status in PAYING_STATUSES)
_WITH_SEATS = sorted({*_PAYING, str(SubscriptionStatus.TRIALING)})


@dataclass
class MetricsPoint:
    """The figures at one instant: a month-end (``month`` is the month that ended) or now."""

    month: date
    at: datetime
    is_now: bool = False
    mrr: dict[str, int] = field(default_factory=dict)  # currency → minor units
    paying: int = 0
    seats: int = 0
    trials_started: int = 0
    trials_converted: int = 0
    paying_at_start: int = 0
    churned: int = 0

    @property
    def arr(self) -> dict[str, int]:
        return {currency: amount * 12 for currency, amount in self.mrr.items()}

    @property
    def trial_conversion(self) -> Decimal | None:
        """Percent of the month's trials converted so far; None without trials."""
        return _percent(self.trials_converted, self.trials_started)

    @property
    def churn_rate(self) -> Decimal | None:
        """Percent of the subscriptions paying at the month's start cancelled during it."""
        return _percent(self.churned, self.paying_at_start)


@dataclass(frozen=True)
class Metrics:
    points: list[MetricsPoint]
    currencies: list[str]

    @property
    def now(self) -> MetricsPoint:
        return self.points[-1]


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def month_starts(now: datetime, months: int = MONTHS) -> list[datetime]:
    """The first instants of the ``months + 1`` months up to the current one, oldest first, in the
    current time zone."""
    local = timezone.localtime(now)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    starts = [start]
    for _ in range(months):
        previous = (starts[-1] - timedelta(days=1)).replace(day=1)
        starts.append(previous)
    return starts[::-1]


_STATES_SQL = """
WITH boundaries AS (
    SELECT b.idx, b.at, b.next_at
    FROM unnest(%(at)s::timestamptz[], %(next_at)s::timestamptz[]) WITH ORDINALITY AS b(at, next_at, idx)
)
SELECT b.idx, s.currency,
       coalesce(sum(s.mrr_amount) FILTER (WHERE s.status = ANY(%(paying)s)), 0),
       count(*) FILTER (WHERE s.status = ANY(%(paying)s)),
       coalesce(sum(s.seats) FILTER (WHERE s.status = ANY(%(with_seats)s)), 0),
       count(*) FILTER (WHERE s.status = ANY(%(paying)s) AND k.cancelled_next)
FROM boundaries b
CROSS JOIN LATERAL (
    SELECT DISTINCT ON (c.subscription_id) c.subscription_id, c.status, c.currency, c.seats, c.mrr_amount
    FROM {table} c
    WHERE c.at < b.at
    ORDER BY c.subscription_id, c.at DESC, c.id DESC
) s
CROSS JOIN LATERAL (
    SELECT EXISTS (
        SELECT 1 FROM {table} x
        WHERE x.subscription_id = s.subscription_id AND x.status = %(canceled)s
          AND x.at >= b.at AND x.at < b.next_at
    ) AS cancelled_next
) k
GROUP BY b.idx, s.currency
"""

_TRIALS_SQL = """
WITH windows AS (
    SELECT w.idx, w.start_at, w.stop_at
    FROM unnest(%(start_at)s::timestamptz[], %(stop_at)s::timestamptz[]) WITH ORDINALITY AS w(start_at, stop_at, idx)
),
history AS (
    SELECT c.subscription_id, c.at, c.status,
           lag(c.status) OVER (PARTITION BY c.subscription_id ORDER BY c.at, c.id) AS previous_status
    FROM {table} c
    WHERE c.at < %(until)s
),
trial_starts AS (
    SELECT h.subscription_id, h.at,
           EXISTS (
               SELECT 1 FROM history a
               WHERE a.subscription_id = h.subscription_id AND a.status = %(active)s AND a.at > h.at
           ) AS converted
    FROM history h
    WHERE h.status = %(trialing)s AND h.previous_status IS DISTINCT FROM %(trialing)s
)
SELECT w.idx, count(t.subscription_id), count(t.subscription_id) FILTER (WHERE t.converted)
FROM windows w
LEFT JOIN trial_starts t ON t.at >= w.start_at AND t.at < w.stop_at
GROUP BY w.idx
"""


def billing_metrics(now: datetime | None = None, months: int = MONTHS) -> Metrics:
    """The metrics at the last ``months`` month-ends and now, oldest first (two queries)."""
    now = now or timezone.now()
    starts = month_starts(now, months)
    # boundaries[0] opens the oldest month; boundaries[i] (i ≥ 1) is point i-1's instant.
    boundaries = [*starts, now + _NOW_INCLUSIVE]
    points = [
        MetricsPoint(month=timezone.localtime(boundaries[i - 1]).date(), at=boundaries[i])
        for i in range(1, len(boundaries))
    ]
    points[-1].at = now
    points[-1].is_now = True
    table = connection.ops.quote_name(SubscriptionChange._meta.db_table)
    currencies: set[str] = set()
    with connection.cursor() as cursor:
        cursor.execute(
            _STATES_SQL.format(table=table),
            {
                "at": boundaries,
                "next_at": [*boundaries[1:], None],
                "paying": _PAYING,
                "with_seats": _WITH_SEATS,
                "canceled": str(SubscriptionStatus.CANCELED),
            },
        )
        for idx, currency, mrr, paying, seats, cancelled_next in cursor.fetchall():
            boundary = idx - 1  # ordinality counts from 1
            if boundary >= 1:
                point = points[boundary - 1]
                if mrr:
                    point.mrr[currency] = point.mrr.get(currency, 0) + int(mrr)
                    currencies.add(currency)
                point.paying += paying
                point.seats += int(seats)
            if boundary < len(points):
                # Paying at this boundary is "paying at the start" of the next point's month.
                points[boundary].paying_at_start += paying
                points[boundary].churned += cancelled_next
        cursor.execute(
            _TRIALS_SQL.format(table=table),
            {
                "start_at": boundaries[:-1],
                "stop_at": boundaries[1:],
                "until": boundaries[-1],
                "active": str(SubscriptionStatus.ACTIVE),
                "trialing": str(SubscriptionStatus.TRIALING),
            },
        )
        for idx, started, converted in cursor.fetchall():
            points[idx - 1].trials_started = started
            points[idx - 1].trials_converted = converted
    ordered = sorted(currencies)
    for point in points:
        point.mrr = {currency: point.mrr.get(currency, 0) for currency in ordered}
    return Metrics(points=points, currencies=ordered)
