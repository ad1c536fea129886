"""The cohort retention grid."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from identity.decorators import signed_in_user
from modules.analytics.customer_value.cohort_lists import cohort_list_url
from modules.analytics.customer_value.cohorts import COHORT_MONTHS, DEFAULT_COHORT_MONTHS, Cohort, cohorts
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
    rows = [{"cohort": cohort, "cells": _cells(cohort)} for cohort in grid]
    return render(
        request,
        "analytics/customer_value/cohorts.html",
        {"cohorts": grid, "rows": rows, "months": months, "choices": COHORT_MONTHS, "ages": range(months)},
    )


def _cells(cohort: Cohort) -> list[dict[str, Any]]:
    """Each month of a cohort: its share, and the lists of the customers it counts (companies,
    contacts ordering without a company), each with its count."""
    cells = []
    for age, (active, companies) in enumerate(zip(cohort.active, cohort.companies, strict=True)):
        links = [
            {"label": label, "count": count, "url": cohort_list_url(list_key, cohort.month, age)}
            for list_key, label, count in (
                ("company", _("companies"), companies), ("contact", _("contacts"), active - companies),
            )
            if count
        ]  # fmt: skip
        cells.append({"age": age, "share": active / cohort.size if cohort.size else 0, "count": active, "links": links})
    return cells
