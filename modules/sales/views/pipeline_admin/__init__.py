"""Settings → Pipelines pages; what they share."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from modules.sales.choices import DealStatus
from modules.sales.models import Pipeline, Stage

PERMISSION = "settings.manage_pipelines"


def pipelines_with_counts() -> QuerySet[Pipeline]:
    stage_count = Stage.objects.filter(pipeline=OuterRef("pk")).values("pipeline").annotate(n=Count("pk")).values("n")
    return Pipeline.objects.annotate(
        open_deals=Count("deals", filter=Q(deals__status=DealStatus.OPEN)),
        stage_count=Subquery(stage_count, output_field=IntegerField()),
    ).order_by("position", "id")


def moved_order(ids: Sequence[int], pk: int, direction: str) -> list[int]:
    """``ids`` with ``pk`` swapped with its neighbour above (``up``) or below (``down``)."""
    order = list(ids)
    index = order.index(pk)
    other = {"up": index - 1, "down": index + 1}.get(direction, index)
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
    return order


def reorder_response(
    request: HttpRequest, reorder: Callable[[Sequence[object]], None], order: Sequence[object], back: str
) -> HttpResponse:
    """Apply a new order: JSON for the drag and drop script, a redirect back for the buttons."""
    try:
        reorder(order)
    except ValidationError as error:
        if request.headers.get("X-Requested-With") == "fetch":
            return JsonResponse({"errors": error.message_dict}, status=400)
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    if request.headers.get("X-Requested-With") == "fetch":
        return JsonResponse({"order": [int(str(pk)) for pk in order]})
    return redirect(back)
