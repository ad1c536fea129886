"""The warehouse export's page under analytics (start an export, follow it, download the file) and
the one view that hands the file out. Administrators only: ``settings.manage_tenant`` and
``data.export`` besides ``analytics.view``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from identity.decorators import require_permission, signed_in_user
from modules.analytics.views import analytics_page
from modules.analytics.warehouse.models import WarehouseExport, WarehouseExportStatus
from modules.analytics.warehouse.services import (
    PERMISSIONS,
    belongs_to_current_tenant,
    start_export,
    warehouse_storage,
)
from modules.analytics.warehouse.tables import TABLES
from modules.plan_gate import ensure_in_plan

PAGE_SIZE = 20


@require_http_methods(["GET", "HEAD", "POST"])
@analytics_page(*PERMISSIONS)
def warehouse(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        start_export(user=signed_in_user(request))
        messages.success(request, _("The export has started; this page shows when it is ready."))
        return redirect("analytics:warehouse")
    exports = list(WarehouseExport.objects.select_related("created_by").order_by("-created_at", "-id")[:PAGE_SIZE])
    context = {
        "exports": exports,
        "running": any(not export.is_finished for export in exports),
        "tables": [spec.name for spec in TABLES],
    }
    fragment = bool(request.headers.get("HX-Request"))
    return render(
        request, "analytics/warehouse/_exports.html" if fragment else "analytics/warehouse/index.html", context
    )


def open_export_file(pk: int) -> tuple[WarehouseExport, FileResponse]:
    """The export's file as a download; 404 unless it is finished and its key is this tenant's."""
    export = get_object_or_404(WarehouseExport, pk=pk)
    storage = warehouse_storage()
    if export.status != WarehouseExportStatus.DONE or not belongs_to_current_tenant(export.file_key):
        raise Http404
    if not storage.exists(export.file_key):
        raise Http404
    response = FileResponse(
        storage.open(export.file_key, "rb"),
        as_attachment=True,
        filename=export.download_name,
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return export, response


@login_required
@require_safe
def warehouse_download(request: HttpRequest, pk: int) -> FileResponse:
    """The page's guard (``analytics_page``) spelled out: it wraps views that render pages."""
    ensure_in_plan(getattr(request, "tenant", None), "analytics")
    for code in ("analytics.view", *PERMISSIONS):
        require_permission(request, code)
    return open_export_file(pk)[1]
