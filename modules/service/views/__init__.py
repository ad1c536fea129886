"""The agents' case pages: the list, a case's page with its conversation, the forms, the quick
changes, messages with their files, and the cases card of a customer's page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from identity.decorators import require_permission
from modules.plan_gate import ensure_in_plan

View = Callable[..., HttpResponseBase]


def service_page(*codes: str) -> Callable[[View], View]:
    """Signed-in users only; ModuleNotInPlan without service; 403 naming the first missing permission."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            ensure_in_plan(getattr(request, "tenant", None), "service")
            for code in codes:
                require_permission(request, code)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
