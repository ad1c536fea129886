"""Revenue metrics from a hand-built subscription history, with the clock frozen.

The history (amounts in minor units, seat price EUR 19.00 / RON 95.00 / USD 21.00 a month):

    S1 EUR  trial 5 Dec (1 seat), trial seats → 2 on 10 Dec, active 19 Dec (3800),
            3 seats 10 Jan (5700), upgraded 10 Feb (14700)
    S2 RON  active 20 Nov (9500), cancelled 15 Jan
    S3 EUR  trial 3 Jan (5 seats), cancelled 17 Jan without paying
    S4 USD  active 1 Oct (4 seats, 8400), past due 20 Feb, 5 seats at exactly "now" (10500)
    S5 PLN  trial 2 Mar (1 seat)
    S6 EUR  yearly, active 1 Feb (1583 a month)
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from billing.choices import Provider, SubscriptionStatus
from billing.models import Plan, Subscription, SubscriptionChange
from billing.services.metrics import billing_metrics
from tenants.models import Tenant

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
SS = SubscriptionStatus


def at(month: int, day: int, year: int | None = None, hour: int = 9) -> datetime:
    return datetime(year or (2025 if month >= 4 else 2026), month, day, hour, tzinfo=UTC)


def subscription(name: str, plan: Plan, currency: str, history: list[tuple[datetime, str, int, int]]) -> Subscription:
    tenant = Tenant.objects.create(name=name, slug=f"metrics-{name}", schema_name=f"metrics_{name}")
    _at, last_status, last_seats, _mrr = history[-1]
    sub = Subscription.objects.create(
        tenant=tenant, plan=plan, provider=Provider.MANUAL, status=last_status, currency=currency, seats=last_seats
    )
    for when, status, seats, mrr in history:
        SubscriptionChange.objects.create(
            subscription=sub, at=when, status=status, plan=plan, seats=seats, currency=currency, mrr_amount=mrr
        )
    return sub


@pytest.fixture
def history(db: None) -> None:
    starter = Plan.objects.get(key="starter")
    growth = Plan.objects.get(key="growth")
    s1 = subscription(
        "s1",
        starter,
        "EUR",
        [
            (at(12, 5, 2025), SS.TRIALING, 1, 0),
            (at(12, 10, 2025), SS.TRIALING, 2, 0),
            (at(12, 19, 2025), SS.ACTIVE, 2, 3800),
            (at(1, 10), SS.ACTIVE, 3, 5700),
        ],
    )
    SubscriptionChange.objects.create(
        subscription=s1, at=at(2, 10), status=SS.ACTIVE, plan=growth, seats=3, currency="EUR", mrr_amount=14700
    )
    subscription("s2", starter, "RON", [(at(11, 20, 2025), SS.ACTIVE, 1, 9500), (at(1, 15), SS.CANCELED, 1, 0)])
    subscription("s3", starter, "EUR", [(at(1, 3), SS.TRIALING, 5, 0), (at(1, 17), SS.CANCELED, 5, 0)])
    subscription(
        "s4",
        starter,
        "USD",
        [(at(10, 1, 2025), SS.ACTIVE, 4, 8400), (at(2, 20), SS.PAST_DUE, 4, 8400), (NOW, SS.PAST_DUE, 5, 10500)],
    )
    subscription("s5", starter, "PLN", [(at(3, 2), SS.TRIALING, 1, 0)])
    subscription("s6", starter, "EUR", [(at(2, 1), SS.ACTIVE, 1, 1583)])


@time_machine.travel(NOW, tick=False)
def test_thirteen_points_from_the_oldest_month_end_to_now_in_two_queries(history, django_assert_num_queries):
    with django_assert_num_queries(2):
        metrics = billing_metrics()

    assert [point.month for point in metrics.points] == [
        *(date(2025, month, 1) for month in range(3, 13)),
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
    assert [point.is_now for point in metrics.points] == [False] * 12 + [True]
    assert metrics.points[-2].at == datetime(2026, 3, 1, tzinfo=UTC)
    assert metrics.now.at == NOW
    # PLN never paid, so it has no MRR series.
    assert metrics.currencies == ["EUR", "RON", "USD"]


@time_machine.travel(NOW, tick=False)
def test_mrr_per_currency_paying_and_seats_at_each_month_end(history):
    by_month = {point.month: point for point in billing_metrics().points}

    def figures(month: date) -> tuple[dict[str, int], int, int]:
        point = by_month[month]
        return point.mrr, point.paying, point.seats

    assert figures(date(2025, 9, 1)) == ({"EUR": 0, "RON": 0, "USD": 0}, 0, 0)
    assert figures(date(2025, 10, 1)) == ({"EUR": 0, "RON": 0, "USD": 8400}, 1, 4)
    assert figures(date(2025, 11, 1)) == ({"EUR": 0, "RON": 9500, "USD": 8400}, 2, 5)
    assert figures(date(2025, 12, 1)) == ({"EUR": 3800, "RON": 9500, "USD": 8400}, 3, 7)
    # S2 cancelled; S3's trial came and went; S1 added a seat.
    assert figures(date(2026, 1, 1)) == ({"EUR": 5700, "RON": 0, "USD": 8400}, 2, 7)
    # S1 upgraded, S6 joined yearly, S4 past due still counts as paying.
    assert figures(date(2026, 2, 1)) == ({"EUR": 16283, "RON": 0, "USD": 8400}, 3, 8)
    # Now: S5's trial seat, and S4's change recorded at this very instant.
    assert figures(date(2026, 3, 1)) == ({"EUR": 16283, "RON": 0, "USD": 10500}, 3, 10)
    assert by_month[date(2026, 3, 1)].arr == {"EUR": 195396, "RON": 0, "USD": 126000}


@time_machine.travel(NOW, tick=False)
def test_trials_started_in_the_month_and_their_conversion(history):
    by_month = {point.month: point for point in billing_metrics().points}

    def trials(month: date) -> tuple[int, int, Decimal | None]:
        point = by_month[month]
        return point.trials_started, point.trials_converted, point.trial_conversion

    # S1's seat change during the trial is not a second trial.
    assert trials(date(2025, 12, 1)) == (1, 1, Decimal("100.0"))
    assert trials(date(2026, 1, 1)) == (1, 0, Decimal("0.0"))
    assert trials(date(2026, 2, 1)) == (0, 0, None)
    assert trials(date(2026, 3, 1)) == (1, 0, Decimal("0.0"))


@time_machine.travel(NOW, tick=False)
def test_churn_is_the_share_of_subscriptions_paying_at_the_start_cancelled_in_the_month(history):
    by_month = {point.month: point for point in billing_metrics().points}

    def churn(month: date) -> tuple[int, int, Decimal | None]:
        point = by_month[month]
        return point.paying_at_start, point.churned, point.churn_rate

    assert churn(date(2025, 10, 1)) == (0, 0, None)
    assert churn(date(2025, 11, 1)) == (1, 0, Decimal("0.0"))
    assert churn(date(2025, 12, 1)) == (2, 0, Decimal("0.0"))
    # S2 (paying on 1 January) cancelled; S3 was only trialing, so it is not churn.
    assert churn(date(2026, 1, 1)) == (3, 1, Decimal("33.3"))
    # S6 started on 1 February at 09:00, after the month's start.
    assert churn(date(2026, 2, 1)) == (2, 0, Decimal("0.0"))
    assert churn(date(2026, 3, 1)) == (3, 0, Decimal("0.0"))


@time_machine.travel(NOW, tick=False)
def test_without_history_every_figure_is_zero(db):
    metrics = billing_metrics(now=datetime(2020, 6, 1, tzinfo=UTC))

    assert len(metrics.points) == 13
    assert metrics.currencies == []
    assert all(p.mrr == {} and p.paying == 0 and p.seats == 0 and p.churn_rate is None for p in metrics.points)
