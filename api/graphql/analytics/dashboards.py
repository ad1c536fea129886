"""Dashboards in GraphQL: ``dashboards`` (those the caller may open), ``dashboard(id)``, each with
its ``widgets`` and a widget's ``data`` under the shared filters (``start``/``end`` or ``period``,
``owner`` or ``team``) — the caller's own visible records, narrowed by the credential's scopes
(analytics module, ``analytics.view``). A bad filter is a BAD_USER_INPUT naming it; a widget the
caller may not see is PERMISSION_DENIED and one whose query took too long QUERY_TIMEOUT, for that
widget's ``data`` alone."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import graphene
from django.core.exceptions import ValidationError
from graphql import GraphQLError
from graphql_relay import to_global_id

from api.entities.links import api_access
from api.graphql.core import global_id_to_pk, require_module, require_permission
from modules.analytics.dashboards.filters import read_filters
from modules.analytics.dashboards.loading import Visibility, display_of, honoured, load_widget, widget_title
from modules.analytics.dashboards.models import Dashboard, Widget
from modules.analytics.dashboards.selectors import dashboards_for

LOAD_CODES = {403: "PERMISSION_DENIED", 422: "BAD_USER_INPUT", 503: "QUERY_TIMEOUT"}


class DashboardPointType(graphene.ObjectType):
    label = graphene.String(required=True)
    value = graphene.Float()
    url = graphene.String(description="The list of exactly the records behind the value.")

    class Meta:
        name = "DashboardPoint"


class DashboardSeriesType(graphene.ObjectType):
    name = graphene.String(required=True)
    unit = graphene.String(required=True, description="A currency code, %, days, or empty for counts.")
    points = graphene.List(graphene.NonNull(DashboardPointType), required=True)

    class Meta:
        name = "DashboardSeries"


class DashboardWidgetDataType(graphene.ObjectType):
    plan_module: ClassVar[str] = "analytics"

    display = graphene.String(required=True, description="kpi, bar, line, pie, funnel, table or leaderboard.")
    value = graphene.Float(description="A KPI's figure.")
    previous = graphene.Float(description="The KPI over the period before.")
    change = graphene.Float(description="Percent change against the period before.")
    unit = graphene.String(required=True)
    url = graphene.String(description="The record list behind a KPI.")
    series = graphene.List(graphene.NonNull(DashboardSeriesType), required=True)
    columns = graphene.List(graphene.NonNull(graphene.String), required=True)
    rows = graphene.JSONString(required=True, description="A table's rows (lists of cells).")
    row_urls = graphene.Boolean(required=True, description="Each row's last cell is its record list's URL.")
    column_units = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="Each column's unit (a currency code, %, days, or empty).",
    )
    as_of = graphene.String(
        description="When the figures were current (ISO 8601): for a rollup, every change before this moment is in "
        "them; for a stored analysis, when it was computed; null when read from the records now."
    )
    freshness = graphene.String(
        required=True,
        description="live (read from the records now), rollup (a summary kept current from changes, see asOf), "
        "rebuilding (a summary is being rebuilt; the records were read meanwhile) or precomputed (a stored analysis).",
    )
    freshness_text = graphene.String(
        required=True, description='What the page shows, e.g. "Updated 2 minutes ago" (empty when live).'
    )
    empty = graphene.Boolean(required=True)

    class Meta:
        name = "DashboardWidgetData"


class DashboardWidgetType(graphene.ObjectType):
    """A dashboard's widget: a saved report or a registered kind on the 12-column grid."""

    plan_module: ClassVar[str] = "analytics"

    id = graphene.ID(required=True, description="The widget's global id (DashboardWidget:<pk>, base64).")
    kind = graphene.String(description="The registered kind (null: a saved report).")
    report_id = graphene.ID(description="The saved report's global id (null: a kind).")
    title = graphene.String(required=True)
    x = graphene.Int(required=True)
    y = graphene.Int(required=True)
    width = graphene.Int(required=True)
    height = graphene.Int(required=True)
    options = graphene.JSONString(required=True)
    display = graphene.String(required=True)
    filters = graphene.List(graphene.NonNull(graphene.String), required=True, description="Filters it honours.")
    data = graphene.Field(
        DashboardWidgetDataType,
        start=graphene.Date(description="Records from this day (tenant's zone), inclusive."),
        end=graphene.Date(description="Records up to this day (tenant's zone), inclusive."),
        period=graphene.String(description="A preset period instead of start/end (default: the dashboard's)."),
        owner=graphene.Int(description="Only this user's records."),
        team=graphene.Int(description="Only the records of this team's members."),
        description="The widget's figures for the caller.",
    )

    class Meta:
        name = "DashboardWidget"

    @staticmethod
    def resolve_id(root: Widget, info: Any) -> str:
        return to_global_id("DashboardWidget", root.pk)

    @staticmethod
    def resolve_kind(root: Widget, info: Any) -> str | None:
        return root.kind or None

    @staticmethod
    def resolve_report_id(root: Widget, info: Any) -> str | None:
        return to_global_id("Report", root.report_id) if root.report_id else None

    @staticmethod
    def resolve_title(root: Widget, info: Any) -> str:
        return widget_title(root)

    @staticmethod
    def resolve_display(root: Widget, info: Any) -> str:
        return display_of(root)

    @staticmethod
    def resolve_filters(root: Widget, info: Any) -> list[str]:
        return sorted(str(name) for name in honoured(root))

    @staticmethod
    def resolve_data(root: Widget, info: Any, **args: Any) -> dict[str, Any]:
        user = require_permission(info, "analytics.view")
        params = {name: value.isoformat() if isinstance(value, date) else value for name, value in args.items()}
        try:
            chosen = read_filters({k: v for k, v in params.items() if v is not None}, root.dashboard.period)
        except ValidationError as error:
            field, messages = next(iter(error.message_dict.items()))
            raise GraphQLError(
                f"{field}: {' '.join(messages)}", extensions={"code": "BAD_USER_INPUT", "field": field}
            ) from None
        access = api_access(info.context)
        visibility = Visibility(user, {root.report_id} if root.report_id else set(), access)
        loaded = load_widget(root, user, access, chosen.applied, visibility)
        if loaded.status != 200:
            raise GraphQLError(loaded.payload["message"], extensions={"code": LOAD_CODES[loaded.status]})
        return loaded.payload


