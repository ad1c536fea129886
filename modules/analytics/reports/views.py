"""The report builder's pages: saved reports, the builder (new and edit, with a preview that saves
nothing), a report run with its chart and pivot, and its exports.

Reading needs ``analytics.view`` (a report the reader may not open is a 404); building, saving and
deleting ``analytics.change`` and, for an existing report, being its owner (403 otherwise);
exports also ``data.export``, like every other bulk download.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from identity.decorators import require_permission, signed_in_user
from identity.models import Role, Team
from modules.analytics.reports import builder
from modules.analytics.reports.choices import ChartType, Sharing
from modules.analytics.reports.delivery.views import panel as delivery_panel
from modules.analytics.reports.execution import run_report
from modules.analytics.reports.exports import FORMATS, export_response
from modules.analytics.reports.fields import source_fields
from modules.analytics.reports.models import Report
from modules.analytics.reports.presentation import chart_data, pivot, shown_rows
from modules.analytics.reports.registry import registered_sources, source_named
from modules.analytics.reports.running import RUN_PARAMETERS, run_saved
from modules.analytics.reports.selectors import access_for, checked, may_edit, reports_for, sources_for
from modules.analytics.reports.services import create_report, delete_report, update_report
from modules.analytics.views import analytics_page


def _report(request: HttpRequest, pk: int) -> Report:
    report = reports_for(signed_in_user(request)).filter(pk=pk).first()
    if report is None:
        raise Http404(_("No such report."))
    return report


def _editable(request: HttpRequest, pk: int) -> Report:
    report = _report(request, pk)
    if not may_edit(signed_in_user(request), report):
        raise PermissionDenied(_("Only the report's owner changes it."))
    return report


@require_safe
@analytics_page()
def report_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    labels = {source.key: source.label for source in registered_sources()}
    reports = [
        (report, labels.get(report.source, report.source))
        for report in reports_for(user).select_related("shared_role", "shared_team")
    ]
    return render(request, "analytics/reports/list.html", {"reports": reports})


@require_safe
@analytics_page()
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    report = _report(request, pk)
    params = {name: request.GET[name] for name in RUN_PARAMETERS if request.GET.get(name)}
    try:
        result = run_saved(report, user, access_for(user), params)
    except ValidationError as error:
        return render(
            request,
            "analytics/reports/detail.html",
            {
                "report": report,
                "errors": _labelled(error),
                "may_edit": may_edit(user, report),
                # A report that no longer runs is when its failed deliveries matter most.
                "deliveries_panel": delivery_panel(report) if may_edit(user, report) else None,
            },
            status=400,
        )
    rows = shown_rows(result)
    return render(
        request,
        "analytics/reports/detail.html",
        {
            "report": report,
            "result": result,
            "rows": rows,
            "pivot": pivot(result, rows),
            "chart": chart_data(result, rows, report.chart),
            "may_edit": may_edit(user, report),
            "may_export": user.has_perm("data.export"),
            "query": request.GET.urlencode(),
            "deliveries_panel": delivery_panel(report) if may_edit(user, report) else None,
        },
    )


def _labelled(error: ValidationError) -> list[tuple[str, str]]:
    return [(builder.error_label(key), message) for key, found in error.message_dict.items() for message in found]


def _meta_values(meta: dict[str, str]) -> dict[str, Any]:
    """The form's name, chart and sharing as the services take them (unknown ids: no role/team)."""
    role = Role.objects.filter(pk=int(meta["shared_role"])).first() if meta["shared_role"].isdigit() else None
    team = Team.objects.filter(pk=int(meta["shared_team"])).first() if meta["shared_team"].isdigit() else None
    return {
        "name": meta["name"],
        "description": meta["description"],
        "chart": meta["chart"] or ChartType.BAR,
        "sharing": meta["sharing"] or Sharing.PRIVATE,
        "shared_role": role,
        "shared_team": team,
    }


def _builder(request: HttpRequest, report: Report | None) -> HttpResponse:
    user = signed_in_user(request)
    access = access_for(user)
    sources = sources_for(access)
    context: dict[str, Any] = {"report": report, "sources": sources, **builder.choices()}
    context["chart_types"] = ChartType.choices
    context["sharings"] = Sharing.choices
    context["roles"] = list(Role.objects.order_by("name"))
    context["teams"] = list(Team.objects.order_by("name"))
    errors: list[tuple[str, str]] = []
    status = 200
    if request.method == "POST":
        posted = builder.read_form(request.POST)
        source_key, definition, meta = posted.source, posted.definition, posted.meta
        values = _meta_values(meta)
        try:
            if request.POST.get("action") == "save":
                values = {**values, "source": source_key, "definition": definition}
                if report is None:
                    report = create_report(by=user, **values)
                else:
                    report = update_report(report, by=user, **values)
                messages.success(request, _("Report saved."))
                return redirect("analytics:report-detail", pk=report.pk)
            source, _fields, spec = checked(source_key, definition, access)
            result = run_report(source, spec, user)
            rows = shown_rows(result)
            context.update(
                result=result, rows=rows, pivot=pivot(result, rows), chart=chart_data(result, rows, values["chart"])
            )
        except ValidationError as error:
            errors = _labelled(error)
            status = 400
    else:
        source_key = request.GET.get("source") or (report.source if report else (sources[0].key if sources else ""))
        definition = report.definition if report and source_key == report.source else {}
        meta = {
            "name": report.name if report else "",
            "description": report.description if report else "",
            "chart": report.chart if report else ChartType.BAR,
            "sharing": report.sharing if report else Sharing.PRIVATE,
            "shared_role": str(report.shared_role_id or "") if report else "",
            "shared_team": str(report.shared_team_id or "") if report else "",
        }
    chosen = source_named(source_key)
    if chosen is None or chosen not in sources:
        chosen = sources[0] if sources else None
    fields = list(source_fields(chosen, access).values()) if chosen else []
    context.update(
        source=chosen,
        fields=fields,
        form=builder.form_rows(definition),
        meta=meta,
        errors=errors,
    )
    return render(request, "analytics/reports/builder.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@analytics_page("analytics.change")
def report_new(request: HttpRequest) -> HttpResponse:
    return _builder(request, None)


@require_http_methods(["GET", "HEAD", "POST"])
@analytics_page("analytics.change")
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _builder(request, _editable(request, pk))


@require_POST
@analytics_page("analytics.change")
def report_delete(request: HttpRequest, pk: int) -> HttpResponse:
    report = _editable(request, pk)
    delete_report(report, by=signed_in_user(request))
    messages.success(request, _("Report deleted."))
    return redirect("analytics:report-list")


@require_safe
@analytics_page()
def report_export(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    require_permission(request, "data.export")
    if file_format not in FORMATS:
        raise Http404(_("No such format."))
    user = signed_in_user(request)
    report = _report(request, pk)
    params: QueryDict = request.GET
    try:
        # A streamed CSV or a file: not an HttpResponse, but answered like one.
        return cast(HttpResponse, export_response(report, user, access_for(user), file_format, params))
    except ValidationError as error:
        return HttpResponse("; ".join(f"{label}: {message}" for label, message in _labelled(error)), status=400)
