"""Mining the tenant's association rules: transactions from one SQL aggregation, Apriori in
efficient-apriori, the rules stored in one transaction that replaces the previous set.

A transaction is an order that is not cancelled, as the set of distinct catalogue products on its
lines (free-text lines without a product are left out, and an order with none is not a transaction).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import transaction
from django.utils import timezone
from efficient_apriori import apriori

from modules.analytics.basket.models import BasketRule, BasketSettings
from modules.sales.choices import OrderStatus
from modules.sales.models import OrderLine

# Rules name at most this many products in all: longer ones are rare, and the itemsets Apriori
# counts grow combinatorially with the length.
MAX_ITEMS = 4
# A rule must hold in at least this many orders, whatever the percentage: a pair seen once is not
# a pattern (and with few orders a small percentage would otherwise mean one order).
MIN_RULE_ORDERS = 2
# Stored rules at most, the strongest (by lift, then confidence) first.
MAX_RULES = 5000


def basket_settings() -> BasketSettings:
    """The settings row, created with the defaults when missing (for the writers)."""
    settings, _created = BasketSettings.objects.get_or_create(pk=1)
    return settings


def current_settings() -> BasketSettings:
    """The settings as they are, for the readers: the defaults (unsaved) when never set."""
    return BasketSettings.objects.filter(pk=1).first() or BasketSettings(pk=1)


def order_baskets() -> list[tuple[int, ...]]:
    """Each counted order's distinct products, sorted: ``array_agg(DISTINCT product_id)`` per order
    in PostgreSQL, so only the product ids travel."""
    rows = (
        OrderLine.objects.filter(product_id__isnull=False)
        .exclude(order__status=OrderStatus.CANCELLED)
        .values("order_id")
        .annotate(items=ArrayAgg("product_id", distinct=True, order_by="product_id"))
        .order_by("order_id")
        .values_list("items", flat=True)
    )
    return [tuple(items) for items in rows.iterator(chunk_size=5000)]


def support_fraction(min_support_percent: Decimal, transactions: int) -> float:
    """The support threshold efficient-apriori takes: the tenant's percentage, raised to
    ``MIN_RULE_ORDERS`` orders where that is more."""
    if transactions == 0:
        return 1.0
    floor = MIN_RULE_ORDERS / transactions
    return max(float(min_support_percent) / 100, floor)


def _rules(baskets: list[tuple[int, ...]], settings: BasketSettings, computed_at: datetime) -> list[BasketRule]:
    count = len(baskets)
    if count == 0:
        return []
    _itemsets, found = apriori(
        baskets,
        min_support=support_fraction(settings.min_support_percent, count),
        min_confidence=float(settings.min_confidence_percent) / 100,
        max_length=MAX_ITEMS,
    )
    rules = [
        BasketRule(
            antecedent=sorted(rule.lhs),
            consequent=sorted(rule.rhs),
            rule_count=rule.count_full,
            antecedent_count=rule.count_lhs,
            consequent_count=rule.count_rhs,
            transactions=count,
            support=rule.count_full / count,
            confidence=rule.count_full / rule.count_lhs,
            lift=rule.count_full * count / (rule.count_lhs * rule.count_rhs),
            computed_at=computed_at,
        )
        for rule in found
    ]
    rules.sort(key=lambda rule: (-rule.lift, -rule.confidence, rule.antecedent, rule.consequent))
    return rules[:MAX_RULES]


def refresh_basket_rules() -> int:
    """Mine the rules again from the orders as they are; returns how many were stored."""
    basket_settings()  # the one row exists before it is locked below
    baskets = order_baskets()
    computed_at = timezone.now()
    with transaction.atomic():
        # One mining writes at a time; the thresholds are read under the same lock.
        settings = BasketSettings.objects.select_for_update().get(pk=1)
        rules = _rules(baskets, settings, computed_at)
        BasketRule.objects.all().delete()
        BasketRule.objects.bulk_create(rules, batch_size=1000)
        settings.computed_at = computed_at
        settings.transactions = len(baskets)
        settings.save(update_fields=["computed_at", "transactions"])
    return len(rules)


def products_of(rules: Iterable[BasketRule]) -> set[int]:
    return {product for rule in rules for product in (*rule.antecedent, *rule.consequent)}
