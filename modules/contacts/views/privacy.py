"""A contact's personal data: what is held (counts per kind), the JSON export, and erasure after
the user types the contact's name. ``contacts.privacy`` and the contact's visibility apply."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from modules.contacts.selectors.lists import visible_contacts
from modules.contacts.services.data_subject import erase_contact, export_json, held_counts
from modules.contacts.views.common import contacts_view, current_user


@contacts_view("contacts.privacy")
def contact_personal_data(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(visible_contacts(current_user(request)), pk=pk)
    return render(
        request,
        "contacts/personal_data.html",
        {"contact": contact, "counts": held_counts(contact), "error": ""},
    )


@contacts_view("contacts.privacy")
def contact_personal_data_export(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(visible_contacts(current_user(request)), pk=pk)
    response = HttpResponse(export_json(contact, by=current_user(request)), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}-personal-data.json"'
    return response


@require_POST
@contacts_view("contacts.privacy")
def contact_erase(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(visible_contacts(current_user(request)), pk=pk)
    typed = " ".join(request.POST.get("confirm", "").split())
    if not typed or typed.casefold() != " ".join(contact.full_name.split()).casefold():
        error = _("Type the contact's name exactly to confirm the erasure.")
        context = {"contact": contact, "counts": held_counts(contact), "error": error}
        return render(request, "contacts/personal_data.html", context, status=400)
    erase_contact(contact, by=current_user(request))
    messages.success(request, _("The contact and their personal data were erased."))
    return redirect(reverse("contacts:contact-list"))
