"""REST endpoint of the basket analysis (analytics and sales modules, ``analytics:read`` and
``sales:read``): the stored association rules, filtered and sorted like the page, with the date of
the data."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.rest.analytics.permissions import ReadsSales
from api.rest.records import RECORD_PERMISSIONS
from api.rest.sales.orders import product_summary
from modules.analytics.basket.filters import RuleFilterForm
from modules.analytics.basket.selectors import RulePage, rule_page

SORTS = [value for value, _label in RuleFilterForm.base_fields["sort"].choices]  # type: ignore[attr-defined]


class BasketProductSerializer(serializers.Serializer[Any]):
    """A product of a rule (null: deleted since the rules were mined)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    sku = serializers.CharField()


RULES = inline_serializer(
    name="BasketRules",
    fields={
        "data_as_of": serializers.DateTimeField(allow_null=True, help_text="When the rules were mined."),
        "orders_analysed": serializers.IntegerField(),
        "min_support_percent": serializers.DecimalField(max_digits=6, decimal_places=3),
        "min_confidence_percent": serializers.DecimalField(max_digits=5, decimal_places=2),
        "count": serializers.IntegerField(help_text="Rules matching, across all pages."),
        "page": serializers.IntegerField(),
        "pages": serializers.IntegerField(),
        "results": inline_serializer(
            name="BasketRule",
            many=True,
            fields={
                "antecedent": BasketProductSerializer(many=True, help_text="Orders with these products …"),
                "consequent": BasketProductSerializer(many=True, help_text="… also hold these."),
                "support": serializers.FloatField(help_text="Share of orders with every product of the rule."),
                "confidence": serializers.FloatField(),
                "lift": serializers.FloatField(),
                "rule_count": serializers.IntegerField(),
                "antecedent_count": serializers.IntegerField(),
                "consequent_count": serializers.IntegerField(),
            },
        ),
    },
)


def rules_body(page: RulePage) -> dict[str, Any]:
    settings = page.settings
    return {
        "data_as_of": settings.computed_at.isoformat() if settings.computed_at else None,
        "orders_analysed": settings.transactions,
        "min_support_percent": str(settings.min_support_percent),
        "min_confidence_percent": str(settings.min_confidence_percent),
        "count": page.total,
        "page": page.page,
        "pages": page.pages,
        "results": [
            {
                "antecedent": [product_summary(product) for product in row.antecedent],
                "consequent": [product_summary(product) for product in row.consequent],
                "support": row.rule.support,
                "confidence": row.rule.confidence,
                "lift": row.rule.lift,
                "rule_count": row.rule.rule_count,
                "antecedent_count": row.rule.antecedent_count,
                "consequent_count": row.rule.consequent_count,
            }
            for row in page.rows
        ],
    }


class BasketRulesView(APIView):
    """Association rules between products bought in the same orders (cancelled orders left out)."""

    module = "analytics"
    action_permissions: ClassVar[dict[str, str]] = {}
    permission_classes = [*RECORD_PERMISSIONS, ReadsSales]

    @extend_schema(
        operation_id="analytics_basket_rules",
        parameters=[
            OpenApiParameter("product", OpenApiTypes.INT, description="Rules naming this product on either side."),
            OpenApiParameter("min_support", OpenApiTypes.DECIMAL, description="Support at least, in %."),
            OpenApiParameter("min_confidence", OpenApiTypes.DECIMAL, description="Confidence at least, in %."),
            OpenApiParameter("min_lift", OpenApiTypes.DECIMAL, description="Lift at least."),
            OpenApiParameter("sort", OpenApiTypes.STR, enum=SORTS, description="Default -lift."),
            OpenApiParameter("page", OpenApiTypes.INT, description="Pages of 50 rules, from 1."),
        ],
        responses={200: RULES},
    )
    def get(self, request: Request) -> Response:
        form = RuleFilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({name: list(messages) for name, messages in form.errors.items()})
        return Response(rules_body(rule_page(form.filters())))
