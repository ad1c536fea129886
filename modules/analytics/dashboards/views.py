"""The dashboards' pages: the list (one's own, those shared with one, the ready-made ones to start
from), a dashboard's grid, and its settings (name, default period, sharing) and deletion.

Reading needs ``analytics.view`` (a dashboard the reader may not open is a 404); creating,
changing and deleting ``analytics.change`` and, for an existing dashboard, being its owner (403).
The grid page runs no widget's query: each widget loads its figures from its own endpoint
(``widget_views.widget_data``), so the page costs the same whatever its widgets."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.localized_dates import LocalizedDateInput
from identity.decorators import signed_in_user
from identity.models import Role, Team
from modules.analytics.dashboards.filters import PARAMETERS, read_filters
from modules.analytics.dashboards.loading import Visibility, display_of, honoured, widget_title
from modules.analytics.dashboards.models import Dashboard
from modules.analytics.dashboards.owner_picker import owner_choice
from modules.analytics.dashboards.periods import Period
from modules.analytics.dashboards.ready_made import offered_ready_made
from modules.analytics.dashboards.report_widgets import date_field_choices
from modules.analytics.dashboards.selectors import dashboards_for, may_edit
from modules.analytics.dashboards.services import create_dashboard, delete_dashboard, update_dashboard
from modules.analytics.dashboards.widgets import available_widgets
from modules.analytics.reports.choices import Sharing
from modules.analytics.reports.selectors import access_for, reports_for
from modules.analytics.views import analytics_page


def dashboard_of(request: HttpRequest, pk: int) -> Dashboard:
    dashboard = dashboards_for(signed_in_user(request)).filter(pk=pk).first()
    if dashboard is None:
        raise Http404(_("No such dashboard."))
    return dashboard


def editable(request: HttpRequest, pk: int) -> Dashboard:
    dashboard = dashboard_of(request, pk)
    if not may_edit(signed_in_user(request), dashboard):
        raise PermissionDenied(_("Only the dashboard's owner changes it."))
    return dashboard


def errors_of(error: ValidationError) -> list[tuple[str, str]]:
    return [(key, message) for key, found in error.message_dict.items() for message in found]


@require_safe
@analytics_page()
def dashboard_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    dashboards = dashboards_for(user).select_related("shared_role", "shared_team")
    return render(
        request,
        "analytics/dashboards/list.html",
        {"dashboards": dashboards, "ready_made": offered_ready_made(getattr(request, "tenant", None))},
    )


@require_POST
@analytics_page("analytics.change")
def dashboard_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    ready_made = request.POST.get("ready_made") or None
    values: dict[str, Any] = {}
    if request.POST.get("name") or not ready_made:
        values["name"] = request.POST.get("name", "")
    try:
        dashboard = create_dashboard(by=user, ready_made=ready_made, **values)
    except ValidationError as error:
        for key, message in errors_of(error):
            messages.error(request, f"{key}: {message}")
        return redirect("analytics:dashboard-list")
    return redirect("analytics:dashboard-detail", pk=dashboard.pk)


def _widget_config(dashboard: Dashboard, widgets: list[Any], visibility: Visibility) -> list[dict[str, Any]]:
    """What the page's script needs of each widget: where its figures are, which filters it
    honours (a change of another filter does not reload it) and its place on the wide grid."""
    return [
        {
            "id": widget.pk,
            "allowed": visibility.allows(widget),
            "title": widget_title(widget),
            "display": display_of(widget),
            "filters": sorted(str(name) for name in honoured(widget)),
            "data_url": reverse("analytics:dashboard-widget-data", args=[dashboard.pk, widget.pk]),
            # Its place on the 12-column grid, which a phone's one-column view does not show.
            "place": {"x": widget.x, "y": widget.y, "w": widget.width, "h": widget.height},
        }
        for widget in widgets
    ]


def _date_input(name: str, value: Any) -> str:
    attrs = {"class": "form-control form-control-sm", "id": f"filter-{name}", "data-testid": f"filter-{name}"}
    return LocalizedDateInput(attrs=attrs).render(name, value)


@require_safe
@analytics_page()
def dashboard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    dashboard = dashboard_of(request, pk)
    widgets = list(dashboard.widgets.select_related("report"))
    visibility = Visibility(user, {w.report_id for w in widgets if w.report_id is not None}, access_for(user))
    editing = may_edit(user, dashboard)
    status = 200
    errors: list[tuple[str, str]] = []
    try:
        chosen = read_filters(request.GET, dashboard.period)
    except ValidationError as error:
        errors, status = errors_of(error), 400
        chosen = read_filters({}, dashboard.period)
    context: dict[str, Any] = {
        "dashboard": dashboard,
        "widgets": [
            (
                widget,
                widget_title(widget),
                visibility.allows(widget),
                date_field_choices(widget.report) if editing and widget.report is not None else None,
            )
            for widget in widgets
        ],
        "config": {
            "widgets": _widget_config(dashboard, widgets, visibility),
            "layout_url": reverse("analytics:dashboard-layout", args=[dashboard.pk]),
            "editable": editing,
            "parameters": list(PARAMETERS),
        },
        "chosen": chosen,
        "periods": Period.choices,
        "owner_choice": owner_choice(chosen),
        # The reader's date format, not the browser's (core.localized_dates).
        "start_input": _date_input("start", chosen.start),
        "end_input": _date_input("end", chosen.end),
        "may_edit": editing,
        "errors": errors,
    }
    if editing:
        context["kinds"] = available_widgets(getattr(connection, "tenant", None), user)
        context["reports"] = reports_for(user).order_by("name", "pk")
    return render(request, "analytics/dashboards/detail.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@analytics_page("analytics.change")
def dashboard_settings(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    dashboard = editable(request, pk)
    errors: list[tuple[str, str]] = []
    status = 200
    if request.method == "POST":
        role, team = request.POST.get("shared_role", ""), request.POST.get("shared_team", "")
        values = {
            "name": request.POST.get("name", ""),
            "period": request.POST.get("period", ""),
            "sharing": request.POST.get("sharing", "") or Sharing.PRIVATE,
            "shared_role": Role.objects.filter(pk=int(role)).first() if role.isascii() and role.isdigit() else None,
            "shared_team": Team.objects.filter(pk=int(team)).first() if team.isascii() and team.isdigit() else None,
        }
        try:
            update_dashboard(dashboard, by=user, **values)
        except ValidationError as error:
            errors, status = errors_of(error), 400
            dashboard.refresh_from_db()
        else:
            messages.success(request, _("Dashboard saved."))
            return redirect("analytics:dashboard-detail", pk=dashboard.pk)
    return render(
        request,
        "analytics/dashboards/settings.html",
        {
            "dashboard": dashboard,
            "periods": Period.choices,
            "sharings": Sharing.choices,
            "roles": Role.objects.order_by("name"),
            "teams": Team.objects.order_by("name"),
            "errors": errors,
        },
        status=status,
    )


@require_POST
@analytics_page("analytics.change")
def dashboard_delete(request: HttpRequest, pk: int) -> HttpResponse:
    dashboard = editable(request, pk)
    delete_dashboard(dashboard, by=signed_in_user(request))
    messages.success(request, _("Dashboard deleted."))
    return redirect("analytics:dashboard-list")