class DashboardType(graphene.ObjectType):
    """A dashboard: its widgets on a 12-column grid, read under one period and owner filter."""

    plan_module: ClassVar[str] = "analytics"

    id = graphene.ID(required=True, description="The dashboard's global id (Dashboard:<pk>, base64).")
    name = graphene.String(required=True)
    period = graphene.String(required=True, description="The default period (this_quarter, last_30_days …).")
    sharing = graphene.String(required=True)
    ready_made = graphene.String(required=True, description="The ready-made dashboard it was created from.")
    owner_id = graphene.Int(required=True)
    updated_at = graphene.DateTime(required=True)
    widgets = graphene.List(graphene.NonNull(DashboardWidgetType), required=True, description="In grid order.")

    class Meta:
        name = "Dashboard"

    @staticmethod
    def resolve_id(root: Dashboard, info: Any) -> str:
        return to_global_id("Dashboard", root.pk)

    @staticmethod
    def resolve_widgets(root: Dashboard, info: Any) -> list[Widget]:
        return list(root.widgets.all())


class AnalyticsDashboardQueries(graphene.ObjectType):
    dashboards = graphene.List(
        graphene.NonNull(DashboardType), required=True, description="Dashboards the caller may open, in id order."
    )
    dashboard = graphene.Field(
        DashboardType, id=graphene.ID(required=True), description="A dashboard by its global id (null: none)."
    )

    @staticmethod
    def resolve_dashboards(root: Any, info: Any) -> list[Dashboard]:
        require_module(info, "analytics")
        user = require_permission(info, "analytics.view")
        return list(dashboards_for(user).prefetch_related("widgets__report", "widgets__dashboard").order_by("id"))

    @staticmethod
    def resolve_dashboard(root: Any, info: Any, id: str) -> Dashboard | None:
        require_module(info, "analytics")
        user = require_permission(info, "analytics.view")
        pk = global_id_to_pk(id, "Dashboard")
        if pk is None:
            return None
        return dashboards_for(user).prefetch_related("widgets__report", "widgets__dashboard").filter(pk=pk).first()
