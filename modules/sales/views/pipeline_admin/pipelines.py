"""Settings → Pipelines: the list of pipelines (create, order, default, archive, unarchive)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from identity.decorators import permission_required, signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.sales.choices import StageKind
from modules.sales.forms.pipeline_admin import PipelineForm, TargetStageForm
from modules.sales.models import Pipeline, Stage
from modules.sales.services.pipeline_admin import (
    archive_pipeline,
    create_pipeline,
    reorder_pipelines,
    set_default_pipeline,
    unarchive_pipeline,
)
from modules.sales.views.pipeline_admin import PERMISSION, moved_order, pipelines_with_counts, reorder_response


@permission_required(PERMISSION)
def pipeline_list(request: HttpRequest) -> HttpResponse:
    form = PipelineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pipeline = create_pipeline(**form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Pipeline %(name)s is created.") % {"name": pipeline.name})
            return redirect("pipelines-admin:detail", pipeline.pk)
    return render(
        request,
        "sales/pipeline_admin/list.html",
        {"pipelines": list(pipelines_with_counts()), "form": form},
        status=form_status(form),
    )


@permission_required(PERMISSION)
@require_POST
def pipeline_reorder(request: HttpRequest) -> HttpResponse:
    return reorder_response(
        request, lambda order: reorder_pipelines(order=order), request.POST.getlist("order"), "pipelines-admin:list"
    )


@permission_required(PERMISSION)
@require_POST
def pipeline_move(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk)
    ids = list(Pipeline.objects.order_by("position", "id").values_list("pk", flat=True))
    order = moved_order(ids, pipeline.pk, request.POST.get("direction", ""))
    return reorder_response(request, lambda order: reorder_pipelines(order=order), order, "pipelines-admin:list")


@permission_required(PERMISSION)
@require_POST
def pipeline_set_default(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk)
    try:
        set_default_pipeline(pipeline)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is now the default pipeline.") % {"name": pipeline.name})
    return redirect("pipelines-admin:list")


@permission_required(PERMISSION)
def pipeline_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Archive, asking where open deals go (and which pipeline becomes the default) when needed."""
    pipeline = get_object_or_404(pipelines_with_counts(), pk=pk)
    targets = Stage.objects.filter(kind=StageKind.OPEN, pipeline__is_archived=False).exclude(pipeline=pipeline)
    needs_target = pipeline.is_default or pipeline.open_deals > 0  # type: ignore[attr-defined]
    form = TargetStageForm(request.POST if request.method == "POST" else None, stages=targets)
    form.fields["target_stage"].required = needs_target
    if request.method == "POST" and form.is_valid():
        try:
            moved = archive_pipeline(
                pipeline, target_stage=form.cleaned_data.get("target_stage"), by=signed_in_user(request)
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            text = ngettext(
                "%(name)s is archived; %(count)d open deal moved.",
                "%(name)s is archived; %(count)d open deals moved.",
                moved,
            )
            messages.success(request, text % {"name": pipeline.name, "count": moved})
            return redirect("pipelines-admin:list")
    return render(
        request,
        "sales/pipeline_admin/archive.html",
        {"pipeline": pipeline, "form": form, "needs_target": needs_target},
        status=form_status(form),
    )


@permission_required(PERMISSION)
@require_POST
def pipeline_unarchive(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = unarchive_pipeline(get_object_or_404(Pipeline, pk=pk))
    messages.success(request, _("%(name)s is active again.") % {"name": pipeline.name})
    return redirect("pipelines-admin:list")
