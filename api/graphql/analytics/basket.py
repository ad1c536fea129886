"""The basket analysis in GraphQL: ``basketRules``, the stored association rules filtered and sorted
like the page (analytics module, ``analytics.view`` and ``sales.view``)."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from graphql import GraphQLError

from api.graphql.core import attribute, id_argument, require_module, require_permission
from api.graphql.sales.types import ProductType
from modules.analytics.basket.filters import RuleFilterForm
from modules.analytics.basket.selectors import RulePage, rule_page
from modules.sales.models import Product

BasketRuleSort = graphene.Enum(
    "BasketRuleSort",
    [
        ("LIFT_DESC", "-lift"),
        ("LIFT", "lift"),
        ("CONFIDENCE_DESC", "-confidence"),
        ("CONFIDENCE", "confidence"),
        ("SUPPORT_DESC", "-support"),
        ("SUPPORT", "support"),
    ],
)


class BasketRuleType(graphene.ObjectType):
    """Orders holding every product of ``antecedent`` also hold those of ``consequent``."""

    antecedent = graphene.List(ProductType, required=True, description="Null: a product deleted since.")
    consequent = graphene.List(ProductType, required=True, description="Null: a product deleted since.")
    support = graphene.Float(
        required=True,
        description="Share of orders holding every product of the rule.",
        resolver=attribute("rule.support"),
    )
    confidence = graphene.Float(
        required=True,
        description="Share of the antecedent's orders holding the consequent.",
        resolver=attribute("rule.confidence"),
    )
    lift = graphene.Float(
        required=True,
        description="Confidence over the consequent's support (1: no link).",
        resolver=attribute("rule.lift"),
    )
    rule_count = graphene.Int(required=True, resolver=attribute("rule.rule_count"))
    antecedent_count = graphene.Int(required=True, resolver=attribute("rule.antecedent_count"))
    consequent_count = graphene.Int(required=True, resolver=attribute("rule.consequent_count"))

    class Meta:
        name = "BasketRule"


class BasketRulesType(graphene.ObjectType):
    """A page of association rules, with how fresh they are."""

    plan_module: ClassVar[str] = "analytics"

    data_as_of = graphene.DateTime(
        description="When the rules were mined (null: not yet).", resolver=attribute("settings.computed_at")
    )
    orders_analysed = graphene.Int(required=True, resolver=attribute("settings.transactions"))
    min_support_percent = graphene.Decimal(required=True, resolver=attribute("settings.min_support_percent"))
    min_confidence_percent = graphene.Decimal(required=True, resolver=attribute("settings.min_confidence_percent"))
    total_count = graphene.Int(
        required=True, description="Rules matching, across all pages.", resolver=attribute("total")
    )
    page = graphene.Int(required=True)
    pages = graphene.Int(required=True)
    rules = graphene.List(graphene.NonNull(BasketRuleType), required=True, resolver=attribute("rows"))

    class Meta:
        name = "BasketRules"


class AnalyticsBasketQueries(graphene.ObjectType):
    basket_rules = graphene.Field(
        BasketRulesType,
        required=True,
        product=graphene.ID(description="A Product id: rules naming it on either side."),
        min_support=graphene.Decimal(description="Support at least, in %."),
        min_confidence=graphene.Decimal(description="Confidence at least, in %."),
        min_lift=graphene.Decimal(description="Lift at least."),
        sort=graphene.Argument(BasketRuleSort, description="LIFT_DESC when not given."),
        page=graphene.Int(description="Pages of 50 rules, from 1."),
        description="Association rules between products bought in the same orders (analytics module).",
    )

    @staticmethod
    def resolve_basket_rules(root: Any, info: Any, **args: Any) -> RulePage:
        require_module(info, "analytics")
        require_module(info, "sales")
        require_permission(info, "analytics.view")
        require_permission(info, "sales.view")
        data = {name: value for name, value in args.items() if value is not None}
        if "product" in data:
            data["product"] = id_argument(data["product"], "Product", "product")
            if not Product.objects.filter(pk=data["product"]).exists():
                raise GraphQLError(
                    "product: no such Product.", extensions={"code": "BAD_USER_INPUT", "field": "product"}
                )
        if "sort" in data:
            data["sort"] = getattr(data["sort"], "value", data["sort"])
        form = RuleFilterForm(data)
        if not form.is_valid():
            name, messages = next(iter(form.errors.items()))
            raise GraphQLError(
                f"{name}: {' '.join(str(m) for m in messages)}", extensions={"code": "BAD_USER_INPUT", "field": name}
            )
        return rule_page(form.filters())
