"""vCard export (one contact, or the filtered list) and import (a .vcf upload of many cards)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from identity.decorators import require_permission
from identity.forms import apply_service_errors, form_status
from modules.contacts.forms import VCardImportForm
from modules.contacts.lists import CONTACTS
from modules.contacts.selectors.lists import CONTACT_LIST, filtered, sort_of, visible_contacts
from modules.contacts.services.vcard_import import import_vcards
from modules.contacts.vcard import contact_card, contact_cards
from modules.contacts.vcard_report import STATUSES, KeptReport, keep_report, kept_report
from modules.contacts.views.common import contacts_view, current_user
from modules.lists.views import list_params

VCARD_TYPE = "text/vcard; charset=utf-8"
MAX_UPLOAD = 5 * 1024 * 1024


@contacts_view("contacts.view")
def contact_vcard(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(visible_contacts(current_user(request)).select_related("company"), pk=pk)
    response = HttpResponse(contact_card(contact), content_type=VCARD_TYPE)
    name = slugify(contact.full_name) or f"contact-{contact.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}.vcf"'
    return response


@contacts_view("contacts.view")
def contact_list_vcard(request: HttpRequest) -> StreamingHttpResponse:
    """A bulk export like the list's CSV: ``data.export`` too (one card stays ``contacts.view``)."""
    require_permission(request, "data.export")
    params = list_params(CONTACTS, request.GET)
    sort = sort_of(CONTACT_LIST, params)
    field = sort.lstrip("-")
    order = [f"-{field}", "-pk"] if sort.startswith("-") else [field, "pk"]
    contacts = filtered(CONTACT_LIST, current_user(request), params).select_related("company").order_by(*order)
    response = StreamingHttpResponse(contact_cards(contacts.iterator(chunk_size=1000)), content_type=VCARD_TYPE)
    response["Content-Disposition"] = 'attachment; filename="contacts.vcf"'
    return response


@contacts_view("contacts.change")
def contact_import(request: HttpRequest) -> HttpResponse:
    """Import a .vcf file; the page then reports the cards, a page at a time: imported, updated or
    skipped and why (``vcard_report``)."""
    user = current_user(request)
    form = VCardImportForm(request.POST or None, request.FILES or None)
    report = kept = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            form.add_error("file", _("The file is larger than 5 MB."))
        else:
            try:
                report = import_vcards(upload.read(), by=user)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                kept = keep_report(report, by=user)
    context = {"form": form, "report": report, **_report_context(kept, "", 1)}
    return render(request, "contacts/contact_import.html", context, status=form_status(form))


@contacts_view("contacts.change")
def contact_import_report(request: HttpRequest, token: str) -> HttpResponse:
    """A page of an import's report (``?status=imported|updated|skipped``, ``?page=``): the
    importer's own, for a day after the import."""
    kept = kept_report(token, by=current_user(request))
    if kept is None:  # expired, or another user's: the page says so, with the form to import again
        expired: dict[str, object] = {"form": VCardImportForm(), "kept": None, "expired": True}
        return render(request, "contacts/contact_import.html", expired, status=404)
    status, page = request.GET.get("status", ""), request.GET.get("page")
    context: dict[str, object] = {"form": VCardImportForm(), **_report_context(kept, status, page)}
    return render(request, "contacts/contact_import.html", context)


def _report_context(kept: KeptReport | None, status: str, page: object) -> dict[str, object]:
    if kept is None:
        return {"kept": None}
    status = status if status in STATUSES else ""
    return {"kept": kept, "status": status, "report_page": kept.page(status, page)}
