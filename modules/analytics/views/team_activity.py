"""Team activity: what each visible rep did over a chosen range (analytics, with sales.view and
sales.view_reports). It used to live at /team-activity/, which redirects here."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.input_bounds import moment_problem
from core.localized_dates import LocalizedDateField, LocalizedDateInput
from identity.decorators import signed_in_user
from modules.activities.choices import ActivityKind
from modules.analytics.views import sales_analysis_page
from modules.sales.selectors.rep_activity import rep_activity

DEFAULT_DAYS = 30
MAX_DAYS = 366 * 2


def _date(value: str | None, default: dt.date) -> dt.date:
    """A date typed in the reader's format (or ISO 8601); the default when absent or unreadable."""
    try:
        day = LocalizedDateField(required=False).clean(value) or default
    except ValidationError:
        return default
    return default if moment_problem(day) else day  # outside the platform's window (core.input_bounds)


@require_safe
@sales_analysis_page("sales.view", "sales.view_reports")
def team_activity(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    end = _date(request.GET.get("end"), today)
    start = _date(request.GET.get("start"), end - dt.timedelta(days=DEFAULT_DAYS - 1))
    if start > end:
        start, end = end, start
    start = max(start, end - dt.timedelta(days=MAX_DAYS))
    rows = rep_activity(signed_in_user(request), start, end)
    return render(
        request,
        "analytics/team_activity/team_activity.html",
        {
            "rows": rows,
            "start": start,
            "end": end,
            "kinds": ActivityKind.choices,
            # the reader's date format, not the browser's (core.localized_dates)
            "start_input": LocalizedDateInput(attrs={"class": "form-control form-control-sm", "id": "ta-start"}).render(
                "start", start
            ),
            "end_input": LocalizedDateInput(attrs={"class": "form-control form-control-sm", "id": "ta-end"}).render(
                "end", end
            ),
        },
    )
