"""Dashboards over REST (analytics module): create, read, change and delete dashboards and their
widgets, save a layout, and read one widget's figures under the shared filters.

Reading needs ``analytics.view`` and the ``analytics:read`` scope; writing (deleting too)
``analytics.change`` and ``analytics:write``, and only the owner changes a dashboard. A widget's
``data`` counts what the caller may see, narrowed by the credential's scopes and by
``start``/``end`` (or a ``period``) and ``owner`` (or ``team``); a bad one is a 400 naming it."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.entities.links import api_access
from api.errors import api_error
from api.rest.pagination import IdCursorPagination
from api.rest.records import RECORD_PERMISSIONS, acting_user, user_summary
from identity.models import Role, Team
from modules.analytics.dashboards.filters import read_filters
from modules.analytics.dashboards.loading import Visibility, display_of, honoured, load_widget
from modules.analytics.dashboards.models import Dashboard, Widget
from modules.analytics.dashboards.periods import Period
from modules.analytics.dashboards.selectors import dashboards_for, may_edit
from modules.analytics.dashboards.services import (
    add_widget,
    create_dashboard,
    delete_dashboard,
    remove_widget,
    save_layout,
    update_dashboard,
    update_widget,
)
from modules.analytics.reports.choices import Sharing
from modules.analytics.reports.models import Report

FILTER_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="Records from this day (tenant's zone), inclusive."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Records up to this day (tenant's zone), inclusive."),
    OpenApiParameter("period", OpenApiTypes.STR, enum=list(Period.values), description="A preset, without start/end."),
    OpenApiParameter("owner", OpenApiTypes.INT, description="Only this user's records."),
    OpenApiParameter("team", OpenApiTypes.INT, description="Only the records of this team's members."),
]
WIDGET_DATA = inline_serializer(
    name="DashboardWidgetData",
    fields={
        "id": serializers.IntegerField(),
        "title": serializers.CharField(),
        "display": serializers.CharField(help_text="kpi, bar, line, pie, funnel, table or leaderboard."),
        "value": serializers.FloatField(allow_null=True, help_text="A KPI's figure."),
        "previous": serializers.FloatField(allow_null=True, help_text="The KPI over the period before."),
        "change": serializers.FloatField(allow_null=True, help_text="Percent change against previous."),
        "unit": serializers.CharField(),
        "url": serializers.CharField(allow_null=True, help_text="The record list behind a KPI."),
        "series": serializers.ListField(
            child=serializers.DictField(), help_text="name, unit and points (label, value, url of the record list)."
        ),
        "columns": serializers.ListField(child=serializers.CharField()),
        "rows": serializers.ListField(child=serializers.ListField()),
        "row_urls": serializers.BooleanField(help_text="Each row's last cell is its record list's URL."),
        "column_units": serializers.ListField(
            child=serializers.CharField(allow_blank=True),
            help_text="Each column's unit (a currency code, %, days, or empty).",
        ),
        "as_of": serializers.DateTimeField(
            allow_null=True,
            help_text="When the figures were current: for a rollup, every change before this moment is in them; "
            "for a stored analysis, when it was computed; null when read from the records now.",
        ),
        "freshness": serializers.ChoiceField(
            choices=["live", "rollup", "rebuilding", "precomputed"],
            help_text="live: read from the records now; rollup: from a summary kept current from changes (as_of); "
            "rebuilding: a summary is being rebuilt, the records were read meanwhile; precomputed: a stored analysis.",
        ),
        "freshness_text": serializers.CharField(
            allow_blank=True, help_text='What the page shows, e.g. "Updated 2 minutes ago" (empty when live).'
        ),
        "empty": serializers.BooleanField(),
    },
)


def _writer(request: Request, dashboard: Dashboard) -> Dashboard:
    if not may_edit(acting_user(request), dashboard):
        raise DjangoPermissionDenied(_("Only the dashboard's owner changes it."))
    return dashboard


class WidgetSerializer(serializers.ModelSerializer[Widget]):
    """A widget: a saved ``report`` or a registered ``kind``, its place on the 12-column grid, and
    ``options`` (a report widget's ``date_field``; ``""`` keeps it to all time)."""

    kind = serializers.CharField(required=False, allow_blank=True, max_length=60)
    report = serializers.PrimaryKeyRelatedField(queryset=Report.objects.all(), allow_null=True, required=False)
    options = serializers.JSONField(required=False)
    display = serializers.SerializerMethodField()
    filters = serializers.SerializerMethodField(help_text="The shared filters the widget honours.")

    class Meta:
        model = Widget
        fields = ["id", "kind", "report", "title", "x", "y", "width", "height", "options", "display", "filters"]
        read_only_fields = ["id"]
        extra_kwargs: ClassVar[dict[str, Any]] = {
            name: {"required": False, "validators": []} for name in ("x", "y", "width", "height", "title")
        }

    def get_display(self, widget: Widget) -> str:
        return display_of(widget)

    def get_filters(self, widget: Widget) -> list[str]:
        return sorted(str(name) for name in honoured(widget))

    def create(self, validated_data: dict[str, Any]) -> Widget:
        dashboard: Dashboard = self.context["dashboard"]
        kind = validated_data.pop("kind", "") or None
        report = validated_data.pop("report", None)
        by = acting_user(self.context["request"])
        return add_widget(dashboard, by=by, kind=kind, report=report, **validated_data)

    def update(self, instance: Widget, validated_data: dict[str, Any]) -> Widget:
        for fixed in ("kind", "report"):
            if fixed in validated_data:
                raise ValidationError({fixed: [_("A widget's source cannot change; add another widget.")]})
        return update_widget(instance, by=acting_user(self.context["request"]), **validated_data)


class DashboardSerializer(serializers.ModelSerializer[Dashboard]):
    """A dashboard; ``ready_made`` (on creation only) lays it out like a ready-made dashboard."""

    owner = serializers.SerializerMethodField()
    shared_role = serializers.PrimaryKeyRelatedField(queryset=Role.objects.all(), allow_null=True, required=False)
    shared_team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), allow_null=True, required=False)
    sharing = serializers.ChoiceField(choices=Sharing.choices, required=False)
    period = serializers.ChoiceField(choices=Period.choices, required=False)
    ready_made = serializers.CharField(required=False, allow_blank=True, max_length=40)
    widgets = WidgetSerializer(many=True, read_only=True)

    class Meta:
        model = Dashboard
        fields = [
            "id", "name", "period", "sharing", "shared_role", "shared_team", "ready_made", "owner", "widgets",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "owner", "created_at", "updated_at"]
        extra_kwargs: ClassVar[dict[str, Any]] = {"name": {"required": False}}

    def get_owner(self, dashboard: Dashboard) -> dict[str, Any] | None:
        return user_summary(dashboard.owner)

    def create(self, validated_data: dict[str, Any]) -> Dashboard:
        return create_dashboard(by=acting_user(self.context["request"]), **validated_data)

    def update(self, instance: Dashboard, validated_data: dict[str, Any]) -> Dashboard:
        if "ready_made" in validated_data:
            message = _("A dashboard is laid out from a ready-made one only when created.")
            raise ValidationError({"ready_made": [message]})
        return update_dashboard(instance, by=acting_user(self.context["request"]), **validated_data)


class DashboardViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Dashboard],
):
    """Dashboards the caller may open (their own and those shared with them), in id order."""

    module = "analytics"
    action_permissions: ClassVar[dict[str, str]] = {"destroy": "change", "layout": "change"}
    permission_classes = RECORD_PERMISSIONS
    pagination_class = IdCursorPagination
    serializer_class = DashboardSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Dashboard]:
        return dashboards_for(acting_user(self.request)).prefetch_related("widgets__report").order_by("id")

    def perform_update(self, serializer: serializers.BaseSerializer[Dashboard]) -> None:
        _writer(self.request, cast(Dashboard, self.get_object()))
        serializer.save()

    def perform_destroy(self, instance: Dashboard) -> None:
        delete_dashboard(_writer(self.request, instance), by=acting_user(self.request))

    @extend_schema(
        operation_id="analytics_dashboards_layout",
        request=inline_serializer(
            name="DashboardLayout",
            fields={
                "widgets": serializers.ListField(child=serializers.DictField(), help_text="id, x, y, width, height")
            },
        ),
        responses={200: DashboardSerializer},
    )
    @action(detail=True, methods=["post"])
    def layout(self, request: Request, pk: str | None = None) -> Response:
        """Move and resize the dashboard's widgets at once (all or nothing)."""
        dashboard = _writer(request, cast(Dashboard, self.get_object()))
        places = request.data.get("widgets") if isinstance(request.data, dict) else None
        save_layout(dashboard, by=acting_user(request), places=places)
        return Response(DashboardSerializer(self.get_object(), context=self.get_serializer_context()).data)


class DashboardWidgetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Widget],
):
    """The widgets of a dashboard the caller may open, in grid order."""

    module = "analytics"
    action_permissions: ClassVar[dict[str, str]] = {"destroy": "change", "data": "view"}
    permission_classes = RECORD_PERMISSIONS
    pagination_class = None
    serializer_class = WidgetSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def dashboard(self) -> Dashboard:
        dashboard = dashboards_for(acting_user(self.request)).filter(pk=str(self.kwargs["dashboard_pk"])).first()
        if not str(self.kwargs["dashboard_pk"]).isdigit() or dashboard is None:
            raise Http404(_("No such dashboard."))
        return dashboard

    def get_queryset(self) -> QuerySet[Widget]:
        return self.dashboard().widgets.select_related("report", "dashboard")

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if self.action == "create":
            context["dashboard"] = _writer(self.request, self.dashboard())
        return context

    def perform_update(self, serializer: serializers.BaseSerializer[Widget]) -> None:
        _writer(self.request, cast(Widget, self.get_object()).dashboard)
        serializer.save()

    def perform_destroy(self, instance: Widget) -> None:
        _writer(self.request, instance.dashboard)
        remove_widget(instance, by=acting_user(self.request))

    @extend_schema(
        operation_id="analytics_dashboards_widgets_data",
        parameters=FILTER_PARAMETERS,
        responses={
            200: OpenApiResponse(WIDGET_DATA),
            503: OpenApiResponse(description="The widget's query took too long and was stopped."),
        },
    )
    @action(detail=True, methods=["get"])
    def data(self, request: Request, dashboard_pk: str | None = None, pk: str | None = None) -> Response | Any:
        """The widget's figures for the caller under the shared filters (the dashboard's default
        period when none is given)."""
        widget = cast(Widget, self.get_object())
        user = acting_user(request)
        chosen = read_filters(request.query_params, widget.dashboard.period)
        access = api_access(request)
        visibility = Visibility(user, {widget.report_id} if widget.report_id else set(), access)
        loaded = load_widget(widget, user, access, chosen.applied, visibility)
        if loaded.status == 403:
            raise DjangoPermissionDenied(loaded.payload["message"])
        if loaded.status == 422:
            raise ValidationError({"report": [loaded.payload["message"]]})
        if loaded.status == 503:
            return api_error(
                request, status=503, problem="query-timeout", graphql_code="QUERY_TIMEOUT",
                title=_("Query timeout"), detail=loaded.payload["message"],
            )  # fmt: skip
        return Response(loaded.payload)
