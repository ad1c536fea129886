from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone

from modules.analytics.basket.mining import refresh_basket_rules
from modules.analytics.basket.models import BasketRule, BasketSettings
from modules.sales.models import Product
from tests.analytics.basket.han_kamber import MIN_CONFIDENCE_PERCENT, MIN_SUPPORT_PERCENT, enter_orders
from tests.factories import ProductFactory
from tests.tenancy import TenantFixture


@pytest.fixture
def mined_alpha(alpha: TenantFixture) -> dict[str, Product]:
    """Alpha with Han and Kamber's orders entered and their rules mined; the products by name."""
    with alpha.active():
        _company, products = enter_orders("HK")
        BasketSettings.objects.update_or_create(
            pk=1,
            defaults={"min_support_percent": MIN_SUPPORT_PERCENT, "min_confidence_percent": MIN_CONFIDENCE_PERCENT},
        )
        refresh_basket_rules()
    return products


@pytest.fixture
def many_rules(alpha: TenantFixture) -> Callable[[int], None]:
    """``count`` stored rules between distinct products (for query counts)."""

    def make(count: int) -> None:
        with alpha.active():
            products = [ProductFactory() for _ in range(count + 1)]
            now = timezone.now()
            BasketRule.objects.bulk_create(
                BasketRule(
                    antecedent=[products[index].pk],
                    consequent=[products[index + 1].pk],
                    support=0.1,
                    confidence=0.8,
                    lift=1 + index / 100,
                    rule_count=2,
                    antecedent_count=2,
                    consequent_count=3,
                    transactions=20,
                    computed_at=now,
                )
                for index in range(count)
            )
            BasketSettings.objects.update_or_create(pk=1, defaults={"computed_at": now, "transactions": 20})

    return make
