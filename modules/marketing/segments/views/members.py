"""A segment's members page (the contacts the signed-in user may see, paged), a static list's
management (add by address, remove, import a CSV), the export of its contacts and the "Segments"
card of a contact's page."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.spreadsheet_cells import safe_text
from identity.decorators import signed_in_user
from modules.contacts.selectors.lists import visible_contacts
from modules.marketing.choices import SegmentKind
from modules.marketing.guard import marketing_page
from modules.marketing.models import Segment, SegmentMember
from modules.marketing.segments import services
from modules.marketing.segments.forms import AddContactsForm, ImportForm
from modules.marketing.segments.rules import is_time_relative

PAGE_SIZE = 50
MAX_EXPORT_ROWS = 100_000


def _members(request: HttpRequest, segment: Segment):  # type: ignore[no-untyped-def]
    return (
        visible_contacts(signed_in_user(request))
        .filter(segment_memberships__segment=segment)
        .select_related("company")
        .order_by("full_name", "pk")
    )


@require_GET
@marketing_page("marketing.view", "contacts.view")
def segment_members(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment.objects.select_related("owner"), pk=pk)
    page = Paginator(_members(request, segment), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "segment": segment,
        "page": page,
        "time_relative": segment.kind == SegmentKind.DYNAMIC and is_time_relative(segment.rules),
        "add_form": AddContactsForm(),
        "import_form": ImportForm(),
    }
    return render(request, "marketing/segments/members.html", context)


def _static_segment(pk: int) -> Segment:
    return get_object_or_404(Segment, pk=pk, kind=SegmentKind.STATIC)


@require_POST
@marketing_page("marketing.view", "marketing.change", "contacts.view")
def list_add(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _static_segment(pk)
    form = AddContactsForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for m in form.errors.get("emails", [])))
        return redirect("marketing-segments:detail", segment.pk)
    addresses = {line.strip().lower() for line in form.cleaned_data["emails"].splitlines() if line.strip()}
    contacts = visible_contacts(signed_in_user(request)).annotate(address=Lower("email")).filter(address__in=addresses)
    added = services.add_to_list(segment, contacts, by=signed_in_user(request))
    messages.success(request, _("%(count)d contacts added.") % {"count": added})
    return redirect("marketing-segments:detail", segment.pk)


@require_POST
@marketing_page("marketing.view", "marketing.change", "contacts.view")
def list_remove(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    segment = _static_segment(pk)
    member = get_object_or_404(SegmentMember, segment=segment, contact__in=visible_contacts(signed_in_user(request)),
                               contact_id=contact_pk)  # fmt: skip
    services.remove_from_list(segment, [member.contact_id], by=signed_in_user(request))
    messages.success(request, _("The contact is removed from the list."))
    return redirect("marketing-segments:detail", segment.pk)


@require_POST
@marketing_page("marketing.view", "marketing.change", "contacts.view")
def list_import(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _static_segment(pk)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "marketing/segments/import_result.html", {"segment": segment, "form": form}, status=400)
    upload = form.cleaned_data["file"]
    try:
        report = services.import_list_csv(
            segment, upload.read(services.MAX_IMPORT_BYTES + 1), by=signed_in_user(request)
        )
    except ValidationError as error:
        for message in error.message_dict.get("file", error.messages):
            form.add_error("file", message)
        return render(request, "marketing/segments/import_result.html", {"segment": segment, "form": form}, status=400)
    return render(request, "marketing/segments/import_result.html", {"segment": segment, "report": report})


@require_GET
@marketing_page("marketing.view", "contacts.view", "data.export")
def segment_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The members the user may see, as CSV (cells guarded against formula injection)."""
    segment = get_object_or_404(Segment, pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="segment-{segment.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Name"), _("E-mail"), _("Phone"), _("Company"), _("City"), _("Country")])
    rows = _members(request, segment).values_list("full_name", "email", "phone", "company__name", "city", "country")
    for row in rows[:MAX_EXPORT_ROWS].iterator(chunk_size=2000):
        writer.writerow([safe_text(str(cell or "")) for cell in row])
    return response


@require_GET
@marketing_page("marketing.view", "contacts.view")
def contact_card(request: HttpRequest, subject: str, pk: int) -> HttpResponse:
    """The "Segments" card of a contact's page (``modules.contacts.record_cards``)."""
    if subject != "contact":
        raise Http404
    contact = get_object_or_404(visible_contacts(signed_in_user(request)), pk=pk)
    segments = Segment.objects.filter(memberships__contact=contact).order_by("name", "pk")
    return render(request, "marketing/segments/contact_card.html", {"contact": contact, "segments": segments})
