"""Pages of the sales pipeline (leads, deals, board) and what they share: the module and permission guard."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from identity.decorators import require_permission, signed_in_user
from identity.models import User
from identity.time_zones import user_time_zone
from modules.plan_gate import ensure_in_plan

View = Callable[..., HttpResponse]


def pipeline_page(*codes: str) -> Callable[[View], View]:
    """Signed-in users only; ModuleNotInPlan without sales; 403 naming a missing permission; user's time zone."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            ensure_in_plan(getattr(request, "tenant", None), "sales")
            for code in codes:
                require_permission(request, code)
            with timezone.override(user_time_zone(request)):
                return view(request, *args, **kwargs)

        return wrapped

    return decorator


def current_user(request: HttpRequest) -> User:
    return signed_in_user(request)
