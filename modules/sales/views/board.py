"""The kanban board of a pipeline and the move endpoint its drag and drop posts to."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from modules.contacts.services.money import base_currency
from modules.sales.choices import StageKind
from modules.sales.forms.deals import MoveForm
from modules.sales.models import LostReason, Pipeline
from modules.sales.selectors.board import CARDS_PER_COLUMN, board_columns
from modules.sales.selectors.deals import visible_deals
from modules.sales.services.deals import move_deal_to_stage
from modules.sales.services.pipelines import default_pipeline
from modules.sales.views import current_user, pipeline_page


@pipeline_page("sales.view")
def board(request: HttpRequest, pipeline_pk: int | None = None) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pipeline_pk) if pipeline_pk is not None else default_pipeline()
    if pipeline is None:
        raise Http404(_("There is no pipeline yet."))
    columns = board_columns(pipeline, current_user(request))
    return render(
        request,
        "sales/board/board.html",
        {
            "pipeline": pipeline,
            "pipelines": list(Pipeline.objects.filter(is_archived=False)),
            "columns": columns,
            "currency": base_currency(),
            "lost_reasons": list(LostReason.objects.filter(is_active=True)),
            "per_column": CARDS_PER_COLUMN,
        },
    )


@pipeline_page("sales.view", "sales.change")
@require_POST
def deal_move(request: HttpRequest, pk: int) -> JsonResponse:
    """Move a deal to a stage; 400 with field-named errors (nothing changed) when the stage needs more."""
    deal = get_object_or_404(visible_deals(current_user(request)).select_related("stage", "pipeline"), pk=pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    stage = form.cleaned_data["stage"]
    try:
        moved = move_deal_to_stage(
            deal,
            stage,
            by=current_user(request),
            lost_reason=form.cleaned_data["lost_reason"],
            lost_note=form.cleaned_data["lost_note"] or "",
            **form.values(),
        )
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        return JsonResponse(
            {
                "errors": {field: [{"message": message} for message in messages] for field, messages in errors.items()},
                "stage_kind": stage.kind,
                "lost": stage.kind == StageKind.LOST,
            },
            status=400,
        )
    return JsonResponse({"deal": moved.pk, "stage": moved.stage_id, "status": moved.status})
