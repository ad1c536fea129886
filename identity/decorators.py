"""View guards for the tenant app."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from identity.models import User
from identity.permissions import all_permissions


def signed_in_user(request: HttpRequest) -> User:
    """The request's user in a view that login_required already guards."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied(_("Sign in first."))
    return user


def require_permission(request: HttpRequest, code: str) -> None:
    """A 403 naming the permission when the request's user lacks ``code``."""
    if not request.user.has_perm(code):
        label = all_permissions().get(code, code)
        raise PermissionDenied(_("Your role does not include “%(permission)s”.") % {"permission": label})


def permission_required(code: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Logged-in users without ``code`` get a 403 page that names what is missing."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require_permission(request, code)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
