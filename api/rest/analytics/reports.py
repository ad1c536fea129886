"""Saved reports over REST (analytics module): list, create, read, update and delete them, run one
as JSON, CSV, XLSX or PDF, and list the record types and fields a report may use.

Reading and running need ``analytics.view`` and the ``analytics:read`` scope; writing (delete too)
``analytics.change`` and ``analytics:write``, and only the owner changes a report. A run counts
what the caller may see, narrowed by the credential's scopes: a key that cannot read sales cannot
run a report on deals (400 naming ``source``). ``date_field``/``from``/``to``/``owner`` narrow a
run further, the way a dashboard widget does.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.entities.links import api_access
from api.rest.pagination import IdCursorPagination
from api.rest.records import RECORD_PERMISSIONS, acting_user, user_summary
from identity.models import Role, Team
from modules.analytics.reports.choices import ChartType, Sharing
from modules.analytics.reports.exports import FORMATS, export_response
from modules.analytics.reports.fields import source_fields
from modules.analytics.reports.models import Report
from modules.analytics.reports.presentation import as_json
from modules.analytics.reports.running import RUN_PARAMETERS, run_saved
from modules.analytics.reports.selectors import may_edit, reports_for, sources_for
from modules.analytics.reports.services import create_report, delete_report, update_report

DEFINITION_PARTS = ("filters", "extra_filters", "group_by", "measures", "sort", "columns")
RUN_PARAMETERS_DOC = [
    OpenApiParameter(
        "output", OpenApiTypes.STR, enum=["json", "csv", "xlsx", "pdf"], description="json (default), csv, xlsx or pdf."
    ),
    OpenApiParameter("date_field", OpenApiTypes.STR, description="The date field that from/to apply to."),
    OpenApiParameter("from", OpenApiTypes.DATE, description="Records on or after this day (tenant's zone)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Records on or before this day (tenant's zone)."),
    OpenApiParameter("owner", OpenApiTypes.INT, description="Only this user's records."),
]
RESULT = inline_serializer(
    name="ReportResult",
    fields={
        "source": serializers.CharField(),
        "dimensions": serializers.ListField(child=serializers.DictField()),
        "measures": serializers.ListField(child=serializers.DictField()),
        "columns": serializers.ListField(child=serializers.DictField()),
        "rows": serializers.ListField(
            child=serializers.DictField(),
            help_text="keys (raw group values), labels, values (decimals as strings) and url (the record list).",
        ),
        "truncated": serializers.BooleanField(),
        "currency": serializers.CharField(help_text="The base currency amounts are converted to."),
        "time_zone": serializers.CharField(help_text="The zone dates are bucketed and compared in."),
    },
)


def _service_error(error: ValidationError) -> ValidationError:
    """Definition parts are named under ``definition`` (``definition.group_by.0.field``)."""
    renamed: dict[str, list[str]] = {}
    for key, messages in error.message_dict.items():
        if key.split(".")[0] in DEFINITION_PARTS:
            key = f"definition.{key}"
        renamed.setdefault(key, []).extend(messages)
    return ValidationError(renamed)


class ReportSerializer(serializers.ModelSerializer[Report]):
    """A saved report; ``definition`` as the builder stores it (see the report builder's docs)."""

    owner = serializers.SerializerMethodField()
    definition = serializers.JSONField()
    shared_role = serializers.PrimaryKeyRelatedField(queryset=Role.objects.all(), allow_null=True, required=False)
    shared_team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), allow_null=True, required=False)
    chart = serializers.ChoiceField(choices=ChartType.choices, required=False)
    sharing = serializers.ChoiceField(choices=Sharing.choices, required=False)

    class Meta:
        model = Report
        fields = [
            "id", "name", "description", "source", "definition", "chart", "sharing", "shared_role", "shared_team",
            "owner", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "owner", "created_at", "updated_at"]

    def get_owner(self, report: Report) -> dict[str, Any] | None:
        return user_summary(report.owner)

    def create(self, validated_data: dict[str, Any]) -> Report:
        try:
            return create_report(by=acting_user(self.context["request"]), **validated_data)
        except ValidationError as error:
            raise _service_error(error) from None

    def update(self, instance: Report, validated_data: dict[str, Any]) -> Report:
        try:
            return update_report(instance, by=acting_user(self.context["request"]), **validated_data)
        except ValidationError as error:
            raise _service_error(error) from None


class ReportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Report],
):
    """Saved reports the caller may open (their own and those shared with them), in id order."""

    module = "analytics"
    action_permissions: ClassVar[dict[str, str]] = {"destroy": "change", "run": "view"}
    permission_classes = RECORD_PERMISSIONS
    pagination_class = IdCursorPagination
    serializer_class = ReportSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Report]:
        return reports_for(acting_user(self.request)).order_by("id")

    def _owned(self) -> Report:
        report = cast(Report, self.get_object())
        if not may_edit(acting_user(self.request), report):
            raise DjangoPermissionDenied(_("Only the report's owner changes it."))
        return report

    def perform_update(self, serializer: serializers.BaseSerializer[Report]) -> None:
        self._owned()
        serializer.save()

    def perform_destroy(self, instance: Report) -> None:
        report = self._owned()
        delete_report(report, by=acting_user(self.request))

    @extend_schema(
        operation_id="analytics_reports_run",
        parameters=RUN_PARAMETERS_DOC,
        responses={200: OpenApiResponse(RESULT, description="JSON, or the file with output=csv|xlsx|pdf.")},
    )
    @action(detail=True, methods=["get"])
    def run(self, request: Request, pk: str | None = None) -> Any:
        """Run the report for the caller: their visible records, narrowed by the run's parameters."""
        report = cast(Report, self.get_object())
        user = acting_user(request)
        params = {name: request.query_params[name] for name in RUN_PARAMETERS if request.query_params.get(name)}
        output = request.query_params.get("output", "json")
        if output != "json" and output not in FORMATS:
            raise ValidationError({"output": [_("Choose json, csv, xlsx or pdf.")]})
        access = api_access(request)
        if output in FORMATS:
            return export_response(report, user, access, output, params)
        return Response(as_json(run_saved(report, user, access, params)))


class ReportSourcesView(APIView):
    """The record types a report may use, with the fields the caller may filter, group and measure by."""

    module = "analytics"
    action_permissions: ClassVar[dict[str, str]] = {}
    permission_classes = RECORD_PERMISSIONS

    @extend_schema(
        operation_id="analytics_report_sources",
        responses={
            200: inline_serializer(
                name="ReportSources",
                fields={"results": serializers.ListField(child=serializers.DictField())},
            )
        },
    )
    def get(self, request: Request) -> Response:
        access = api_access(request)
        return Response(
            {
                "results": [
                    {
                        "key": source.key,
                        "label": str(source.label),
                        "fields": [field.describe() for field in source_fields(source, access).values()],
                    }
                    for source in sources_for(access)
                ]
            }
        )
