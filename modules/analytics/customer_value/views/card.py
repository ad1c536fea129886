"""The customer-value card the company page loads: RFM segment over the last twelve months,
historical and predicted value and probability alive from the newest run."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from identity.decorators import signed_in_user
from identity.visibility import restrict_to_visible
from modules.analytics.customer_value.customers import COMPANY
from modules.analytics.customer_value.models import CustomerValue
from modules.analytics.customer_value.rfm import DEFAULT_PERIOD, customer_scores
from modules.analytics.customer_value.selectors import AT_RISK_ALIVE, latest_run
from modules.analytics.customer_value.views import customer_value_page
from modules.contacts.models import Company
from modules.contacts.services.money import base_currency


@require_safe
@customer_value_page()
def company_card(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    company = get_object_or_404(restrict_to_visible(Company.objects.all(), user), pk=pk)
    scores = customer_scores(user, today=timezone.localdate(), months=DEFAULT_PERIOD, customer=(COMPANY, company.pk))
    return render(
        request,
        "analytics/customer_value/_company_card.html",
        {
            "company": company,
            "score": scores[0] if scores else None,
            "value": CustomerValue.objects.filter(company=company).first(),
            "run": latest_run(),
            "months": DEFAULT_PERIOD,
            "base_currency": base_currency(),
            "at_risk_alive": AT_RISK_ALIVE,
        },
    )
