"""What the customer-record pages share: the permission guard in the user's time zone and lookups."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone

from identity.decorators import permission_required, signed_in_user
from identity.models import User
from identity.time_zones import user_time_zone
from identity.visibility import visible_owner_ids
from modules.registry import is_enabled


def contacts_view(code: str) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Sign-in and ``code`` required (403 naming it otherwise); times shown in the user's zone."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @permission_required(code)  # type: ignore[arg-type]
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            with timezone.override(user_time_zone(request)):
                return view(request, *args, **kwargs)

        return wrapped

    return decorator


def sales_visible(request: HttpRequest) -> bool:
    """Leads and deals show only when the tenant has sales and the user may view them."""
    return is_enabled(getattr(request, "tenant", None), "sales") and request.user.has_perm("sales.view")


def customer_value_visible(request: HttpRequest) -> bool:
    """The customer-value card shows when the tenant has analytics and sales (it reads orders) and
    the user may view both."""
    tenant = getattr(request, "tenant", None)
    user = request.user
    return (
        is_enabled(tenant, "analytics")
        and is_enabled(tenant, "sales")
        and user.has_perm("analytics.view")
        and user.has_perm("sales.view")
    )


def assignable_owners(user: User) -> QuerySet[User]:
    """Who ``user`` may make owner of a record: the people whose records they see."""
    users = User.objects.filter(is_active=True).order_by("full_name", "email")
    owners = visible_owner_ids(user)
    return users if owners is None else users.filter(pk__in=owners)


def current_user(request: HttpRequest) -> User:
    return signed_in_user(request)
