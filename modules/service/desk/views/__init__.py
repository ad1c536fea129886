"""The service desk's pages and endpoints; what they share: the plan and permission guard."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from identity.decorators import require_permission, signed_in_user
from identity.time_zones import user_time_zone
from modules.plan_gate import ensure_in_plan
from modules.service.models import Case
from modules.service.selectors.cases import visible_cases

View = Callable[..., HttpResponse]
ADMIN = "service.admin"


def desk_page(*codes: str) -> Callable[[View], View]:
    """Signed-in users only; ModuleNotInPlan without service; 403 naming a missing permission."""

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


def visible_case(request: HttpRequest, pk: int) -> Case:
    """The case ``pk`` if the user may see it (404 otherwise, as if it did not exist)."""
    return get_object_or_404(visible_cases(signed_in_user(request)).select_related("status"), pk=pk)


def case_url(case: Case) -> str:
    return reverse("service:case-detail", args=[case.pk])
