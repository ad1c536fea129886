"""The sales-by page: a bar chart of won revenue per group and a table of every figure, each row
opening the deal list on the deals it counts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from identity.decorators import signed_in_user
from identity.forms import form_status
from identity.models import Team
from modules.analytics.sales_breakdown.filters import DIMENSION_CHOICES, PERIOD_CHOICES, SalesBreakdownForm
from modules.analytics.sales_breakdown.presentation import deal_list_url, label_groups
from modules.analytics.sales_breakdown.selectors import Breakdown, sales_breakdown
from modules.analytics.views import sales_analysis_page
from modules.lists.actions import owner_choices
from modules.sales.choices import DealStatus


def run(user: Any, data: dict[str, Any]) -> Breakdown:
    """The breakdown a valid form asks for, its groups labelled."""
    result = sales_breakdown(
        user, data["by"], data["start"], data["end"], custom_key=data["field"], owner=data["owner"], team=data["team"]
    )
    label_groups(result, data.get("definition"))
    return result


@require_safe
@sales_analysis_page("sales.view")
def sales_breakdown_page(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = SalesBreakdownForm(request.GET)
    result, rows, chart, total_urls = None, [], None, None
    if form.is_valid():
        data = form.cleaned_data
        result = run(user, data)
        scope = {"owner": data["owner"], "team": data["team"]}
        rows = [
            (group, deal_list_url(result, group, **scope), deal_list_url(result, group, DealStatus.LOST, **scope))
            for group in result.groups
        ]
        total_urls = (deal_list_url(result, None, **scope), deal_list_url(result, None, DealStatus.LOST, **scope))
        chart = {
            "labels": [group.label for group, _won, _lost in rows],
            "revenue": [float(group.revenue) for group, _won, _lost in rows],
            "urls": [won for _group, won, _lost in rows],
            "currency": result.base_currency,
        }
    context = {
        "form": form,
        "result": result,
        "rows": rows,
        "total_urls": total_urls,
        "chart": chart,
        "dimensions": DIMENSION_CHOICES,
        "periods": PERIOD_CHOICES,
        "custom_fields": form.custom_fields,
        "owners": owner_choices(user),
        "teams": Team.objects.order_by("name"),
    }
    return render(request, "analytics/sales_breakdown/page.html", context, status=form_status(form))
