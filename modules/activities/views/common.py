"""What every activity page shares: the permission guard in the user's time zone, and lookups."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from identity.decorators import permission_required, signed_in_user
from identity.models import User
from identity.time_zones import user_time_zone
from modules.activities.models import Activity
from modules.activities.selectors import visible_activities
from modules.registry import is_enabled


def activities_view(code: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Sign-in and ``code`` required (403 naming it otherwise); dates read and shown in the user's zone."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @permission_required(code)
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            with timezone.override(user_time_zone(request)):
                return view(request, *args, **kwargs)

        return wrapped

    return decorator


def get_visible_activity(request: HttpRequest, pk: int) -> Activity:
    """The activity if this user may see it; 404 otherwise (as if it did not exist)."""
    return get_object_or_404(visible_activities(signed_in_user(request)), pk=pk)


def sales_enabled(request: HttpRequest) -> bool:
    return is_enabled(getattr(request, "tenant", None), "sales")


def current_user(request: HttpRequest) -> User:
    return signed_in_user(request)
