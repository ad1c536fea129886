"""The kanban board of a pipeline and the move endpoint its drag and drop posts to."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.localized_dates import LocalizedDateInput
from modules.contacts.services.money import base_currency
from modules.sales.choices import StageKind
from modules.sales.forms.deals import MoveForm
from modules.sales.forms.leads import active_users
from modules.sales.models import LostReason, Pipeline, Stage
from modules.sales.selectors.board import CARDS_PER_COLUMN, board_columns
from modules.sales.selectors.deals import visible_deals
from modules.sales.services.board import order_stage_cards
from modules.sales.services.deals import move_deal_to_stage
from modules.sales.services.pipelines import default_pipeline
from modules.sales.views import current_user, pipeline_page


@pipeline_page("sales.view")
def board(request: HttpRequest, pipeline_pk: int | None = None) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pipeline_pk) if pipeline_pk is not None else default_pipeline()
    if pipeline is None:
        raise Http404(_("There is no pipeline yet."))
    user = current_user(request)
    owner_param = request.GET.get("owner", "")
    owners = list(active_users())
    owner = None
    if owner_param == "me":
        owner = user
    elif owner_param:
        owner = next((person for person in owners if str(person.pk) == owner_param), None)
        if owner is None:
            return HttpResponseBadRequest(_("owner: choose one of the workspace's users."))
    columns = board_columns(pipeline, user, owner_id=owner.pk if owner else None)
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
            "owners": owners,
            "owner": owner,
            "owner_param": owner_param,
            # typed in the reader's date format, not the browser's (core.localized_dates)
            "close_date_input": LocalizedDateInput(attrs={"class": "form-control", "id": "move-close"}).render(
                "expected_close_date", None
            ),
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


@pipeline_page("sales.view", "sales.change")
@require_POST
def stage_order(request: HttpRequest, stage_pk: int) -> JsonResponse:
    """Keep the order of the cards of a stage as dragged: ``deal`` ids, top first."""
    stage = get_object_or_404(Stage, pk=stage_pk)
    raw = request.POST.getlist("deal")
    if not all(value.isdigit() and len(value) < 12 for value in raw):
        return JsonResponse({"errors": {"deal": [{"message": _("Send deal ids.")}]}}, status=400)
    ids = {int(value) for value in raw}
    deals = visible_deals(current_user(request))
    if deals.filter(pk__in=ids).count() != len(ids):
        raise Http404  # a deal the user may not see (or of no one) is not there
    try:
        ordered = order_stage_cards(stage, [int(value) for value in raw], deals=deals)
    except ValidationError as error:
        return JsonResponse(
            {"errors": {field: [{"message": text} for text in texts] for field, texts in error.message_dict.items()}},
            status=400,
        )
    return JsonResponse({"stage": stage.pk, "deals": ordered})
