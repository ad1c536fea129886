"""Mining the rules: Han and Kamber's nine transactions give exactly their six rules, through the
order tables and the refresh the task runs; thresholds, empty data and the debounced refresh."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from customization.events.dispatcher import dispatch_pending
from modules.analytics.basket import tasks as basket_tasks
from modules.analytics.basket.mining import order_baskets, refresh_basket_rules, support_fraction
from modules.analytics.basket.models import BasketRule, BasketSettings
from modules.analytics.basket.tasks import refresh_all_baskets
from modules.analytics.refresh.models import RefreshDue
from modules.analytics.refresh.services import run_if_due
from modules.sales.services.orders import create_order
from tests.analytics.basket.han_kamber import (
    MIN_CONFIDENCE_PERCENT,
    MIN_SUPPORT_PERCENT,
    RULES,
    enter_orders,
    expected_measures,
    named_rules,
)
from tests.entitlements.helpers import without_modules
from tests.factories import CompanyFactory, ProductFactory
from tests.tenancy import TenantFixture


def thresholds(support: Decimal, confidence: Decimal) -> None:
    BasketSettings.objects.update_or_create(
        pk=1, defaults={"min_support_percent": support, "min_confidence_percent": confidence}
    )


def assert_han_kamber_rules(products) -> None:
    found = named_rules(products)
    assert set(found) == set(RULES)
    for rule, (support, confidence, lift) in expected_measures().items():
        counts, measures = found[rule]
        assert counts == (*RULES[rule], 9)
        assert measures == pytest.approx((float(support), float(confidence), float(lift)), rel=1e-12)


def test_apriori_on_han_and_kambers_transactions_gives_their_six_rules(alpha: TenantFixture):
    with alpha.active():
        _company, products = enter_orders("HK")
        thresholds(MIN_SUPPORT_PERCENT, MIN_CONFIDENCE_PERCENT)

        stored = refresh_basket_rules()

        assert stored == 6
        assert_han_kamber_rules(products)
        settings = BasketSettings.objects.get()
        assert settings.transactions == 9
        assert settings.computed_at is not None
        assert {rule.confidence for rule in BasketRule.objects.all()} == {1.0}


def test_the_transactions_are_the_distinct_products_of_orders_not_cancelled(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory()
        first, second = ProductFactory(), ProductFactory()
        create_order(by=None, company=company, lines=[{"product": second}, {"product": first}, {"product": second}])

        assert order_baskets() == [tuple(sorted((first.pk, second.pk)))]


def test_a_lower_confidence_lets_more_rules_through_and_a_higher_support_fewer(alpha: TenantFixture):
    with alpha.active():
        _company, products = enter_orders("HK")
        thresholds(MIN_SUPPORT_PERCENT, Decimal("50"))
        refresh_basket_rules()
        # I1 ∧ I2 ⇒ I5 holds in 2 of the 4 orders with I1 and I2: 50 %.
        assert (("I1", "I2"), ("I5",)) in named_rules(products)
        assert len(named_rules(products)) > 6

        thresholds(Decimal("40"), MIN_CONFIDENCE_PERCENT)  # four orders of nine: no pair is that common
        assert refresh_basket_rules() == 0
        assert BasketRule.objects.count() == 0


def test_a_rule_needs_two_orders_whatever_the_percentage():
    assert support_fraction(Decimal("0.001"), 1000) == pytest.approx(2 / 1000)
    assert support_fraction(Decimal("5"), 1000) == pytest.approx(0.05)
    assert support_fraction(Decimal("5"), 0) == 1.0


def test_without_orders_no_rule_is_stored_and_the_date_is_set(alpha: TenantFixture):
    with alpha.active():
        BasketRule.objects.create(
            antecedent=[1], consequent=[2], support=1, confidence=1, lift=1, rule_count=1,
            antecedent_count=1, consequent_count=1, transactions=1, computed_at="2000-01-01T00:00Z",
        )  # fmt: skip

        assert refresh_basket_rules() == 0

        assert BasketRule.objects.count() == 0
        assert BasketSettings.objects.get().transactions == 0


def test_the_refresh_does_nothing_for_a_tenant_without_the_analysis(alpha: TenantFixture):
    without_modules(alpha, "analytics")
    with alpha.active():
        enter_orders("HK")
        before = list(BasketSettings.objects.values_list("computed_at", flat=True))

        assert basket_tasks.refresh() == 0

        assert list(BasketSettings.objects.values_list("computed_at", flat=True)) == before
        assert not BasketRule.objects.exists()


def test_order_changes_ask_for_one_debounced_refresh(alpha: TenantFixture):
    with alpha.active():
        company, product = CompanyFactory(), ProductFactory()
        first_asked = timezone.now()
        create_order(by=None, company=company, lines=[{"product": product}])
        dispatch_pending()
        create_order(by=None, company=company, lines=[{"product": product}])
        dispatch_pending()

        # Customer values ask for theirs too; one row per analysis.
        due = RefreshDue.objects.get(tenant=alpha.tenant, analysis=basket_tasks.KEY)
        # Due five minutes after the first order; the second rode along.
        assert first_asked + timedelta(minutes=5) <= due.due_at <= due.asked_at + timedelta(minutes=5)
        assert run_if_due(basket_tasks.KEY) is False  # not due yet
        assert not BasketSettings.objects.filter(computed_at__isnull=False).exists()

        assert run_if_due(basket_tasks.KEY, now=due.due_at) is True
        assert BasketSettings.objects.get().transactions == 2
        assert not RefreshDue.objects.filter(tenant=alpha.tenant, analysis=basket_tasks.KEY).exists()

        create_order(by=None, company=company, lines=[{"product": product}])
        dispatch_pending()
        assert RefreshDue.objects.filter(tenant=alpha.tenant, analysis=basket_tasks.KEY).count() == 1


def test_events_of_other_records_ask_for_nothing(alpha: TenantFixture):
    with alpha.active():
        from modules.contacts.services.companies import create_company

        create_company(by=None, name="Not an order")
        dispatch_pending()

        assert not RefreshDue.objects.filter(tenant=alpha.tenant).exists()


def test_every_served_tenant_is_refreshed_nightly(alpha: TenantFixture, beta: TenantFixture):
    from crm_platform.celery import app

    count = refresh_all_baskets()

    assert app.conf.beat_schedule["analytics-refresh-baskets"]["task"] == refresh_all_baskets.name
    due = RefreshDue.objects.filter(analysis=basket_tasks.KEY, due_at__lte=timezone.now())
    assert count == due.count()
    assert {alpha.tenant.pk, beta.tenant.pk} <= set(due.values_list("tenant_id", flat=True))
