"""Lead pages: list, create, edit, detail and conversion into company, contact and deal."""

from __future__ import annotations

from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customization.fields.display import detail_sections
from customization.fields.form_fields import form_errors
from identity.forms import apply_service_errors, form_status
from modules.contacts.models import Company, Contact
from modules.contacts.services.duplicates import duplicate_companies, duplicate_contacts
from modules.contacts.services.money import base_currency
from modules.home.recent import remember_visit
from modules.lists import views as lists
from modules.sales.choices import LeadStatus
from modules.sales.forms.leads import ConvertLeadForm, LeadForm
from modules.sales.lists import LEADS
from modules.sales.models import Lead
from modules.sales.selectors.deals import (
    visible_companies,
    visible_contacts,
    visible_leads,
)
from modules.sales.services.leads import convert_lead, create_lead, update_lead
from modules.sales.services.pipelines import default_pipeline
from modules.sales.views import current_user, pipeline_page

T = TypeVar("T", Company, Contact)


def _visible_lead(request: HttpRequest, pk: int) -> Lead:
    return get_object_or_404(visible_leads(current_user(request)).select_related("owner"), pk=pk)


def _visible_only(candidates: list[T], visible: QuerySet[T]) -> list[T]:
    """The duplicate candidates the user may see (duplicate detection itself looks at every record)."""
    if not candidates:
        return []
    allowed = set(visible.filter(pk__in=[c.pk for c in candidates]).values_list("pk", flat=True))
    return [candidate for candidate in candidates if candidate.pk in allowed]


@pipeline_page("sales.view")
def lead_list(request: HttpRequest) -> HttpResponse:
    return lists.list_page(request, LEADS)


@pipeline_page("sales.view", "sales.change")
@require_POST
def lead_bulk(request: HttpRequest) -> HttpResponse:
    return lists.bulk(request, LEADS)


@pipeline_page("sales.view")
@require_POST
def lead_view_save(request: HttpRequest) -> HttpResponse:
    return lists.save_saved_view(request, LEADS)


@pipeline_page("sales.view")
@require_POST
def lead_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return lists.delete_saved_view(request, pk, LEADS)


@pipeline_page("sales.view", "sales.change")
def lead_create(request: HttpRequest) -> HttpResponse:
    form = LeadForm(
        request.POST or None, initial={"owner": current_user(request), "currency": base_currency(), "status": "new"}
    )
    form.add_custom_fields("lead", user=current_user(request))
    if request.method == "POST" and form.is_valid():
        try:
            values = form.cleaned_data | {"owner": form.cleaned_data["owner"] or current_user(request)}
            lead = create_lead(by=current_user(request), custom=form.custom_values(), **values)
        except ValidationError as error:
            apply_service_errors(form, form_errors(error))
        else:
            messages.success(request, _("Lead %(lead)s is saved.") % {"lead": lead})
            return redirect("sales:lead-detail", lead.pk)
    return render(request, "sales/leads/form.html", {"form": form, "lead": None}, status=form_status(form))


@pipeline_page("sales.view", "sales.change")
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _visible_lead(request, pk)
    if lead.status == LeadStatus.CONVERTED:
        messages.error(request, _("A converted lead cannot be changed."))
        return redirect("sales:lead-detail", lead.pk)
    form = LeadForm(request.POST or None, initial=LeadForm.initial_for(lead))
    form.add_custom_fields("lead", user=current_user(request), current=lead.custom)
    if request.method == "POST" and form.is_valid():
        try:
            update_lead(lead, by=current_user(request), custom=form.custom_values(), **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, form_errors(error))
        else:
            messages.success(request, _("Lead %(lead)s is saved.") % {"lead": lead})
            return redirect("sales:lead-detail", lead.pk)
    return render(request, "sales/leads/form.html", {"form": form, "lead": lead}, status=form_status(form))


@pipeline_page("sales.view")
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_object_or_404(
        visible_leads(current_user(request)).select_related(
            "owner", "converted_company", "converted_contact", "converted_deal"
        ),
        pk=pk,
    )
    remember_visit(request.user, lead)
    context = {
        "lead": lead,
        "tags": list(lead.tags.all()),
        "custom_details": detail_sections("lead", lead, user=current_user(request)),
    }
    return render(request, "sales/leads/detail.html", context)


@pipeline_page("sales.view", "sales.change")
def lead_convert(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _visible_lead(request, pk)
    user = current_user(request)
    if lead.status == LeadStatus.CONVERTED:
        messages.error(request, _("This lead is already converted."))
        return redirect("sales:lead-detail", lead.pk)
    companies = visible_companies(user).order_by("name")
    contacts = visible_contacts(user).order_by("full_name")
    emails = [lead.email] if lead.email else []
    similar_companies: list[Company] = _visible_only(
        list(duplicate_companies(name=lead.company_name, emails=emails)) if lead.company_name else [], companies
    )
    similar_contacts: list[Contact] = _visible_only(
        list(duplicate_contacts(full_name=lead.full_name, emails=emails)), contacts
    )
    pipeline = default_pipeline()
    form = ConvertLeadForm(
        request.POST or None,
        companies=companies,
        contacts=contacts,
        initial={
            "company_choice": "existing" if similar_companies else ("new" if lead.company_name else "none"),
            "company": similar_companies[0].pk if similar_companies else None,
            "contact_choice": "existing" if similar_contacts else "new",
            "contact": similar_contacts[0].pk if similar_contacts else None,
            "create_deal": True,
            "deal_name": lead.company_name or lead.full_name,
            "pipeline": pipeline.pk if pipeline else None,
            "amount": lead.estimated_value,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            conversion = convert_lead(lead, by=user, **form.conversion_arguments())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Lead %(lead)s is converted.") % {"lead": lead})
            if conversion.deal is not None:
                return redirect("sales:deal-detail", conversion.deal.pk)
            try:
                return redirect(reverse("contacts:contact-detail", args=[conversion.contact.pk]))
            except NoReverseMatch:  # the contact pages are not routed in this deployment
                return redirect("sales:lead-detail", lead.pk)
    return render(
        request,
        "sales/leads/convert.html",
        {"form": form, "lead": lead, "similar_companies": similar_companies, "similar_contacts": similar_contacts},
        status=form_status(form),
    )
