"""Pages of the analytics module and the guard they share."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

from modules.page_guard import module_page
from modules.plan_gate import ensure_in_plan

View = Callable[..., HttpResponse]


def analytics_page(*codes: str) -> Callable[[View], View]:
    """``module_page`` of the analytics module: ``analytics.view`` always, plus ``codes``; dates in the
    user's time zone."""
    return module_page("analytics", "analytics.view", *codes)


def sales_analysis_page(*codes: str) -> Callable[[View], View]:
    """``analytics_page`` for an analysis of the sales records: the sales module must be in the plan too."""

    def decorator(view: View) -> View:
        @wraps(view)
        def in_plan(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            ensure_in_plan(getattr(request, "tenant", None), "sales")
            return view(request, *args, **kwargs)

        return analytics_page(*codes)(in_plan)

    return decorator
