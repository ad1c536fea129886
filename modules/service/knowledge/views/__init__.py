"""Knowledge-base pages: reading and searching (``service.view``), writing drafts
(``service.change``), publishing (``service.publish_articles`` or ``service.admin``) and the
categories (``service.admin``). A tenant without the service module gets the not-in-plan answer."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from identity.decorators import require_permission
from identity.permissions import all_permissions
from modules.plan_gate import ensure_in_plan

View = Callable[..., HttpResponse]
PUBLISH = "service.publish_articles"


def knowledge_page(*codes: str) -> Callable[[View], View]:
    """Signed-in users only; ModuleNotInPlan without service; 403 naming the first missing permission."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            ensure_in_plan(getattr(request, "tenant", None), "service")
            for code in codes:
                require_permission(request, code)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def may_publish(user: Any) -> bool:
    return bool(user.has_perm(PUBLISH) or user.has_perm("service.admin"))


def require_publisher(request: HttpRequest) -> None:
    """A 403 naming the publishing permission for a user who may not publish."""
    if not may_publish(request.user):
        label = all_permissions().get(PUBLISH, PUBLISH)
        raise PermissionDenied(_("Your role does not include “%(permission)s”.") % {"permission": label})
