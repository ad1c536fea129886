"""A pipeline's page in Settings → Pipelines: rename it, add, edit, order and delete its stages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from identity.decorators import permission_required, signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.sales.choices import StageKind
from modules.sales.forms.pipeline_admin import PipelineForm, StageForm, TargetStageForm
from modules.sales.models import Pipeline, Stage
from modules.sales.services.pipeline_admin import (
    add_stage,
    delete_stage,
    rename_pipeline,
    reorder_stages,
    required_field_choices,
    update_stage,
)
from modules.sales.views.pipeline_admin import PERMISSION, moved_order, reorder_response


def new_stage_form(data: Any = None) -> StageForm:
    return StageForm(data, initial={"kind": StageKind.OPEN, "probability": 10}, prefix="new")


def edit_stage_form(stage: Stage, data: Any = None) -> StageForm:
    return StageForm(data, initial=StageForm.initial_of(stage), prefix=f"stage-{stage.pk}")


def render_pipeline_page(
    request: HttpRequest,
    pipeline: Pipeline,
    *,
    stage_form: StageForm | None = None,
    rename_form: PipelineForm | None = None,
    editing: Stage | None = None,
    edit_form: StageForm | None = None,
) -> HttpResponse:
    stages = list(pipeline.stages.annotate(deal_count=Count("deals")).order_by("position", "id"))
    kinds = {stage.kind for stage in stages}
    forms = [form for form in (stage_form, rename_form, edit_form) if form is not None]
    return render(
        request,
        "sales/pipeline_admin/detail.html",
        {
            "pipeline": pipeline,
            "stages": stages,
            "stage_form": stage_form or new_stage_form(),
            "rename_form": rename_form or PipelineForm(initial={"name": pipeline.name}),
            "editing": editing,
            "edit_form": edit_form,
            "field_labels": dict(required_field_choices()),
            "missing_won": StageKind.WON not in kinds,
            "missing_lost": StageKind.LOST not in kinds,
        },
        status=max([form_status(form) for form in forms], default=200),
    )


@permission_required(PERMISSION)
def pipeline_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The stages table; a POST adds a stage."""
    pipeline = get_object_or_404(Pipeline, pk=pk)
    form = new_stage_form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            stage = add_stage(pipeline, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Stage %(name)s is added.") % {"name": stage.name})
            return redirect("pipelines-admin:detail", pipeline.pk)
    return render_pipeline_page(request, pipeline, stage_form=form)


@permission_required(PERMISSION)
@require_POST
def pipeline_rename(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk)
    form = PipelineForm(request.POST)
    if form.is_valid():
        try:
            rename_pipeline(pipeline, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The pipeline is renamed."))
            return redirect("pipelines-admin:detail", pipeline.pk)
    return render_pipeline_page(request, pipeline, rename_form=form)


@permission_required(PERMISSION)
def stage_edit(request: HttpRequest, pk: int, stage_pk: int) -> HttpResponse:
    """The pipeline's page with one stage's row as a form."""
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=stage_pk, pipeline_id=pk)
    form = edit_stage_form(stage, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            update_stage(stage, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Stage %(name)s is saved.") % {"name": form.cleaned_data["name"]})
            return redirect("pipelines-admin:detail", pk)
    return render_pipeline_page(request, stage.pipeline, editing=stage, edit_form=form)


@permission_required(PERMISSION)
@require_POST
def stage_reorder(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk)
    back = reverse("pipelines-admin:detail", args=[pipeline.pk])
    return reorder_response(
        request, lambda order: reorder_stages(pipeline, order=order), request.POST.getlist("order"), back
    )


@permission_required(PERMISSION)
@require_POST
def stage_move(request: HttpRequest, pk: int, stage_pk: int) -> HttpResponse:
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=stage_pk, pipeline_id=pk)
    ids = list(stage.pipeline.stages.order_by("position", "id").values_list("pk", flat=True))
    order = moved_order(ids, stage.pk, request.POST.get("direction", ""))
    back = reverse("pipelines-admin:detail", args=[pk])
    return reorder_response(request, lambda order: reorder_stages(stage.pipeline, order=order), order, back)


@permission_required(PERMISSION)
def stage_delete(request: HttpRequest, pk: int, stage_pk: int) -> HttpResponse:
    """Confirm, and when deals are in the stage ask which stage of the same kind they move to."""
    stage = get_object_or_404(
        Stage.objects.select_related("pipeline").annotate(deal_count=Count("deals")), pk=stage_pk, pipeline_id=pk
    )
    targets = Stage.objects.filter(kind=stage.kind, pipeline__is_archived=False).exclude(pk=stage.pk)
    form = TargetStageForm(request.POST if request.method == "POST" else None, stages=targets)
    form.fields["target_stage"].required = stage.deal_count > 0  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            moved = delete_stage(stage, target_stage=form.cleaned_data.get("target_stage"), by=signed_in_user(request))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            text = ngettext(
                "Stage %(name)s is deleted; %(count)d deal moved.",
                "Stage %(name)s is deleted; %(count)d deals moved.",
                moved,
            )
            messages.success(request, text % {"name": stage.name, "count": moved})
            return redirect("pipelines-admin:detail", pk)
    return render(
        request,
        "sales/pipeline_admin/stage_delete.html",
        {"stage": stage, "pipeline": stage.pipeline, "form": form},
        status=form_status(form),
    )
