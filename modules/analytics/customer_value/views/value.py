"""The customer lifetime value page: the newest run's figures ("data as of …"), the model, and the
customers the user may see by predicted value. Nothing is fitted here: a Celery task computes."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from identity.decorators import signed_in_user
from modules.analytics.customer_value.selectors import (
    AT_RISK_ALIVE,
    by_predicted_value,
    latest_run,
    value_totals,
    visible_values,
)
from modules.analytics.customer_value.views import customer_value_page, page_number
from modules.contacts.services.money import base_currency

PAGE_SIZE = 50


@require_safe
@customer_value_page()
def lifetime_value(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    page = page_number(request)
    values = visible_values(user)
    totals = value_totals(values)
    start = (page - 1) * PAGE_SIZE
    return render(
        request,
        "analytics/customer_value/lifetime_value.html",
        {
            "run": latest_run(),
            "totals": totals,
            "values": list(by_predicted_value(values)[start : start + PAGE_SIZE]),
            "page": page,
            "has_next": page * PAGE_SIZE < totals.customers,
            "base_currency": base_currency(),
            "at_risk_alive": AT_RISK_ALIVE,
        },
    )
