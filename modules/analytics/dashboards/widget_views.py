"""A dashboard's widget endpoints: the figures of one widget (JSON, under the shared filters), and
the owner's changes — add a widget, rename or remove one, save the grid's layout after a drag.

The figures need ``analytics.view`` and a dashboard the reader may open; each widget answers on its
own (``loading.load_widget``), so one that fails or times out leaves the others. Changes need
``analytics.change`` and the dashboard's owner; a refused change names the field (400)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from identity.decorators import signed_in_user
from modules.analytics.dashboards.filters import read_filters
from modules.analytics.dashboards.loading import Visibility, load_widget
from modules.analytics.dashboards.models import Dashboard, Widget
from modules.analytics.dashboards.services import add_widget, remove_widget, save_layout, update_widget
from modules.analytics.dashboards.views import dashboard_of, editable, errors_of
from modules.analytics.reports.models import Report
from modules.analytics.reports.selectors import access_for
from modules.analytics.views import analytics_page

MAX_LAYOUT_BYTES = 20_000


def _widget(dashboard: Dashboard, widget_pk: int) -> Widget:
    widget = dashboard.widgets.select_related("report", "dashboard").filter(pk=widget_pk).first()
    if widget is None:
        raise Http404(_("No such widget."))
    return widget


def refused(error: ValidationError, status: int = 400) -> JsonResponse:
    return JsonResponse(
        {"errors": [{"field": key, "message": message} for key, message in errors_of(error)]}, status=status
    )


@require_safe
@analytics_page()
def widget_data(request: HttpRequest, pk: int, widget_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    dashboard = dashboard_of(request, pk)
    widget = _widget(dashboard, widget_pk)
    try:
        chosen = read_filters(request.GET, dashboard.period)
    except ValidationError as error:
        return refused(error)
    access = access_for(user)
    visibility = Visibility(user, {widget.report_id} if widget.report_id else set(), access)
    loaded = load_widget(widget, user, access, chosen.applied, visibility)
    return JsonResponse(loaded.payload, status=loaded.status)


def _report(value: str) -> Report | None:
    return Report.objects.filter(pk=int(value)).first() if value.isascii() and value.isdigit() else None


@require_POST
@analytics_page("analytics.change")
def widget_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    dashboard = editable(request, pk)
    choice = request.POST.get("widget", "")
    kind, _sep, value = choice.partition(":")
    values: dict[str, Any] = {"title": request.POST.get("title", "")}
    try:
        if kind == "report":
            add_widget(dashboard, by=user, report=_report(value) or Report(pk=0), **values)
        else:
            add_widget(dashboard, by=user, kind=value if kind == "kind" else choice, **values)
    except ValidationError as error:
        for key, message in errors_of(error):
            messages.error(request, f"{key}: {message}")
        return redirect("analytics:dashboard-detail", pk=dashboard.pk)
    messages.success(request, _("Widget added."))
    return redirect("analytics:dashboard-detail", pk=dashboard.pk)


@require_POST
@analytics_page("analytics.change")
def widget_change(request: HttpRequest, pk: int, widget_pk: int) -> HttpResponse:
    """A widget's title and, for a report's, the date field the period narrows (``auto``: the
    report's own choice, ``none``: all time whatever the period)."""
    widget = _widget(editable(request, pk), widget_pk)
    values: dict[str, Any] = {"title": request.POST.get("title", "")}
    if widget.report_id is not None and "date_field" in request.POST:
        chosen = request.POST["date_field"]
        options = {key: value for key, value in widget.options.items() if key != "date_field"}
        if chosen != "auto":
            options["date_field"] = "" if chosen == "none" else chosen
        values["options"] = options
    try:
        update_widget(widget, by=signed_in_user(request), **values)
    except ValidationError as error:
        for key, message in errors_of(error):
            messages.error(request, f"{key}: {message}")
    return redirect("analytics:dashboard-detail", pk=pk)


@require_POST
@analytics_page("analytics.change")
def widget_remove(request: HttpRequest, pk: int, widget_pk: int) -> HttpResponse:
    widget = _widget(editable(request, pk), widget_pk)
    remove_widget(widget, by=signed_in_user(request))
    messages.success(request, _("Widget removed."))
    return redirect("analytics:dashboard-detail", pk=pk)


@require_POST
@analytics_page("analytics.change")
def layout_save(request: HttpRequest, pk: int) -> HttpResponse:
    """The grid after a drag or resize: ``{"widgets": [{"id", "x", "y", "width", "height"}]}``."""
    dashboard = editable(request, pk)
    if len(request.body) > MAX_LAYOUT_BYTES:
        return refused(ValidationError({"widgets": [_("The layout is too large.")]}))
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return refused(ValidationError({"widgets": [_("Send the layout as JSON.")]}))
    places = body.get("widgets") if isinstance(body, dict) else None
    try:
        moved = save_layout(dashboard, by=signed_in_user(request), places=places)
    except ValidationError as error:
        return refused(error)
    return JsonResponse({"saved": [widget.pk for widget in moved]})
