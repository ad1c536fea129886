"""Pages of the sales pipeline (leads, deals, board) and what they share: the module and permission guard."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from identity.decorators import signed_in_user
from identity.models import User
from modules.page_guard import module_page

View = Callable[..., HttpResponse]


def pipeline_page(*codes: str) -> Callable[[View], View]:
    """``module_page`` of the sales module, dates in the user's time zone."""
    return module_page("sales", *codes)


def current_user(request: HttpRequest) -> User:
    return signed_in_user(request)
