"""Pages of the customer-value analyses, and the query parameters they share."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from modules.analytics.customer_value.rfm import DEFAULT_PERIOD, PERIODS
from modules.analytics.views import analytics_page
from modules.plan_gate import ensure_in_plan

View = Callable[..., HttpResponse]


def customer_value_page(*codes: str) -> Callable[[View], View]:
    """``analytics_page`` for analyses of orders: sales must be in the plan and ``sales.view`` held
    too; a parameter outside its choices answers 400 naming it."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            ensure_in_plan(getattr(request, "tenant", None), "sales")
            try:
                return view(request, *args, **kwargs)
            except BadParameter as error:
                return HttpResponseBadRequest(str(error))

        # Orders and their amounts: whoever may not see sales may not see them summed either.
        return analytics_page("sales.view", *codes)(wrapped)

    return decorator


class BadParameter(ValueError):
    """A query parameter outside its choices; the message names it."""


def period_months(request: HttpRequest) -> int:
    raw = request.GET.get("period", "")
    if raw == "":
        return DEFAULT_PERIOD
    if not raw.isdigit() or int(raw) not in PERIODS:
        raise BadParameter(_("period: choose one of the offered periods."))
    return int(raw)


def page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        raise BadParameter(_("page: a page number from 1."))
    return int(raw)
