"""REST endpoint of the sales funnel (``analytics:read`` and ``sales:read``): every figure of the page
for a pipeline, a period and an owner or team, over the deals the caller may see."""

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
from modules.analytics.funnel.filters import FunnelFilterForm
from modules.analytics.funnel.selectors import Funnel, funnel

FUNNEL = inline_serializer(
    name="SalesFunnel",
    fields={
        "pipeline": serializers.IntegerField(),
        "start": serializers.DateField(),
        "end": serializers.DateField(),
        "won": serializers.IntegerField(),
        "lost": serializers.IntegerField(),
        "win_rate": serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True),
        "average_cycle_days": serializers.DecimalField(max_digits=9, decimal_places=1, allow_null=True),
        "median_cycle_days": serializers.DecimalField(max_digits=9, decimal_places=1, allow_null=True),
        "stages": inline_serializer(
            name="SalesFunnelStage",
            many=True,
            fields={
                "stage": serializers.IntegerField(),
                "name": serializers.CharField(),
                "kind": serializers.CharField(),
                "entered": serializers.IntegerField(help_text="Deals entering the stage in the period."),
                "moved_on": serializers.IntegerField(help_text="Of those, deals that later went further along."),
                "conversion": serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True),
                "median_days_in_stage": serializers.DecimalField(max_digits=9, decimal_places=1, allow_null=True),
                "average_days_in_stage": serializers.DecimalField(max_digits=9, decimal_places=1, allow_null=True),
            },
        ),
    },
)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def funnel_body(result: Funnel) -> dict[str, Any]:
    return {
        "pipeline": result.pipeline.pk,
        "start": result.start.isoformat(),
        "end": result.end.isoformat(),
        "won": result.won,
        "lost": result.lost,
        "win_rate": _text(result.win_rate),
        "average_cycle_days": _text(result.average_cycle_days),
        "median_cycle_days": _text(result.median_cycle_days),
        "stages": [
            {
                "stage": row.stage.pk,
                "name": row.stage.name,
                "kind": row.stage.kind,
                "entered": row.entered,
                "moved_on": row.moved_on,
                "conversion": _text(row.conversion),
                "median_days_in_stage": _text(row.median_days),
                "average_days_in_stage": _text(row.average_days),
            }
            for row in result.stages
        ],
    }


class SalesFunnelView(APIView):
    """The funnel of a pipeline from the deals' stage history (see the page for how deals count)."""

    module = "analytics"
    action_permissions: ClassVar[dict[str, str]] = {}
    permission_classes = [*RECORD_PERMISSIONS, ReadsSales]

    @extend_schema(
        operation_id="analytics_sales_funnel",
        parameters=[
            OpenApiParameter("pipeline", OpenApiTypes.INT, description="The default pipeline when not given."),
            OpenApiParameter("start", OpenApiTypes.DATE, description="Ninety days before the end by default."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Today by default."),
            OpenApiParameter("owner", OpenApiTypes.INT, description="Deals of this user only."),
            OpenApiParameter("team", OpenApiTypes.INT, description="Deals owned by this team's members only."),
        ],
        responses={200: FUNNEL},
    )
    def get(self, request: Request) -> Response:
        form = FunnelFilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({name: list(messages) for name, messages in form.errors.items()})
        data = form.cleaned_data
        result = funnel(
            acting_user(request), data["pipeline"], data["start"], data["end"], owner=data["owner"], team=data["team"]
        )
        return Response(funnel_body(result))
