"""Pages of the sales catalogue and reporting: products, price lists, quotes, orders, forecast."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from identity.decorators import require_permission
from modules.plan_gate import ensure_in_plan

View = Callable[..., HttpResponse]


def sales_page(*codes: str) -> Callable[[View], View]:
    """Signed-in users only; ModuleNotInPlan without sales; 403 naming the first missing permission."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            ensure_in_plan(getattr(request, "tenant", None), "sales")
            for code in codes:
                require_permission(request, code)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
