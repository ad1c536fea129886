"""Reading the stored rules: the analysis page's list, and the suggestions shown on a product, a
company and an open deal. Each reads a fixed number of queries, whatever the number of rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from identity.models import User
from modules.analytics.basket.filters import PAGE_SIZE, SORTS
from modules.analytics.basket.mining import current_settings
from modules.analytics.basket.models import BasketRule, BasketSettings
from modules.contacts.models import Company
from modules.sales.choices import DealStatus, OrderStatus, QuoteStatus
from modules.sales.models import Deal, Product, QuoteLine
from modules.sales.selectors.orders import visible_orders

# Suggestions shown on a record, and the rules read to find them.
SUGGESTIONS = 5
RULES_READ = 200


@dataclass
class RuleRow:
    rule: BasketRule
    antecedent: list[Product | None]
    consequent: list[Product | None]


@dataclass
class RulePage:
    rows: list[RuleRow]
    total: int
    page: int
    pages: int
    settings: BasketSettings


@dataclass
class Suggestion:
    product: Product
    confidence: float
    lift: float
    support: float
    # The products the suggestion follows from (the rule's antecedent).
    because: list[Product] = field(default_factory=list)

    @property
    def confidence_percent(self) -> float:
        return self.confidence * 100


def _products(ids: set[int]) -> dict[int, Product]:
    return Product.objects.in_bulk(ids) if ids else {}


def filtered_rules(filters: dict[str, Any]) -> Any:
    rules = BasketRule.objects.all()
    if filters.get("product"):
        rules = rules.filter(
            Q(antecedent__contains=[filters["product"]]) | Q(consequent__contains=[filters["product"]])
        )
    for name, column, scale in (
        ("min_support", "support", Decimal(100)),
        ("min_confidence", "confidence", Decimal(100)),
        ("min_lift", "lift", Decimal(1)),
    ):
        if filters.get(name) is not None:
            rules = rules.filter(**{f"{column}__gte": float(filters[name] / scale)})
    return rules.order_by(*SORTS[filters.get("sort") or "-lift"])


def rule_page(filters: dict[str, Any]) -> RulePage:
    """One page of the rules matching ``filters`` (from ``RuleFilterForm.filters``), with their products."""
    rules = filtered_rules(filters)
    total = rules.count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(filters.get("page") or 1, pages)
    chosen = list(rules[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    products = _products({product for rule in chosen for product in (*rule.antecedent, *rule.consequent)})
    rows = [
        RuleRow(
            rule,
            [products.get(product) for product in rule.antecedent],
            [products.get(product) for product in rule.consequent],
        )
        for rule in chosen
    ]
    return RulePage(rows, total, page, pages, current_settings())


def _suggestions(rules: Any, owned: set[int], limit: int = SUGGESTIONS) -> list[Suggestion]:
    """The consequent products of ``rules`` (strongest first) that are not in ``owned``, each once,
    active products only."""
    chosen: list[tuple[int, BasketRule]] = []
    seen: set[int] = set()
    for rule in rules.order_by("-confidence", "-lift", "id")[:RULES_READ]:
        for product in rule.consequent:
            if product not in owned and product not in seen:
                seen.add(product)
                chosen.append((product, rule))
    products = _products({product for product, _rule in chosen} | {p for _id, rule in chosen for p in rule.antecedent})
    suggestions = []
    for product_id, rule in chosen:
        product = products.get(product_id)
        if product is None or not product.is_active:
            continue
        because = [products[p] for p in rule.antecedent if p in products]
        suggestions.append(Suggestion(product, rule.confidence, rule.lift, rule.support, because))
        if len(suggestions) == limit:
            break
    return suggestions


def bought_together(product: Product) -> list[Suggestion]:
    """Products bought in the same orders as ``product``: rules whose antecedent is the product alone."""
    return _suggestions(BasketRule.objects.filter(antecedent=[product.pk]), {product.pk})


def company_products(company: Company, user: User) -> set[int]:
    """The products on the company's orders that ``user`` may see (cancelled orders left out)."""
    orders = visible_orders(user).filter(company=company).exclude(status=OrderStatus.CANCELLED)
    return set(orders.filter(lines__product__isnull=False).values_list("lines__product_id", flat=True).distinct())


def also_bought(company: Company, user: User) -> list[Suggestion]:
    """ "Customers like this also buy": products the company has not bought, from the rules whose
    antecedent the company has bought in full."""
    owned = company_products(company, user)
    if not owned:
        return []
    return _suggestions(BasketRule.objects.filter(antecedent__contained_by=sorted(owned)), owned)


def deal_products(deal: Deal) -> set[int]:
    """The products on the deal's quotes, declined and expired quotes left out."""
    lines = QuoteLine.objects.filter(quote__deal=deal, product__isnull=False).exclude(
        quote__status__in=(QuoteStatus.DECLINED, QuoteStatus.EXPIRED)
    )
    return set(lines.values_list("product_id", flat=True).distinct())


def cross_sell(deal: Deal) -> list[Suggestion]:
    """Products to offer on an open deal: rules whose antecedent the deal's quotes hold in full."""
    if deal.status != DealStatus.OPEN:
        return []
    owned = deal_products(deal)
    if not owned:
        return []
    return _suggestions(BasketRule.objects.filter(antecedent__contained_by=sorted(owned)), owned)
