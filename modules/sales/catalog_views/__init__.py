"""Pages of the sales catalogue and reporting: products, price lists, quotes, orders, forecast."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse

from modules.page_guard import module_page

View = Callable[..., HttpResponse]


def sales_page(*codes: str) -> Callable[[View], View]:
    """``module_page`` of the sales module."""
    return module_page("sales", *codes, local_time=False)
