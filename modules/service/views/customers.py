"""The cases card of a company's or contact's page (loaded by htmx, like the purchase history)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from identity.decorators import signed_in_user
from modules.contacts.models import Company, Contact
from modules.contacts.selectors.lists import visible_companies, visible_contacts
from modules.service.choices import ACTIVE_CATEGORIES
from modules.service.selectors.cases import visible_cases
from modules.service.views import service_page

RECENT = 10


@service_page("service.view")
def customer_cases_card(request: HttpRequest, subject: str, pk: int) -> HttpResponse:
    """The latest cases of a customer the user may see, with how many are open, over the cases
    the user may see (three queries whatever the number of cases)."""
    user = signed_in_user(request)
    customer: Company | Contact
    if subject == "company":
        customer = get_object_or_404(visible_companies(user), pk=pk)
    elif subject == "contact":
        customer = get_object_or_404(visible_contacts(user), pk=pk)
    else:
        raise Http404
    cases = visible_cases(user).filter(**{subject: customer})
    counts = cases.aggregate(total=Count("pk"), open=Count("pk", filter=Q(status__category__in=ACTIVE_CATEGORIES)))
    recent = list(cases.select_related("status", "owner").order_by("-created_at", "-id")[:RECENT])
    context = {"subject": subject, "customer": customer, "cases": recent, "counts": counts}
    return render(request, "service/cases/_customer_cases.html", context)
