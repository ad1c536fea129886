"""Pages of the sales pipeline (leads, deals, board) and what they share: the module and permission guard."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from identity.decorators import signed_in_user
from identity.models import User
from identity.permissions import all_permissions
from modules.registry import is_enabled

View = Callable[..., HttpResponse]


def placeholder(request: HttpRequest) -> HttpResponse:  # replaced by the module's pages
    return HttpResponse(status=501)


def _time_zone(request: HttpRequest) -> zoneinfo.ZoneInfo | None:
    for name in (getattr(request.user, "time_zone", ""), getattr(getattr(request, "tenant", None), "time_zone", "")):
        if name:
            try:
                return zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return None


def require(request: HttpRequest, code: str) -> None:
    """403 naming the permission when the user lacks ``code``."""
    if not request.user.has_perm(code):
        label = all_permissions().get(code, code)
        raise PermissionDenied(_("Your role does not include “%(permission)s”.") % {"permission": label})


def pipeline_page(*codes: str) -> Callable[[View], View]:
    """Signed-in users only; 404 without the sales module; 403 naming a missing permission; user's time zone."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not is_enabled(getattr(request, "tenant", None), "sales"):
                raise Http404(_("The sales module is not enabled."))
            for code in codes:
                require(request, code)
            with timezone.override(_time_zone(request)):
                return view(request, *args, **kwargs)

        return wrapped

    return decorator


def current_user(request: HttpRequest) -> User:
    return signed_in_user(request)


def form_status(form: object) -> int:
    return 400 if getattr(form, "errors", None) else 200
