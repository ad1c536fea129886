"""The RFM page: segment sizes and value over a chosen period, and the customers of one segment."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from identity.decorators import signed_in_user
from modules.analytics.customer_value.customers import COMPANY
from modules.analytics.customer_value.rfm import PERIODS, SEGMENTS_BY_KEY, customer_scores, segment_summaries
from modules.analytics.customer_value.views import BadParameter, customer_value_page, page_number, period_months
from modules.contacts.services.money import base_currency

PAGE_SIZE = 50


@require_safe
@customer_value_page()
def rfm(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    months, page = period_months(request), page_number(request)
    segment_key = request.GET.get("segment", "")
    if segment_key and segment_key not in SEGMENTS_BY_KEY:
        raise BadParameter(_("segment: choose one of the RFM segments."))
    today = timezone.localdate()
    summaries = segment_summaries(user, today=today, months=months)
    chosen = next((s for s in summaries if s.segment.key == segment_key), None)
    customers = []
    if chosen is not None:
        customers = customer_scores(
            user, today=today, months=months, segment=segment_key, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    return render(
        request,
        "analytics/customer_value/rfm.html",
        {
            "months": months,
            "periods": PERIODS,
            "summaries": summaries,
            "scored": sum(summary.customers for summary in summaries),
            "chosen": chosen,
            "customers": customers,
            "page": page,
            "has_next": chosen is not None and page * PAGE_SIZE < chosen.customers,
            "base_currency": base_currency(),
            "company": COMPANY,
        },
    )
