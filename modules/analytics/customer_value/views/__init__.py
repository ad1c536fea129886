"""Pages of the customer-value analyses, and the query parameters they share."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from modules.analytics.customer_value.rfm import DEFAULT_PERIOD, PERIODS


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
