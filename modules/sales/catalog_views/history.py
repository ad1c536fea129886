"""A customer's purchase history, the card the company and contact pages load."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from identity.decorators import signed_in_user
from modules.contacts.models import Company, Contact
from modules.sales.catalog_views import sales_page
from modules.sales.selectors.deals import visible_companies, visible_contacts
from modules.sales.selectors.orders import purchase_history


@sales_page("sales.view")
def purchase_history_card(request: HttpRequest, subject: str, pk: int) -> HttpResponse:
    """Totals, number of orders, frequency, last order and recent orders of a company or contact the
    user may see, over the orders the user may see."""
    user = signed_in_user(request)
    customer: Company | Contact
    if subject == "company":
        customer = get_object_or_404(visible_companies(user), pk=pk)
    elif subject == "contact":
        customer = get_object_or_404(visible_contacts(user), pk=pk)
    else:
        raise Http404
    history = purchase_history(user, **{subject: customer})
    return render(
        request, "sales/orders/_purchase_history.html", {"history": history, "subject": subject, "customer": customer}
    )
