"""The sales funnel page: a chart of the deals entering each stage and a table of every figure."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from identity.decorators import signed_in_user
from identity.forms import form_status
from identity.models import Team
from modules.analytics.funnel.filters import FunnelFilterForm
from modules.analytics.funnel.selectors import Funnel, funnel
from modules.analytics.views import sales_analysis_page
from modules.lists.actions import owner_choices
from modules.sales.models import Pipeline


def stage_list_url(stage_id: int, owner_id: int | None) -> str:
    """The deal list showing the deals now in the stage (the list filters by stage and owner)."""
    query: dict[str, Any] = {"stage": stage_id}
    if owner_id is not None:
        query["owner"] = owner_id
    return f"{reverse('sales:deal-list')}?{urlencode(query)}"


def chart_data(result: Funnel, owner_id: int | None) -> dict[str, Any]:
    rows = [row for row in result.stages if row.stage.kind != "lost"]
    return {
        "labels": [row.stage.name for row in rows],
        "entered": [row.entered for row in rows],
        "urls": [stage_list_url(row.stage.pk, owner_id) for row in rows],
    }


@require_safe
@sales_analysis_page("sales.view")
def funnel_page(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = FunnelFilterForm(request.GET)
    result = None
    if form.is_valid():
        data = form.cleaned_data
        result = funnel(user, data["pipeline"], data["start"], data["end"], owner=data["owner"], team=data["team"])
    owner = form.cleaned_data.get("owner") if form.is_valid() else None
    context = {
        "form": form,
        "funnel": result,
        "rows": [
            (row, stage_list_url(row.stage.pk, owner.pk if owner else None))
            for row in (result.stages if result else [])
        ],
        "chart": chart_data(result, owner.pk if owner else None) if result else None,
        "pipelines": Pipeline.objects.filter(is_archived=False).order_by("position", "id"),
        "owners": owner_choices(user),
        "teams": Team.objects.order_by("name"),
    }
    return render(request, "analytics/funnel/funnel.html", context, status=form_status(form))
