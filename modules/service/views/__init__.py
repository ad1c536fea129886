"""The agents' case pages: the list, a case's page with its conversation, the forms, the quick
changes, messages with their files, and the cases card of a customer's page."""

from __future__ import annotations

from collections.abc import Callable

from django.http.response import HttpResponseBase

from modules.page_guard import module_page

View = Callable[..., HttpResponseBase]


def service_page(*codes: str) -> Callable[[View], View]:
    """``module_page`` of the service module."""
    return module_page("service", *codes, local_time=False)
