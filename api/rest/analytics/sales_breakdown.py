"""REST endpoint of sales by product, segment and region (``analytics:read`` and ``sales:read``):
every figure of the page for a grouping, a period and an owner or team, over the deals the caller
may see."""

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
from api.rest.records import RECORD_PERMISSIONS, acting_user
from modules.analytics.sales_breakdown.filters import SalesBreakdownForm
from modules.analytics.sales_breakdown.presentation import deal_list_url
from modules.analytics.sales_breakdown.selectors import Breakdown, Group
from modules.analytics.sales_breakdown.views import run

GROUP_FIELDS: dict[str, serializers.Field] = {
    "key": serializers.CharField(help_text="The stored value: a product id, industry, size band, country…; '' empty."),
    "region": serializers.CharField(help_text="The region within the country (grouping by region only)."),
    "label": serializers.CharField(),
    "revenue": serializers.DecimalField(max_digits=20, decimal_places=2, help_text="Won revenue in the base currency."),
    "won": serializers.IntegerField(),
    "lost": serializers.IntegerField(),
    "unconverted": serializers.IntegerField(help_text="Won deals without an exchange rate, not in the revenue."),
    "win_rate": serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True),
    "average_deal_size": serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True),
    "deals_url": serializers.CharField(allow_null=True, help_text="The deal list on the group's won deals."),
}
BREAKDOWN = inline_serializer(
    name="SalesBreakdown",
    fields={
        "by": serializers.CharField(),
        "field": serializers.CharField(),
        "start": serializers.DateField(),
        "end": serializers.DateField(),
        "base_currency": serializers.CharField(),
        "total": inline_serializer(name="SalesBreakdownTotal", fields=GROUP_FIELDS),
        "groups": inline_serializer(name="SalesBreakdownGroup", many=True, fields=GROUP_FIELDS),
    },
)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def group_body(group: Group, url: str | None) -> dict[str, Any]:
    return {
        "key": group.key,
        "region": group.region,
        "label": group.label,
        "revenue": str(group.revenue),
        "won": group.won,
        "lost": group.lost,
        "unconverted": group.unconverted,
        "win_rate": _text(group.win_rate),
        "average_deal_size": _text(group.average),
        "deals_url": url,
    }


def breakdown_body(result: Breakdown, data: dict[str, Any]) -> dict[str, Any]:
    scope = {"owner": data["owner"], "team": data["team"]}
    return {
        "by": result.dimension,
        "field": result.custom_field,
        "start": result.start.isoformat(),
        "end": result.end.isoformat(),
        "base_currency": result.base_currency,
        "total": group_body(result.total, deal_list_url(result, None, **scope)),
        "groups": [group_body(group, deal_list_url(result, group, **scope)) for group in result.groups],
    }


class SalesBreakdownView(APIView):
    """Won revenue, deals won and lost, win rate and average deal size per product, segment or region."""

    module = "analytics"
    action_permissions: ClassVar[dict[str, str]] = {}
    permission_classes = [*RECORD_PERMISSIONS, ReadsSales]

    @extend_schema(
        operation_id="analytics_sales_breakdown",
        parameters=[
            OpenApiParameter(
                "by", OpenApiTypes.STR, enum=["product", "industry", "size", "custom", "country", "region"],
                description="The grouping; product by default.",
            ),
            OpenApiParameter("field", OpenApiTypes.STR, description="The company custom field's key (by=custom)."),
            OpenApiParameter(
                "period", OpenApiTypes.STR,
                enum=["this-month", "last-month", "this-quarter", "last-quarter", "this-year", "last-year"],
                description="A period of the fiscal calendar; sets start and end.",
            ),
            OpenApiParameter("start", OpenApiTypes.DATE, description="First close date; the fiscal quarter's start."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Last close date; today by default."),
            OpenApiParameter("owner", OpenApiTypes.INT, description="Deals of this user only."),
            OpenApiParameter("team", OpenApiTypes.INT, description="Deals owned by this team's members only."),
        ],
        responses={200: BREAKDOWN},
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        form = SalesBreakdownForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({name: list(messages) for name, messages in form.errors.items()})
        return Response(breakdown_body(run(acting_user(request), form.cleaned_data), form.cleaned_data))
