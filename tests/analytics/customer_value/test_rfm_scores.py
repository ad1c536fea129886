"""RFM scores and segments computed in PostgreSQL, checked against hand-built orders."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from modules.analytics.customer_value.rfm import customer_scores, period_start, segment_summaries
from modules.contacts.models import ExchangeRate
from modules.sales.choices import OrderStatus
from modules.sales.services.orders import set_order_status
from tests.analytics.customer_value.conftest import buy
from tests.factories import CompanyFactory, ContactFactory
from tests.tenancy import TenantFixture


def scores_by_name(rows) -> dict[str, tuple[int, int, int, str]]:
    return {row.name: (row.r, row.f, row.m, row.segment.key) for row in rows}


def test_ten_customers_with_distinct_values_fall_two_per_fifth(alpha: TenantFixture):
    # Customer i: i+1 orders, the last one 10-i days ago, worth 1000-100i in all.
    with alpha.active():
        by = alpha.user()
        for i in range(10):
            company = CompanyFactory(name=f"Customer {i}")
            for n in range(i + 1):
                share = Decimal(1000 - 100 * i) / (i + 1)
                buy(by, company=company, days_ago=10 - i + n, amount=f"{share:.2f}")

        rows = customer_scores(None, today=timezone.localdate(), months=12)

    assert {row.name: row.frequency for row in rows} == {f"Customer {i}": i + 1 for i in range(10)}
    expected = {}
    for i in range(10):
        rf = i // 2 + 1
        segment = {1: "hibernating", 2: "hibernating", 3: "need_attention", 4: "loyal", 5: "champions"}[rf]
        expected[f"Customer {i}"] = (rf, rf, 5 - i // 2, segment)
    assert scores_by_name(rows) == expected
    assert [row.recency_days for row in rows] == [10 - i for i in range(10)]  # most valuable first


def test_tied_values_share_the_lowest_tile_they_fell_into(alpha: TenantFixture):
    # Frequencies 1, 1, 1, 2, 3 and values 50, 50, 80, 80, 90 on the same day.
    with alpha.active():
        by = alpha.user()
        plan = [("A", 1, ["50"]), ("B", 1, ["50"]), ("C", 1, ["80"]), ("D", 2, ["40", "40"]), ("E", 3, ["30"] * 3)]
        for name, _count, amounts in plan:
            company = CompanyFactory(name=name)
            for amount in amounts:
                buy(by, company=company, days_ago=5, amount=amount)

        rows = customer_scores(None, today=timezone.localdate(), months=12)

    # Recency: all tied on the same day → all 1. Frequency tiles 1,2,3,4,5 → 1,1,1,4,5.
    # Monetary tiles in value order (50, 50, 80, 80, 90) → 1,1,3,3,5.
    assert scores_by_name(rows) == {
        "A": (1, 1, 1, "hibernating"),
        "B": (1, 1, 1, "hibernating"),
        "C": (1, 1, 3, "hibernating"),
        "D": (1, 4, 3, "at_risk"),
        "E": (1, 5, 5, "cant_lose"),
    }


def test_cancelled_orders_older_orders_and_tax_do_not_count_and_currencies_convert(alpha: TenantFixture):
    today = timezone.localdate()
    with alpha.active():
        by = alpha.user()
        ExchangeRate.objects.create(currency="USD", rate=Decimal("0.5"), valid_from=today - timedelta(days=3650))
        company = CompanyFactory(name="Mixed")
        buy(by, company=company, days_ago=3, amount="100.00")
        buy(by, company=company, days_ago=4, amount="300.00", currency="USD")
        set_order_status(buy(by, company=company, days_ago=2, amount="999.00"), OrderStatus.CANCELLED, by=by)
        buy(by, company=company, days_ago=800, amount="999.00")
        person = ContactFactory(full_name="", first_name="Only", last_name="Contact", company=None)
        buy(by, contact=person, days_ago=1, amount="20.00")

        rows = {row.name: row for row in customer_scores(None, today=today, months=12)}
        all_time = {row.name: row for row in customer_scores(None, today=today, months=0)}

    assert (rows["Mixed"].frequency, rows["Mixed"].monetary, rows["Mixed"].recency_days) == (2, Decimal("250.00"), 3)
    assert (rows["Only Contact"].kind, rows["Only Contact"].monetary) == ("contact", Decimal("20.00"))
    assert (all_time["Mixed"].frequency, all_time["Mixed"].monetary) == (3, Decimal("1249.00"))


def test_segment_summaries_count_customers_and_value_per_segment(alpha: TenantFixture):
    with alpha.active():
        by = alpha.user()
        for i in range(5):
            company = CompanyFactory(name=f"S{i}")
            for n in range(i + 1):
                buy(by, company=company, days_ago=50 - 10 * i + n, amount="10.00")

        summaries = {s.segment.key: s for s in segment_summaries(None, today=timezone.localdate(), months=12)}

    # One customer per fifth: (1,1) (2,2) hibernating, (3,3) need attention, (4,4) loyal, (5,5) champions.
    assert {key: s.customers for key, s in summaries.items() if s.customers} == {
        "hibernating": 2,
        "need_attention": 1,
        "loyal": 1,
        "champions": 1,
    }
    assert summaries["champions"].monetary == Decimal("50.00")
    assert summaries["hibernating"].monetary == Decimal("30.00")
    assert summaries["hibernating"].share == 0.4


def test_a_period_starts_the_same_day_months_earlier_or_at_the_shorter_months_end():
    assert period_start(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert period_start(date(2024, 1, 15), 12) == date(2023, 1, 15)
    assert period_start(date(2024, 1, 15), 0) is None
