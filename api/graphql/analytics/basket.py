"""The basket analysis in GraphQL: ``basketRules``, the stored association rules filtered and sorted
like the page (analytics module, ``analytics.view`` and ``sales.view``)."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from graphql import GraphQLError

from api.graphql.core import id_argument, require_module, require_permission
from api.graphql.sales.types import ProductType
from modules.analytics.basket.filters import RuleFilterForm
from modules.analytics.basket.selectors import RulePage, RuleRow, rule_page
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
    support = graphene.Float(required=True, description="Share of orders holding every product of the rule.")
    confidence = graphene.Float(required=True, description="Share of the antecedent's orders holding the consequent.")
    lift = graphene.Float(required=True, description="Confidence over the consequent's support (1: no link).")
    rule_count = graphene.Int(required=True)
    antecedent_count = graphene.Int(required=True)
    consequent_count = graphene.Int(required=True)

    class Meta:
        name = "BasketRule"

    @staticmethod
    def resolve_support(root: RuleRow, info: Any) -> float:
        return root.rule.support

    @staticmethod
    def resolve_confidence(root: RuleRow, info: Any) -> float:
        return root.rule.confidence

    @staticmethod
    def resolve_lift(root: RuleRow, info: Any) -> float:
        return root.rule.lift

    @staticmethod
    def resolve_rule_count(root: RuleRow, info: Any) -> int:
        return root.rule.rule_count

    @staticmethod
    def resolve_antecedent_count(root: RuleRow, info: Any) -> int:
        return root.rule.antecedent_count

    @staticmethod
    def resolve_consequent_count(root: RuleRow, info: Any) -> int:
        return root.rule.consequent_count


class BasketRulesType(graphene.ObjectType):
    """A page of association rules, with how fresh they are."""

    plan_module: ClassVar[str] = "analytics"

    data_as_of = graphene.DateTime(description="When the rules were mined (null: not yet).")
    orders_analysed = graphene.Int(required=True)
    min_support_percent = graphene.Decimal(required=True)
    min_confidence_percent = graphene.Decimal(required=True)
    total_count = graphene.Int(required=True, description="Rules matching, across all pages.")
    page = graphene.Int(required=True)
    pages = graphene.Int(required=True)
    rules = graphene.List(graphene.NonNull(BasketRuleType), required=True)

    class Meta:
        name = "BasketRules"

    @staticmethod
    def resolve_data_as_of(root: RulePage, info: Any) -> Any:
        return root.settings.computed_at

    @staticmethod
    def resolve_orders_analysed(root: RulePage, info: Any) -> int:
        return root.settings.transactions

    @staticmethod
    def resolve_min_support_percent(root: RulePage, info: Any) -> Any:
        return root.settings.min_support_percent

    @staticmethod
    def resolve_min_confidence_percent(root: RulePage, info: Any) -> Any:
        return root.settings.min_confidence_percent

    @staticmethod
    def resolve_total_count(root: RulePage, info: Any) -> int:
        return root.total

    @staticmethod
    def resolve_rules(root: RulePage, info: Any) -> list[RuleRow]:
        return root.rows


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
