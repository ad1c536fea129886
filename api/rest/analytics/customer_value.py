"""REST endpoints of the customer-value analyses (analytics and sales modules, ``analytics:read`` and
``sales:read``): the stored lifetime values of the customers the caller may see, and the RFM segments."""

from __future__ import annotations

from decimal import Decimal
from math import ceil
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.rest.analytics.permissions import ReadsSales
from api.rest.records import RECORD_PERMISSIONS, acting_user
from modules.analytics.customer_value.models import CustomerValue
from modules.analytics.customer_value.rfm import DEFAULT_PERIOD, PERIODS, segment_summaries
from modules.analytics.customer_value.selectors import by_predicted_value, latest_run, visible_values

PAGE_SIZE = 50


def _choice(params: Any, name: str, *, default: int, allowed: range | tuple[int, ...]) -> int:
    raw = params.get(name, "")
    if raw == "":
        return default
    if not str(raw).isdigit() or int(raw) not in allowed:
        raise ValidationError({name: [_("Choose one of the offered values.")]})
    return int(raw)


def customer_of(value: CustomerValue) -> dict[str, Any]:
    if value.company_id:
        return {"type": "company", "id": value.company_id, "name": value.company.name}  # type: ignore[union-attr]
    return {"type": "contact", "id": value.contact_id, "name": str(value.contact)}


def _decimal(value: Any) -> str | None:
    return None if value is None else str(value)


VALUES = inline_serializer(
    name="CustomerValues",
    fields={
        "data_as_of": serializers.DateTimeField(allow_null=True, help_text="When the values were computed."),
        "status": serializers.CharField(allow_null=True, help_text="fitted, or history (too few to predict)."),
        "horizon_days": serializers.IntegerField(allow_null=True, help_text="Days the predictions cover."),
        "count": serializers.IntegerField(),
        "page": serializers.IntegerField(),
        "pages": serializers.IntegerField(),
        "results": inline_serializer(
            name="CustomerValue",
            many=True,
            fields={
                "customer": inline_serializer(
                    name="CustomerValueCustomer",
                    fields={
                        "type": serializers.ChoiceField(choices=["company", "contact"]),
                        "id": serializers.IntegerField(),
                        "name": serializers.CharField(),
                    },
                ),
                "orders": serializers.IntegerField(),
                "first_ordered_on": serializers.DateField(),
                "last_ordered_on": serializers.DateField(),
                "historical_value": serializers.DecimalField(max_digits=20, decimal_places=2),
                "expected_purchases": serializers.FloatField(allow_null=True),
                "probability_alive": serializers.FloatField(allow_null=True),
                "expected_value": serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True),
                "predicted_value": serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True),
            },
        ),
    },
)


class CustomerValuesView(APIView):
    """Lifetime values of the customers the caller may see, by predicted value (most first)."""

    module = "analytics"
    action_permissions: ClassVar[dict[str, str]] = {}
    permission_classes = [*RECORD_PERMISSIONS, ReadsSales]

    @extend_schema(
        operation_id="analytics_customer_values",
        parameters=[
            OpenApiParameter("company", OpenApiTypes.INT, description="Only this company's value."),
            OpenApiParameter("contact", OpenApiTypes.INT, description="Only this contact's value."),
            OpenApiParameter("page", OpenApiTypes.INT, description="Pages of 50 customers, from 1."),
        ],
        responses={200: VALUES},
    )
    def get(self, request: Request) -> Response:
        page = _choice(request.query_params, "page", default=1, allowed=range(1, 100_001))
        values = visible_values(acting_user(request))
        for name in ("company", "contact"):
            if name in request.query_params:
                pk = _choice(request.query_params, name, default=0, allowed=range(1, 2**63))
                values = values.filter(**{f"{name}_id": pk})
        count = values.count()
        run = latest_run()
        rows = by_predicted_value(values)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        return Response(
            {
                "data_as_of": run.computed_at.isoformat() if run else None,
                "status": run.status if run else None,
                "horizon_days": run.horizon_days if run else None,
                "count": count,
                "page": page,
                "pages": max(1, ceil(count / PAGE_SIZE)),
                "results": [
                    {
                        "customer": customer_of(value),
                        "orders": value.orders,
                        "first_ordered_on": value.first_ordered_on.isoformat(),
                        "last_ordered_on": value.last_ordered_on.isoformat(),
                        "historical_value": str(value.historical_value),
                        "expected_purchases": value.expected_purchases,
                        "probability_alive": value.probability_alive,
                        "expected_value": _decimal(value.expected_value),
                        "predicted_value": _decimal(value.predicted_value),
                    }
                    for value in rows
                ],
            }
        )


SEGMENTS = inline_serializer(
    name="RfmSegments",
    fields={
        "period_months": serializers.IntegerField(help_text="0: all history."),
        "results": inline_serializer(
            name="RfmSegment",
            many=True,
            fields={
                "key": serializers.CharField(),
                "label": serializers.CharField(),
                "customers": serializers.IntegerField(),
                "share": serializers.FloatField(help_text="Of the customers scored."),
                "monetary": serializers.DecimalField(max_digits=20, decimal_places=2),
            },
        ),
    },
)


class RfmSegmentsView(APIView):
    """RFM segments over the orders and customers the caller may see: size, share and value."""

    module = "analytics"
    action_permissions: ClassVar[dict[str, str]] = {}
    permission_classes = [*RECORD_PERMISSIONS, ReadsSales]

    @extend_schema(
        operation_id="analytics_rfm_segments",
        parameters=[
            OpenApiParameter("period", OpenApiTypes.INT, enum=list(PERIODS), description="Months; 0 all history.")
        ],
        responses={200: SEGMENTS},
    )
    def get(self, request: Request) -> Response:
        months = _choice(request.query_params, "period", default=DEFAULT_PERIOD, allowed=PERIODS)
        summaries = segment_summaries(acting_user(request), today=timezone.localdate(), months=months)
        return Response(
            {
                "period_months": months,
                "results": [
                    {
                        "key": summary.segment.key,
                        "label": str(summary.segment.label),
                        "customers": summary.customers,
                        "share": summary.share,
                        "monetary": str(summary.monetary.quantize(Decimal("0.01"))),
                    }
                    for summary in summaries
                ],
            }
        )
