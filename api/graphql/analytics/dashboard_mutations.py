"""Dashboard mutations: create, update and delete dashboards and their widgets, through the
services (``analytics.change`` and the ``analytics:write`` scope; only a dashboard's owner changes
it or its widgets). A refusal is an error naming the field; nothing is written."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext as _

from api.graphql.analytics.dashboards import DashboardType, DashboardWidgetType
from api.graphql.core import MutationFailed, RecordMutation, error_type, global_id_to_pk
from identity.models import Role, Team, User
from modules.analytics.dashboards.models import Dashboard, Widget
from modules.analytics.dashboards.selectors import dashboards_for, may_edit
from modules.analytics.dashboards.services import (
    add_widget,
    create_dashboard,
    delete_dashboard,
    remove_widget,
    update_dashboard,
    update_widget,
)
from modules.analytics.reports.selectors import reports_for

PLACE = ("title", "x", "y", "width", "height", "options")


def _dashboard(user: User, global_id: str, field: str = "dashboard") -> Dashboard:
    pk = global_id_to_pk(global_id, "Dashboard")
    dashboard = dashboards_for(user).filter(pk=pk).first() if pk is not None else None
    if dashboard is None:
        raise MutationFailed(field, _("No such dashboard, or not one you can open."), "NOT_FOUND")
    if not may_edit(user, dashboard):
        raise MutationFailed(field, _("Only the dashboard's owner changes it."), "PERMISSION_DENIED")
    return dashboard


def _widget(user: User, global_id: str) -> Widget:
    pk = global_id_to_pk(global_id, "DashboardWidget")
    widget = (
        Widget.objects.select_related("dashboard", "report").filter(pk=pk, dashboard__in=dashboards_for(user)).first()
        if pk is not None
        else None
    )
    if widget is None:
        raise MutationFailed("dashboardWidget", _("No such widget, or not one you can open."), "NOT_FOUND")
    if not may_edit(user, widget.dashboard):
        raise MutationFailed("dashboardWidget", _("Only the dashboard's owner changes it."), "PERMISSION_DENIED")
    return widget


def _sharing(data: dict[str, Any]) -> dict[str, Any]:
    values = {name: data[name] for name in ("name", "period", "sharing") if data.get(name) is not None}
    for name, model in (("shared_role", Role), ("shared_team", Team)):
        if data.get(name) is not None:
            found = model.objects.filter(pk=data[name]).first()
            if found is None:
                raise MutationFailed(name, _("No such record."), "NOT_FOUND")
            values[name] = found
    return values


class DashboardArguments:
    name = graphene.String()
    period = graphene.String(description="this_quarter, last_30_days, this_year … (the default period).")
    sharing = graphene.String(description="private, everyone, role or team.")
    shared_role = graphene.Int(description="The role's id, when sharing with a role.")
    shared_team = graphene.Int(description="The team's id, when sharing with a team.")


class DashboardCreate(RecordMutation):
    """Create a dashboard, blank or laid out like a ready-made one (its widgets you may not see are
    left out)."""

    class Arguments(DashboardArguments):
        ready_made = graphene.String(description="The ready-made dashboard's key.")

    dashboard = graphene.Field(DashboardType)
    errors = graphene.List(graphene.NonNull(error_type("DashboardCreate")), required=True)

    module = "analytics"
    permission = "analytics.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        return {"dashboard": create_dashboard(by=user, ready_made=data.get("ready_made"), **_sharing(data))}


class DashboardUpdate(RecordMutation):
    """Rename a dashboard of yours, change its default period or whom it is shared with."""

    class Arguments(DashboardArguments):
        dashboard = graphene.ID(required=True, description="The dashboard's global id.")

    dashboard = graphene.Field(DashboardType)
    errors = graphene.List(graphene.NonNull(error_type("DashboardUpdate")), required=True)

    module = "analytics"
    permission = "analytics.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        dashboard = _dashboard(user, data["dashboard"])
        return {"dashboard": update_dashboard(dashboard, by=user, **_sharing(data))}


class DashboardDelete(RecordMutation):
    """Delete a dashboard of yours and its widgets (the saved reports stay)."""

    class Arguments:
        dashboard = graphene.ID(required=True, description="The dashboard's global id.")

    deleted_id = graphene.ID(description="The id the dashboard had.")
    errors = graphene.List(graphene.NonNull(error_type("DashboardDelete")), required=True)

    module = "analytics"
    permission = "analytics.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        delete_dashboard(_dashboard(user, data["dashboard"]), by=user)
        return {"deleted_id": data["dashboard"]}


class WidgetPlace:
    title = graphene.String()
    x = graphene.Int()
    y = graphene.Int()
    width = graphene.Int(description="Columns of the 12-column grid.")
    height = graphene.Int(description="Rows, 1 to 12.")
    options = graphene.JSONString(description='A report widget\'s {"date_field": …} ("" keeps it to all time).')


class DashboardWidgetCreate(RecordMutation):
    """Add a widget to a dashboard of yours: a registered kind or a saved report you may open."""

    class Arguments(WidgetPlace):
        dashboard = graphene.ID(required=True, description="The dashboard's global id.")
        kind = graphene.String(description="A registered widget kind.")
        report = graphene.ID(description="A saved report's global id.")

    dashboard_widget = graphene.Field(DashboardWidgetType)
    errors = graphene.List(graphene.NonNull(error_type("DashboardWidgetCreate")), required=True)

    module = "analytics"
    permission = "analytics.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        dashboard = _dashboard(user, data["dashboard"])
        report = None
        if data.get("report") is not None:
            pk = global_id_to_pk(data["report"], "Report")
            report = reports_for(user).filter(pk=pk).first() if pk is not None else None
            if report is None:
                raise MutationFailed("report", _("Choose one of the reports you may open."), "NOT_FOUND")
        values = {name: data[name] for name in PLACE if data.get(name) is not None}
        widget = add_widget(dashboard, by=user, kind=data.get("kind"), report=report, **values)
        return {"dashboard_widget": widget}


class DashboardWidgetUpdate(RecordMutation):
    """Rename, move, resize or set the options of a widget on a dashboard of yours."""

    class Arguments(WidgetPlace):
        dashboard_widget = graphene.ID(required=True, description="The widget's global id.")

    dashboard_widget = graphene.Field(DashboardWidgetType)
    errors = graphene.List(graphene.NonNull(error_type("DashboardWidgetUpdate")), required=True)

    module = "analytics"
    permission = "analytics.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        widget = _widget(user, data["dashboard_widget"])
        values = {name: data[name] for name in PLACE if data.get(name) is not None}
        return {"dashboard_widget": update_widget(widget, by=user, **values)}


class DashboardWidgetDelete(RecordMutation):
    """Remove a widget from a dashboard of yours."""

    class Arguments:
        dashboard_widget = graphene.ID(required=True, description="The widget's global id.")

    deleted_id = graphene.ID(description="The id the widget had.")
    errors = graphene.List(graphene.NonNull(error_type("DashboardWidgetDelete")), required=True)

    module = "analytics"
    permission = "analytics.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        remove_widget(_widget(user, data["dashboard_widget"]), by=user)
        return {"deleted_id": data["dashboard_widget"]}


class AnalyticsDashboardMutations(graphene.ObjectType):
    dashboard_create = DashboardCreate.Field()
    dashboard_update = DashboardUpdate.Field()
    dashboard_delete = DashboardDelete.Field()
    dashboard_widget_create = DashboardWidgetCreate.Field()
    dashboard_widget_update = DashboardWidgetUpdate.Field()
    dashboard_widget_delete = DashboardWidgetDelete.Field()
