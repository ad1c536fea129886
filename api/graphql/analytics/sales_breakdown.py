"""Sales by product, segment and region in GraphQL: ``salesBreakdown`` (analytics module,
``analytics.view`` and ``sales.view``)."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from graphql import GraphQLError

from api.graphql.core import id_argument, require_module, require_permission
from modules.analytics.sales_breakdown.filters import SalesBreakdownForm
from modules.analytics.sales_breakdown.selectors import Breakdown, Group
from modules.analytics.sales_breakdown.views import run

SalesBreakdownDimension = graphene.Enum(
    "SalesBreakdownDimension",
    [(name.upper(), name) for name in ("product", "industry", "size", "custom", "country", "region")],
)


class SalesBreakdownGroupType(graphene.ObjectType):
    """One group: its won revenue (base currency), deals won and lost, win rate and average deal size."""

    key = graphene.String(required=True, description="The stored value ('' for the empty group).")
    region = graphene.String(required=True, description="The region within the country (by region only).")
    label = graphene.String(required=True)
    revenue = graphene.Decimal(required=True)
    won = graphene.Int(required=True)
    lost = graphene.Int(required=True)
    unconverted = graphene.Int(required=True, description="Won deals without an exchange rate, not in revenue.")
    win_rate = graphene.Decimal(description="Won / (won + lost), in %.")
    average_deal_size = graphene.Decimal()

    class Meta:
        name = "SalesBreakdownGroup"

    @staticmethod
    def resolve_average_deal_size(root: Group, info: Any) -> Any:
        return root.average


class SalesBreakdownType(graphene.ObjectType):
    """Deals closed in a period, grouped by product, segment or region."""

    plan_module: ClassVar[str] = "analytics"

    by = graphene.String(required=True)
    field = graphene.String(required=True)
    start = graphene.Date(required=True)
    end = graphene.Date(required=True)
    base_currency = graphene.String(required=True)
    total = graphene.Field(SalesBreakdownGroupType, required=True)
    groups = graphene.List(graphene.NonNull(SalesBreakdownGroupType), required=True)

    class Meta:
        name = "SalesBreakdown"

    @staticmethod
    def resolve_by(root: Breakdown, info: Any) -> str:
        return root.dimension

    @staticmethod
    def resolve_field(root: Breakdown, info: Any) -> str:
        return root.custom_field


class AnalyticsSalesBreakdownQueries(graphene.ObjectType):
    sales_breakdown = graphene.Field(
        SalesBreakdownType,
        required=True,
        by=SalesBreakdownDimension(description="The grouping; PRODUCT by default."),
        field=graphene.String(description="The company custom field's key (by CUSTOM)."),
        period=graphene.String(
            description="this-month, last-month, this-quarter, last-quarter, this-year or last-year (fiscal)."
        ),
        start=graphene.Date(description="First close date; the fiscal quarter's start by default."),
        end=graphene.Date(description="Last close date; today by default."),
        owner=graphene.ID(description="A User id: that user's deals only."),
        team=graphene.Int(description="A team's id: deals owned by its members only."),
        description="Sales by product, segment and region over the deals you can see (analytics module).",
    )

    @staticmethod
    def resolve_sales_breakdown(root: Any, info: Any, **args: Any) -> Breakdown:
        require_module(info, "analytics")
        require_module(info, "sales")
        require_permission(info, "analytics.view")
        user = require_permission(info, "sales.view")
        data = {name: value for name, value in args.items() if value is not None}
        if "by" in data:
            data["by"] = getattr(data["by"], "value", data["by"])
        if "owner" in data:
            data["owner"] = id_argument(data["owner"], "User", "owner")
        form = SalesBreakdownForm(data)
        if not form.is_valid():
            name, messages = next(iter(form.errors.items()))
            raise GraphQLError(
                f"{name}: {' '.join(str(m) for m in messages)}", extensions={"code": "BAD_USER_INPUT", "field": name}
            )
        return run(user, form.cleaned_data)
