"""Import pages: history, upload, column mapping, preview, progress (polled by htmx), result with the
error report and undo. Every job page answers 404 for an id not in this tenant's schema, 403
while the record module is not in the plan (ModuleNotInPlan), and 403 without ``data.import``
and the record module's change permission."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from identity.decorators import permission_required, signed_in_user
from modules.dataio.access import ensure_may_open_job, may_open_job
from modules.dataio.imports.choices import DedupeRule, ImportEntity, ImportStatus
from modules.dataio.imports.models import ImportJob
from modules.dataio.imports.processing import missing_company_count, order_counts, preview, sample_rows
from modules.dataio.imports.report import ErrorLabels, error_report_lines
from modules.dataio.imports.services import (
    MODULE_OF,
    max_file_bytes,
    may_import,
    set_create_missing_companies,
    set_mapping,
    start_import,
    undo_counts,
    undo_import,
    undo_refusal,
    upload_file,
)
from modules.dataio.imports.targets import targets_for
from modules.plan_gate import ensure_in_plan

PERMISSION = "data.import"
PAGE_SIZE = 50


class UploadForm(forms.Form):
    entity = forms.ChoiceField(label=gettext_lazy("Records in the file"), choices=ImportEntity.choices)
    file = forms.FileField(
        label=gettext_lazy("File"), help_text=gettext_lazy("CSV (any delimiter, UTF-8 or Windows-1252) or XLSX.")
    )

    def __init__(self, *args: Any, entities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = entities  # type: ignore[attr-defined]
        self.fields["entity"].widget.attrs["class"] = "form-select"
        self.fields["file"].widget.attrs.update(
            {"class": "form-control", "accept": ".csv,.txt,.tsv,.xlsx,text/csv,application/vnd.ms-excel"}
        )


def _allowed_entities(request: HttpRequest) -> list[tuple[str, str]]:
    user = signed_in_user(request)
    tenant = getattr(request, "tenant", None)
    return [(value, str(label)) for value, label in ImportEntity.choices if may_import(user, tenant, value)]


def _job(request: HttpRequest, pk: int) -> ImportJob:
    """The job if this user may have it (its creator or an admin, as for exports); 404 otherwise."""
    user = signed_in_user(request)
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    ensure_may_open_job(user, job.created_by_id)
    ensure_in_plan(getattr(request, "tenant", None), MODULE_OF[job.entity])
    if not may_import(user, getattr(request, "tenant", None), job.entity):
        raise PermissionDenied(_("Your role may not import these records."))
    return job


@permission_required(PERMISSION)
def job_list(request: HttpRequest) -> HttpResponse:
    """Newest first, fifty a page; older pages by the last id seen (no OFFSET, no COUNT). Everyone's
    for an admin, one's own for anyone else."""
    user = signed_in_user(request)
    jobs = ImportJob.objects.select_related("created_by").order_by("-id")
    if not may_open_job(user, None):
        jobs = jobs.filter(created_by=user)
    before = request.GET.get("before", "")
    if before.isdigit():
        jobs = jobs.filter(pk__lt=int(before))
    page = list(jobs[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    return render(
        request,
        "imports/list.html",
        {"jobs": page, "next_before": page[-1].pk if more else None, "entities": _allowed_entities(request)},
    )


@permission_required(PERMISSION)
def upload(request: HttpRequest) -> HttpResponse:
    entities = _allowed_entities(request)
    if not entities:
        raise PermissionDenied(_("Your role may not import any records."))
    form = UploadForm(request.POST or None, request.FILES or None, entities=entities)
    if request.GET.get("entity") and not form.is_bound:
        form.initial["entity"] = request.GET["entity"]
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = upload_file(
                    entity=form.cleaned_data["entity"], upload=form.cleaned_data["file"], by=signed_in_user(request)
                )
            except ValidationError as error:
                for field, field_errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, field_errors)
            else:
                # A workbook is read by the worker first: its page shows the reading, then the mapping.
                return redirect("imports:mapping" if job.status == ImportStatus.MAPPING else "imports:detail", job.pk)
        status = 400
    limit = max_file_bytes() // (1024 * 1024)
    return render(request, "imports/upload.html", {"form": form, "limit": limit}, status=status)


@permission_required(PERMISSION)
def mapping(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if job.status != ImportStatus.MAPPING:
        return redirect("imports:detail", job.pk)
    errors: dict[str, list[str]] = {}
    chosen, dedupe = job.mapping, job.dedupe
    if request.method == "POST":
        chosen = [request.POST.get(f"column_{index}", "") for index in range(len(job.header))]
        dedupe = request.POST.get("dedupe", "")
        try:
            set_mapping(job, mapping=chosen, dedupe=dedupe)
        except ValidationError as error:
            errors = error.message_dict
        else:
            return redirect("imports:preview", job.pk)
    samples = [cells for _number, cells in sample_rows(job)[:3]]
    columns = [
        {
            "index": index,
            "title": title,
            "target": chosen[index] if index < len(chosen) else "",
            "samples": [row[index] for row in samples if index < len(row) and row[index]],
            "errors": errors.get(f"column_{index}", []),
        }
        for index, title in enumerate(job.header)
    ]
    context = {
        "job": job,
        "columns": columns,
        "targets": targets_for(job.entity),
        "dedupe": dedupe,
        "dedupe_choices": DedupeRule.choices,
        "errors": errors,
    }
    return render(request, "imports/mapping.html", context, status=400 if errors else 200)


@permission_required(PERMISSION)
def preview_page(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if job.status != ImportStatus.MAPPING:
        return redirect("imports:detail", job.pk)
    rows, outcome = preview(job, signed_in_user(request))
    labels = ErrorLabels(job)
    planned = {row.number: row for row in outcome.plan.planned}
    shown = []
    for number, cells in rows:
        cell_errors, other = labels.by_cell(outcome.errors.get(number, {}))
        if number in outcome.errors:
            state = "error"
        elif number in outcome.skipped:
            state = "skip"
        elif number in planned and not planned[number].created:
            state = "update" if planned[number].changes else "unchanged"
        else:
            state = "create"
        shown.append(
            {
                "number": number,
                "state": state,
                "cells": [{"value": value, "errors": cell_errors.get(index, [])} for index, value in enumerate(cells)],
                "other": other,
            }
        )
    mapped = [index for index, key in enumerate(job.mapping) if key]
    context = {
        "job": job,
        "rows": shown,
        "mapped": mapped,
        "error_count": len(outcome.errors),
        # Offered while some exist, and kept on show once chosen (the count is then 0 no more).
        "missing_companies": missing_company_count(job),
        "order_counts": order_counts(job),
    }
    return render(request, "imports/preview.html", context)


@require_POST
@permission_required(PERMISSION)
def choose_missing_companies(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        set_create_missing_companies(job, create=request.POST.get("create") == "1")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("imports:detail", job.pk)
    return redirect("imports:preview", job.pk)


@require_POST
@permission_required(PERMISSION)
def start(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        start_import(job, by=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("imports:mapping" if job.status == ImportStatus.MAPPING else "imports:detail", job.pk)
    return redirect("imports:detail", job.pk)


@permission_required(PERMISSION)
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(request, "imports/detail.html", {"job": job})


@permission_required(PERMISSION)
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress card alone (htmx polls it while the job runs)."""
    return render(request, "imports/_progress.html", {"job": _job(request, pk)})


@permission_required(PERMISSION)
def error_report(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    response = StreamingHttpResponse(error_report_lines(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return cast(HttpResponse, response)


@permission_required(PERMISSION)
def original_file(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        stream = job.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is no longer stored.")) from None
    return cast(HttpResponse, FileResponse(stream, as_attachment=True, filename=job.original_name))


@permission_required(PERMISSION)
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if request.method == "POST":
        try:
            undo_import(job, by=signed_in_user(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The import was undone."))
        return redirect("imports:detail", job.pk)
    context = {"job": job, "counts": undo_counts(job), "refusal": undo_refusal(job, by=signed_in_user(request))}
    return render(request, "imports/undo.html", context)
