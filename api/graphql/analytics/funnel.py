"""The sales funnel in GraphQL: ``salesFunnel`` (analytics module, ``analytics.view`` and ``sales.view``)."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from graphql import GraphQLError

from api.graphql.core import attribute, id_argument, require_module, require_permission
from api.graphql.sales.types import PipelineType, StageType
from modules.analytics.funnel.filters import FunnelFilterForm
from modules.analytics.funnel.selectors import Funnel, funnel


class FunnelStageType(graphene.ObjectType):
    """One stage of the funnel: deals entering it in the period, those that later went further along."""

    stage = graphene.Field(StageType, required=True)
    entered = graphene.Int(required=True)
    moved_on = graphene.Int(required=True)
    conversion = graphene.Decimal(description="Moved on / entered, in %; null for won and lost stages.")
    median_days_in_stage = graphene.Decimal(resolver=attribute("median_days"))
    average_days_in_stage = graphene.Decimal(resolver=attribute("average_days"))

    class Meta:
        name = "FunnelStage"


class SalesFunnelType(graphene.ObjectType):
    """The funnel of a pipeline over a period, from the deals' stage history."""

    plan_module: ClassVar[str] = "analytics"

    pipeline = graphene.Field(PipelineType, required=True)
    start = graphene.Date(required=True)
    end = graphene.Date(required=True)
    won = graphene.Int(required=True)
    lost = graphene.Int(required=True)
    win_rate = graphene.Decimal(description="Won / (won + lost) of the deals closed in the period, in %.")
    average_cycle_days = graphene.Decimal()
    median_cycle_days = graphene.Decimal()
    stages = graphene.List(graphene.NonNull(FunnelStageType), required=True)

    class Meta:
        name = "SalesFunnel"


class AnalyticsFunnelQueries(graphene.ObjectType):
    sales_funnel = graphene.Field(
        SalesFunnelType,
        required=True,
        pipeline=graphene.ID(description="A Pipeline id; the default pipeline when not given."),
        start=graphene.Date(description="Ninety days before the end by default."),
        end=graphene.Date(description="Today by default."),
        owner=graphene.ID(description="A User id: that user's deals only."),
        team=graphene.Int(description="A team's id: deals owned by its members only."),
        description="The sales funnel of the deals you can see (analytics module).",
    )

    @staticmethod
    def resolve_sales_funnel(root: Any, info: Any, **args: Any) -> Funnel:
        require_module(info, "analytics")
        require_module(info, "sales")
        require_permission(info, "analytics.view")
        user = require_permission(info, "sales.view")
        data = {name: value for name, value in args.items() if value is not None}
        if "pipeline" in data:
            data["pipeline"] = id_argument(data["pipeline"], "Pipeline", "pipeline")
        if "owner" in data:
            data["owner"] = id_argument(data["owner"], "User", "owner")
        form = FunnelFilterForm(data)
        if not form.is_valid():
            name, messages = next(iter(form.errors.items()))
            raise GraphQLError(
                f"{name}: {' '.join(str(m) for m in messages)}", extensions={"code": "BAD_USER_INPUT", "field": name}
            )
        cleaned = form.cleaned_data
        return funnel(
            user, cleaned["pipeline"], cleaned["start"], cleaned["end"], owner=cleaned["owner"], team=cleaned["team"]
        )
