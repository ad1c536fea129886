"""The consent section of a contact's page (loaded into it): the current status per topic and
the history, staff recording a consent given by phone with a note as proof, and the history as
CSV (GDPR). The contact must be one the user may see (else 404)."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.spreadsheet_cells import safe_text
from identity.decorators import signed_in_user
from identity.forms import apply_service_errors
from identity.visibility import restrict_to_visible
from modules.contacts.models import Contact
from modules.marketing.consent.choices import ConsentSource
from modules.marketing.consent.forms import StaffConsentForm
from modules.marketing.consent.selectors import current_consents, history
from modules.marketing.consent.services.consent import record_consent
from modules.marketing.guard import marketing_page
from modules.marketing.models import Topic
from modules.marketing.selectors.audience import is_suppressed
from modules.registry import is_enabled

HISTORY_SHOWN = 50


def card_visible(request: HttpRequest) -> bool:
    """The consent card shows on a contact's page when marketing is in the plan and the user may view it."""
    return is_enabled(getattr(request, "tenant", None), "marketing") and request.user.has_perm("marketing.view")


def _contact(request: HttpRequest, pk: int) -> Contact:
    return get_object_or_404(restrict_to_visible(Contact.objects.all(), signed_in_user(request)), pk=pk)


def _panel(
    request: HttpRequest, contact: Contact, form: StaffConsentForm, *, status: int = 200, whole_page: bool = False
) -> HttpResponse:
    consents = current_consents(contact)
    topics = [{"topic": topic, "consent": consents.get(topic.pk)} for topic in Topic.objects.all()]
    context = {
        "contact": contact, "topics": topics, "events": list(history(contact)[:HISTORY_SHOWN]),
        "suppressed": is_suppressed(contact.email), "form": form,
        "may_record": request.user.has_perm("marketing.change"),
    }  # fmt: skip
    template = "contact_consent.html" if whole_page else "_contact_panel.html"
    return render(request, f"marketing_consent/staff/{template}", context, status=status)


@require_GET
@marketing_page("marketing.view")
def contact_panel(request: HttpRequest, subject: str, pk: int) -> HttpResponse:
    if subject != "contact":
        raise Http404
    return _panel(request, _contact(request, pk), StaffConsentForm())


@require_POST
@marketing_page("marketing.change")
def contact_record(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk)
    form = StaffConsentForm(request.POST)
    if form.is_valid():
        try:
            record_consent(
                contact, form.cleaned_data["topic"], granted=form.cleaned_data["granted"], source=ConsentSource.STAFF,
                proof={"note": form.cleaned_data["note"]}, by=signed_in_user(request),
            )  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("contacts:contact-detail", contact.pk)
    return _panel(request, contact, form, status=400, whole_page=True)


def _history_rows(contact: Contact) -> Iterator[str]:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    yield writer.writerow(["occurred_at", "topic", "action", "source", "email", "actor", "proof"])
    for event in history(contact).order_by("occurred_at", "id").iterator(chunk_size=500):
        proof = "; ".join(f"{key}={value}" for key, value in sorted(event.proof.items()))
        yield writer.writerow([
            event.occurred_at.isoformat(), safe_text(event.topic.key if event.topic else "*"), event.action,
            event.source, safe_text(event.email), safe_text(event.actor.email if event.actor else ""), safe_text(proof),
        ])  # fmt: skip


@require_GET
@marketing_page("marketing.view")
def contact_history_export(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    contact = _contact(request, pk)
    response = StreamingHttpResponse(_history_rows(contact), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="consent-history-{contact.pk}.csv"'
    return response
