"""Company and contact pages: the lists (declared in ``modules.contacts.lists`` for the list
framework) and detail (create and edit are in ``record_forms``). ``RecordType`` holds what differs
between the two record types on their detail, form and merge pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from customization.fields.display import detail_sections
from identity.models import User
from identity.visibility import restrict_to_visible
from modules.contacts.lists import COMPANIES, CONTACTS
from modules.contacts.models import Tag
from modules.contacts.selectors.lists import (
    COMPANY_LIST,
    CONTACT_LIST,
    ListSpec,
    visible_companies,
    visible_contacts,
)
from modules.contacts.services.companies import create_company, delete_company, update_company
from modules.contacts.services.contacts import create_contact, delete_contact, update_contact
from modules.contacts.views.common import contacts_view, current_user, customer_value_visible, sales_visible
from modules.home.recent import remember_visit
from modules.lists import views as lists


@dataclass(frozen=True)
class RecordType:
    key: str  # "company" | "contact"
    spec: ListSpec
    title: str | Promise
    visible: Callable[[User], QuerySet[Any]]
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., None]

    def url(self, name: str, *args: Any) -> str:
        return reverse(f"contacts:{self.key}-{name}", args=args)


COMPANY = RecordType(
    key="company",
    spec=COMPANY_LIST,
    title=gettext_lazy("Companies"),
    visible=visible_companies,
    create=create_company,
    update=update_company,
    delete=delete_company,
)
CONTACT = RecordType(
    key="contact",
    spec=CONTACT_LIST,
    title=gettext_lazy("Contacts"),
    visible=visible_contacts,
    create=create_contact,
    update=update_contact,
    delete=delete_contact,
)
RECORD_TYPES = {"company": COMPANY, "contact": CONTACT}


@contacts_view("contacts.view")
def company_list(request: HttpRequest) -> HttpResponse:
    return lists.list_page(request, COMPANIES)


@contacts_view("contacts.view")
def contact_list(request: HttpRequest) -> HttpResponse:
    note = None
    company_id = request.GET.get("company", "")
    if company_id.isdigit():
        company = visible_companies(current_user(request)).filter(pk=company_id).first()
        note = _("Company: %(name)s") % {"name": company.name} if company else None
    return lists.list_page(request, CONTACTS, extra_context={"filter_note": note})


@contacts_view("contacts.change")
@require_POST
def company_bulk(request: HttpRequest) -> HttpResponse:
    return lists.bulk(request, COMPANIES)


@contacts_view("contacts.change")
@require_POST
def contact_bulk(request: HttpRequest) -> HttpResponse:
    return lists.bulk(request, CONTACTS)


@contacts_view("contacts.view")
@require_POST
def saved_view_save(request: HttpRequest, entity: str) -> HttpResponse:
    definition = {COMPANIES.key: COMPANIES, CONTACTS.key: CONTACTS}.get(entity)
    if definition is None:
        raise Http404
    return lists.save_saved_view(request, definition)


@contacts_view("contacts.view")
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return lists.delete_saved_view(request, pk, COMPANIES, CONTACTS)


# --- detail --------------------------------------------------------------------------------------


def _tags() -> Prefetch:
    return Prefetch("tags", queryset=Tag.objects.order_by("name"))


@contacts_view("contacts.view")
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    company = get_object_or_404(visible_companies(user).select_related("owner").prefetch_related(_tags()), pk=pk)
    contacts = visible_contacts(user).filter(company=company).select_related("owner").order_by("full_name", "id")
    contacts = contacts[:50]
    remember_visit(user, company)
    context: dict[str, Any] = {
        "record": COMPANY,
        "object": company,
        "contacts": list(contacts),
        "deals": None,
        "custom_details": detail_sections(COMPANY.key, company, user=user),
        "customer_value_card": customer_value_visible(request),
    }
    if sales_visible(request):
        from modules.sales.models import Deal

        deals = restrict_to_visible(Deal.objects.filter(company=company), user).select_related("stage", "owner")
        context["deals"] = list(deals.order_by("-created_at", "-id")[:50])
    return render(request, "contacts/company_detail.html", context)


@contacts_view("contacts.view")
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    contact = get_object_or_404(
        visible_contacts(user).select_related("owner", "company").prefetch_related(_tags()), pk=pk
    )
    remember_visit(user, contact)
    context: dict[str, Any] = {
        "record": CONTACT,
        "object": contact,
        "deals": None,
        "custom_details": detail_sections(CONTACT.key, contact, user=user),
    }
    if sales_visible(request):
        from modules.sales.models import Deal

        deals = restrict_to_visible(Deal.objects.filter(contact=contact), user).select_related("stage", "owner")
        context["deals"] = list(deals.order_by("-created_at", "-id")[:50])
    if customer_value_visible(request):
        from modules.sales.models import Order

        # The card is for contacts that bought: one EXISTS query, whatever the number of orders.
        context["customer_value_card"] = Order.objects.filter(contact=contact).exists()
    return render(request, "contacts/contact_detail.html", context)
