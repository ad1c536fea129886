"""Knowledge-base pages: reading and searching (``service.view``), writing drafts
(``service.change``), publishing (``service.publish_articles`` or ``service.admin``) and the
categories (``service.admin``). A tenant without the service module gets the not-in-plan answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from identity.permissions import all_permissions
from modules.page_guard import module_page

View = Callable[..., HttpResponse]
PUBLISH = "service.publish_articles"


def knowledge_page(*codes: str) -> Callable[[View], View]:
    """``module_page`` of the service module."""
    return module_page("service", *codes, local_time=False)


def may_publish(user: Any) -> bool:
    return bool(user.has_perm(PUBLISH) or user.has_perm("service.admin"))


def require_publisher(request: HttpRequest) -> None:
    """A 403 naming the publishing permission for a user who may not publish."""
    if not may_publish(request.user):
        label = all_permissions().get(PUBLISH, PUBLISH)
        raise PermissionDenied(_("Your role does not include “%(permission)s”.") % {"permission": label})
