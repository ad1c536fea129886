"""What the contact centre's staff pages share: signed in, the service module in the plan, the
permission, the user's time zone."""

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


def service_page(*codes: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            ensure_in_plan(getattr(request, "tenant", None), "service")
            for code in codes:
                require_permission(request, code)
            with timezone.override(user_time_zone(request)):
                return view(request, *args, **kwargs)

        return wrapped

    return decorator
