"""Report deliveries by e-mail over REST (analytics module): subscriptions to a report — who gets
it, how often, in which format — and the deliveries each has made, with their status and error.

Only whoever may change the report (its owner) sees and manages its subscriptions: reading needs
``analytics.view`` and ``analytics:read``; creating, changing and deleting ``analytics.change`` and
``analytics:write``. Writes go through the services; their refusals name the field (400).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.pagination import IdCursorPagination
from api.rest.records import RECORD_PERMISSIONS, acting_user
from identity.models import User
from modules.analytics.reports.choices import DeliveryFormat, Frequency, Weekday
from modules.analytics.reports.delivery.models import ReportDelivery, ReportSubscription
from modules.analytics.reports.delivery.services import (
    create_subscription,
    delete_subscription,
    update_subscription,
)
from modules.analytics.reports.models import Report
from modules.analytics.reports.selectors import reports_for

RECENT_DELIVERIES = 100


def _owned_reports(user: User) -> QuerySet[Report]:
    return reports_for(user).filter(owner=user)


class ReportDeliverySerializer(serializers.ModelSerializer[ReportDelivery]):
    """One recipient's copy of one occurrence: queued (waiting or retrying), sent or failed."""

    class Meta:
        model = ReportDelivery
        fields = ["id", "recipient", "occurrence", "file_format", "status", "attempts", "last_error",
                  "next_attempt_at", "sent_at"]  # fmt: skip
        read_only_fields = fields


class ReportSubscriptionSerializer(serializers.ModelSerializer[ReportSubscription]):
    """A report sent by e-mail: ``weekday`` (0 = Monday) for weekly, ``day_of_month`` for monthly
    (the month's last day when shorter), ``hour`` in the tenant's time zone."""

    report = serializers.PrimaryKeyRelatedField(queryset=Report.objects.none())
    recipients = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), many=True)
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    weekday = serializers.ChoiceField(choices=Weekday.choices, allow_null=True, required=False)
    day_of_month = serializers.IntegerField(min_value=1, max_value=31, allow_null=True, required=False)
    hour = serializers.IntegerField(min_value=0, max_value=23)
    file_format = serializers.ChoiceField(choices=DeliveryFormat.choices)

    class Meta:
        model = ReportSubscription
        fields = ["id", "report", "recipients", "frequency", "weekday", "day_of_month", "hour", "file_format",
                  "next_run_at", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "next_run_at", "created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and getattr(request, "user", None) is not None and request.user.is_authenticated:
            self.fields["report"].queryset = _owned_reports(acting_user(request))  # type: ignore[attr-defined]
        if self.instance is not None:
            self.fields["report"].read_only = True

    def create(self, validated_data: dict[str, Any]) -> ReportSubscription:
        report = validated_data.pop("report")
        try:
            return create_subscription(report=report, by=acting_user(self.context["request"]), **validated_data)
        except ValidationError as error:
            raise ValidationError(error.message_dict) from None

    def update(self, instance: ReportSubscription, validated_data: dict[str, Any]) -> ReportSubscription:
        validated_data.pop("report", None)
        return update_subscription(instance, by=acting_user(self.context["request"]), **validated_data)


class ReportSubscriptionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[ReportSubscription],
):
    """Subscriptions to the caller's own reports, in id order (``?report=<id>`` narrows to one)."""

    module = "analytics"
    action_permissions: ClassVar[dict[str, str]] = {"destroy": "change", "deliveries": "view"}
    permission_classes = RECORD_PERMISSIONS
    pagination_class = IdCursorPagination
    serializer_class = ReportSubscriptionSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[ReportSubscription]:
        queryset = ReportSubscription.objects.filter(report__in=_owned_reports(acting_user(self.request)))
        report = self.request.query_params.get("report", "")
        if report:
            if not report.isdigit():
                raise ValidationError({"report": [_("Give a report id.")]})
            queryset = queryset.filter(report_id=int(report))
        return queryset.prefetch_related("recipients").order_by("id")

    def perform_destroy(self, instance: ReportSubscription) -> None:
        delete_subscription(instance, by=acting_user(self.request))

    @extend_schema(
        operation_id="analytics_report_subscriptions_deliveries",
        responses={
            200: inline_serializer(name="ReportDeliveries", fields={"results": ReportDeliverySerializer(many=True)})
        },
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        """The subscription's latest deliveries (at most 100), newest first."""
        subscription = self.get_object()
        rows = subscription.deliveries.order_by("-occurrence", "-id")[:RECENT_DELIVERIES]
        return Response({"results": ReportDeliverySerializer(rows, many=True).data})
