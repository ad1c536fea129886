"""The guard every module page stands behind: signed in, the module in the tenant's plan, the
permissions, and (for pages that show times) the user's time zone.

Modules name their own guard after it (``sales_page``, ``service_page``…), so a view says which
module it belongs to; what the guard checks is written once, here."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone

from identity.decorators import require_permission
from identity.time_zones import user_time_zone
from modules.plan_gate import ensure_in_plan

View = Callable[..., Any]


def module_page(module: str, *codes: str, local_time: bool = True) -> Callable[[View], View]:
    """Signed-in users only; ``ModuleNotInPlan`` when the tenant lacks ``module``; 403 naming the
    first of ``codes`` the user lacks; with ``local_time``, dates in the user's time zone."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            ensure_in_plan(getattr(request, "tenant", None), module)
            for code in codes:
                require_permission(request, code)
            if not local_time:
                return view(request, *args, **kwargs)
            with timezone.override(user_time_zone(request)):
                return view(request, *args, **kwargs)

        return wrapped

    return decorator
