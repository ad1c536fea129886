"""The cohort retention grid."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from identity.decorators import signed_in_user
from modules.analytics.customer_value.cohorts import COHORT_MONTHS, DEFAULT_COHORT_MONTHS, cohorts
from modules.analytics.customer_value.views import BadParameter, customer_value_page


def cohort_months(raw: str) -> int:
    if raw == "":
        return DEFAULT_COHORT_MONTHS
    if not raw.isdigit() or int(raw) not in COHORT_MONTHS:
        raise BadParameter(_("months: choose one of the offered numbers of months."))
    return int(raw)


@require_safe
@customer_value_page()
def retention(request: HttpRequest) -> HttpResponse:
    months = cohort_months(request.GET.get("months", ""))
    grid = cohorts(signed_in_user(request), today=timezone.localdate(), months=months)
    return render(
        request,
        "analytics/customer_value/cohorts.html",
        {"cohorts": grid, "months": months, "choices": COHORT_MONTHS, "ages": range(months)},
    )
