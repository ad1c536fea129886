"""What the contact centre's staff pages share: signed in, the service module in the plan, the
permission, the user's time zone."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse

from modules.page_guard import module_page

View = Callable[..., HttpResponse]


def service_page(*codes: str) -> Callable[[View], View]:
    """``module_page`` of the service module, dates in the user's time zone."""
    return module_page("service", *codes)
