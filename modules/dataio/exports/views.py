"""Export pages: a record list exported with its filters (streamed when small, a background job
when large), the user's export jobs with their progress, the full tenant export in settings, and
the one view that hands out export files."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_tenants.utils import schema_context

from identity.decorators import permission_required, require_permission, signed_in_user
from identity.models import User
from identity.time_zones import user_time_zone
from modules.dataio.access import JOB_ADMIN_PERMISSION, ensure_may_open_job
from modules.dataio.exports.choices import ExportFormat, ExportKind, ExportStatus
from modules.dataio.exports.models import ExportJob
from modules.dataio.exports.services import (
    audit_list_export,
    list_query,
    start_list_export,
    start_tenant_export,
    sync_limit,
)
from modules.dataio.exports.sources import InvalidListQuery, source_of
from modules.dataio.exports.storage import belongs_to_current_tenant, current_schema, private_storage
from modules.dataio.exports.tables import count_up_to, list_table
from modules.dataio.exports.writers import csv_chunks, write_xlsx
from modules.plan_gate import ensure_in_plan

ADMIN_PERMISSION = JOB_ADMIN_PERMISSION
CONTENT_TYPES: dict[str, str] = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.ZIP: "application/zip",
}


def _jobs_of(user: User) -> list[ExportJob]:
    return list(ExportJob.objects.filter(created_by=user, kind=ExportKind.LIST).order_by("-created_at", "-id")[:50])


def _visible_job(request: HttpRequest, pk: int) -> ExportJob:
    """The job if this user may have it: its creator, or an admin of this tenant; 404 otherwise."""
    user = signed_in_user(request)
    job = get_object_or_404(ExportJob.objects.select_related("created_by"), pk=pk)
    ensure_may_open_job(user, job.created_by_id)
    if job.kind == ExportKind.TENANT:
        require_permission(request, ADMIN_PERMISSION)
    return job


def _stream(schema: str, zone: object, chunks: Iterator[str]) -> Iterator[bytes]:
    # The response body is read after the view returned: keep the tenant's schema and the user's
    # time zone around the reads rather than trusting whatever the connection holds by then.
    with schema_context(schema), timezone.override(zone):  # type: ignore[arg-type]
        for chunk in chunks:
            yield chunk.encode()


@login_required
@require_GET
def list_export(request: HttpRequest, entity: str, file_format: str) -> HttpResponse | StreamingHttpResponse:
    """The list of ``entity`` as its page shows it for this query string, as CSV or XLSX."""
    source = source_of(entity)
    if source is None or file_format not in (ExportFormat.CSV, ExportFormat.XLSX):
        raise Http404
    ensure_in_plan(getattr(request, "tenant", None), source.module)
    require_permission(request, "data.export")
    require_permission(request, source.permission)
    user = signed_in_user(request)
    zone = user_time_zone(request)
    with timezone.override(zone):
        try:
            queryset, state = source.rows(user, request.GET)
        except InvalidListQuery as error:
            return render(request, "exports/refused.html", {"errors": list(error.errors.items())}, status=400)
        if state.errors:
            return render(request, "exports/refused.html", {"errors": [("", state.errors)]}, status=400)
        if count_up_to(queryset, limit=sync_limit() + 1) > sync_limit():
            job = start_list_export(user=user, entity=entity, file_format=file_format, query=list_query(request.GET))
            messages.info(request, _("This list is long: it is being exported in the background."))
            return redirect("exports:job", job.pk)
        audit_list_export(user=user, entity=entity, file_format=file_format, query=list_query(request.GET))
        table = list_table(source, queryset, state, user)
        name = f"{entity}-export-{timezone.localdate():%Y-%m-%d}.{file_format}"
        if file_format == ExportFormat.CSV:
            response = StreamingHttpResponse(
                _stream(current_schema(), zone, csv_chunks(table)), content_type=CONTENT_TYPES[file_format]
            )
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        target = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - FileResponse closes it
        write_xlsx(table, target, title=str(source.title))
        target.seek(0)
        return FileResponse(target, as_attachment=True, filename=name, content_type=CONTENT_TYPES[file_format])


@permission_required("data.export")
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    return render(request, "exports/jobs.html", {"jobs": _jobs_of(signed_in_user(request))})


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One job's progress; htmx polls the status fragment until the job is finished."""
    job = _visible_job(request, pk)
    template = "exports/tenant_job.html" if job.kind == ExportKind.TENANT else "exports/job.html"
    if request.headers.get("HX-Request"):
        template = "exports/includes/job_status.html"
    return render(request, template, {"job": job})


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> FileResponse:
    """The job's file, to its creator or an admin of this tenant; 404 for anyone and anything else."""
    job = _visible_job(request, pk)
    if job.status != ExportStatus.DONE or not belongs_to_current_tenant(job.file_path):
        raise Http404
    storage = private_storage()
    if not storage.exists(job.file_path):
        raise Http404
    return FileResponse(
        storage.open(job.file_path, "rb"),
        as_attachment=True,
        filename=job.download_name,
        content_type=CONTENT_TYPES.get(job.file_format, "application/octet-stream"),
    )


@permission_required(ADMIN_PERMISSION)
@require_http_methods(["GET", "POST"])
def tenant_export(request: HttpRequest) -> HttpResponse:
    """Settings → export all data: start a full export, follow it, download the zip. A bulk export
    like any other, so ``data.export`` too."""
    require_permission(request, "data.export")
    if request.method == "POST":
        job = start_tenant_export(user=signed_in_user(request))
        messages.success(request, _("The export has started; this page shows when it is ready."))
        return redirect("exports:job", job.pk)
    jobs = list(ExportJob.objects.filter(kind=ExportKind.TENANT).select_related("created_by")[:20])
    return render(request, "exports/tenant.html", {"jobs": jobs})
