"""Pages of the analytics module and the guard they share."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from identity.decorators import require_permission
from identity.time_zones import user_time_zone
from modules.plan_gate import ensure_in_plan

View = Callable[..., HttpResponse]


def analytics_page(*codes: str) -> Callable[[View], View]:
    """Signed-in users only; ModuleNotInPlan without analytics; 403 naming a missing permission
    (``analytics.view`` always, plus ``codes``); the user's time zone for dates."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            ensure_in_plan(getattr(request, "tenant", None), "analytics")
            for code in ("analytics.view", *codes):
                require_permission(request, code)
            with timezone.override(user_time_zone(request)):
                return view(request, *args, **kwargs)

        return wrapped

    return decorator


def sales_analysis_page(*codes: str) -> Callable[[View], View]:
    """``analytics_page`` for an analysis of the sales records: the sales module must be in the plan too."""

    def decorator(view: View) -> View:
        @wraps(view)
        def in_plan(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            ensure_in_plan(getattr(request, "tenant", None), "sales")
            return view(request, *args, **kwargs)

        return analytics_page(*codes)(in_plan)

    return decorator
