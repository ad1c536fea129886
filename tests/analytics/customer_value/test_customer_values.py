"""Customer values: summaries aggregated in SQL, the models fitted in the task's service, the stored
rows, and the refresh queued by order events."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from customization.events.models import DomainEvent
from modules.analytics.customer_value import consumers, tasks
from modules.analytics.customer_value.models import CustomerValue, CustomerValueRun, ValueRunStatus
from modules.analytics.customer_value.services import customer_summaries, refresh_customer_values
from modules.analytics.refresh.models import RefreshDue
from modules.analytics.refresh.services import run_if_due
from modules.sales.choices import OrderStatus
from modules.sales.services.orders import set_order_status
from tests.analytics.customer_value.conftest import buy
from tests.factories import CompanyFactory
from tests.tenancy import TenantFixture


def two_customers(alpha: TenantFixture):
    with alpha.active():
        by = alpha.user()
        first, second = CompanyFactory(name="Repeat"), CompanyFactory(name="Once")
        buy(by, company=first, days_ago=100, amount="200.00")
        buy(by, company=first, days_ago=100, amount="50.00")  # the same purchase day
        buy(by, company=first, days_ago=60, amount="100.00")
        buy(by, company=first, days_ago=20, amount="300.00")
        set_order_status(buy(by, company=first, days_ago=10, amount="999.00"), OrderStatus.CANCELLED, by=by)
        buy(by, company=second, days_ago=30, amount="40.00")
        return first, second


def test_summaries_count_purchase_days_and_average_the_repeat_ones(alpha: TenantFixture):
    first, second = two_customers(alpha)
    today = timezone.localdate()
    with alpha.active():
        found = {row["customer_id"]: row for row in customer_summaries(today)}

    repeat = found[first.pk]
    assert (repeat["orders"], repeat["repeat"], repeat["historical"], repeat["average_repeat"]) == (
        4,
        2,
        Decimal("650.00"),
        Decimal("200.00"),
    )
    assert (repeat["first"], repeat["last"]) == (today - timedelta(days=100), today - timedelta(days=20))
    once = found[second.pk]
    assert (once["orders"], once["repeat"], once["average_repeat"]) == (1, 0, None)


def test_too_few_customers_store_the_history_without_predictions(alpha: TenantFixture):
    first, _second = two_customers(alpha)
    with alpha.active():
        run = refresh_customer_values()
        value = CustomerValue.objects.get(company=first)

    assert (run.status, run.customers) == (ValueRunStatus.HISTORY_ONLY, 2)
    assert (value.historical_value, value.repeat_purchases, value.recency_days, value.age_days) == (
        Decimal("650.00"),
        2,
        80,
        100,
    )
    assert (value.expected_purchases, value.probability_alive, value.predicted_value) == (None, None, None)


def many_customers(alpha: TenantFixture, count: int = 40, seed: int = 18) -> None:
    rng = random.Random(seed)
    with alpha.active():
        by = alpha.user()
        for n in range(count):
            company = CompanyFactory(name=f"Buyer {n}")
            for days_ago in sorted(rng.sample(range(1, 400), rng.randint(1, 6))):
                buy(by, company=company, days_ago=days_ago, amount=f"{rng.randint(20, 200)}.00")


def test_enough_customers_are_fitted_and_each_gets_a_prediction(alpha: TenantFixture):
    many_customers(alpha)
    with alpha.active():
        run = refresh_customer_values()
        values = list(CustomerValue.objects.all())
        rerun = refresh_customer_values()

        assert CustomerValue.objects.count() == 40  # replaced, not added
        assert CustomerValueRun.objects.filter(pk__in=[run.pk, rerun.pk]).count() == 2

    assert run.status == ValueRunStatus.FITTED
    assert all(parameter > 0 for parameter in (run.r, run.alpha, run.a, run.b, run.p, run.q, run.v))
    assert len(values) == 40
    for value in values:
        assert value.probability_alive is not None
        assert 0 < value.probability_alive <= 1
        assert value.expected_purchases is not None
        assert value.expected_purchases >= 0
        # The stored expected value is rounded to the cent; the prediction used the unrounded one.
        assert float(value.predicted_value) == pytest.approx(
            value.expected_purchases * float(value.expected_value), abs=0.01 * value.expected_purchases + 0.01
        )
        if value.repeat_purchases == 0:
            assert value.probability_alive == 1.0


def test_order_events_ask_for_one_refresh_two_minutes_after_the_first(alpha: TenantFixture):
    two_customers(alpha)
    with alpha.active():
        order_events = list(DomainEvent.objects.filter(entity="order"))
        other = list(DomainEvent.objects.exclude(entity="order")[:1])
        consumers.consume(other)
        assert not RefreshDue.objects.filter(tenant=alpha.tenant).exists()

        first_asked = timezone.now()
        consumers.consume(order_events[:2])
        consumers.consume(order_events[2:])

        (due,) = RefreshDue.objects.filter(tenant=alpha.tenant)
        assert due.analysis == tasks.KEY
        assert first_asked + timedelta(minutes=2) <= due.due_at <= due.asked_at + timedelta(minutes=2)
        assert run_if_due(tasks.KEY) is False
        assert run_if_due(tasks.KEY, now=due.due_at) is True
        assert CustomerValueRun.objects.count() == 1
        assert not RefreshDue.objects.filter(tenant=alpha.tenant).exists()


def test_a_degenerate_fit_keeps_the_history_without_absurd_predictions(alpha: TenantFixture, monkeypatch) -> None:
    """A Gamma-Gamma fit whose q converged near 1 predicts amounts no column holds; the run keeps
    the history and says why instead of failing (the demo's refresh hit this)."""
    from modules.analytics.customer_value import services

    many_customers(alpha)
    monkeypatch.setattr(services.GammaGamma, "expected_value", lambda self, x, m_x: [3.0e18 for _ in x])
    with alpha.active():
        run = refresh_customer_values()
        values = list(CustomerValue.objects.all())

    assert run.status == ValueRunStatus.HISTORY_ONLY
    assert "out of any plausible range" in run.message
    assert len(values) == 40
    assert all(value.predicted_value is None and value.expected_value is None for value in values)
    assert all(value.historical_value > 0 for value in values)
