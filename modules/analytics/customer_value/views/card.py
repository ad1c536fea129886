"""The customer-value cards the company and contact pages load: RFM segment over the last twelve
months, historical and predicted value and probability alive from the newest run.

A customer is an order's company, or its contact when it has none (``customers``): a contact's own
figures cover only its orders without a company; orders placed for its company count for the
company, so the contact card also shows the company's figures, with a link to it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from identity.decorators import signed_in_user
from identity.models import User
from identity.visibility import restrict_to_visible
from modules.analytics.customer_value.customers import COMPANY, CONTACT
from modules.analytics.customer_value.models import CustomerValue
from modules.analytics.customer_value.rfm import DEFAULT_PERIOD, CustomerScore, customer_scores
from modules.analytics.customer_value.selectors import AT_RISK_ALIVE, latest_run
from modules.analytics.customer_value.views import customer_value_page
from modules.contacts.models import Company, Contact
from modules.contacts.services.money import base_currency


def _figures(user: User, kind: str, pk: int) -> tuple[CustomerScore | None, CustomerValue | None]:
    """One customer's RFM score (the user's view of it) and stored value: two queries."""
    scores = customer_scores(user, today=timezone.localdate(), months=DEFAULT_PERIOD, customer=(kind, pk))
    value = CustomerValue.objects.filter(**{kind: pk}).first()
    return (scores[0] if scores else None), value


def _shared() -> dict[str, Any]:
    return {
        "run": latest_run(),
        "months": DEFAULT_PERIOD,
        "base_currency": base_currency(),
        "at_risk_alive": AT_RISK_ALIVE,
    }


@require_safe
@customer_value_page()
def company_card(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    company = get_object_or_404(restrict_to_visible(Company.objects.all(), user), pk=pk)
    score, value = _figures(user, COMPANY, company.pk)
    return render(
        request,
        "analytics/customer_value/_company_card.html",
        {"company": company, "score": score, "value": value, **_shared()},
    )


@require_safe
@customer_value_page()
def contact_card(request: HttpRequest, pk: int) -> HttpResponse:
    """The contact's own figures (its orders without a company) and, when the user may see its
    company, the company's figures with a link to the company page."""
    user = signed_in_user(request)
    contact = get_object_or_404(restrict_to_visible(Contact.objects.all(), user), pk=pk)
    score, value = _figures(user, CONTACT, contact.pk)
    company = None
    company_score = company_value = None
    if contact.company_id is not None:
        company = restrict_to_visible(Company.objects.all(), user).filter(pk=contact.company_id).first()
        if company is not None:
            company_score, company_value = _figures(user, COMPANY, company.pk)
    return render(
        request,
        "analytics/customer_value/_contact_card.html",
        {
            "contact": contact,
            "score": score,
            "value": value,
            "company": company,
            "company_score": company_score,
            "company_value": company_value,
            **_shared(),
        },
    )
