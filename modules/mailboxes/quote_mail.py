"""Sending a quote by e-mail from the CRM: the quote page's "Send by e-mail" opens the compose form
on the quote's contact (else its deal, else its company) with the subject and message prefilled,
and the e-mail carries the quote's PDF, rendered when it is sent from the form, as the PDF button
renders it. The message is linked to the quote's deal as well; a draft quote with lines becomes
sent, as sharing its link does. Only quotes the user may see (the sales module, ``sales.view``)
are found; marking it sent needs ``sales.change``."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from identity.models import User
from identity.visibility import restrict_to_visible
from modules.registry import is_enabled
from modules.sales.choices import QuoteStatus
from modules.sales.models import Quote


def quote_for(request: HttpRequest, value: str) -> Quote | None:
    """The quote named by ``value`` (blank: none); 404 unless the user may see it."""
    if not value.strip():
        return None
    user: User = request.user  # type: ignore[assignment]
    if not is_enabled(getattr(request, "tenant", None), "sales") or not user.has_perm("sales.view"):
        raise Http404
    try:
        pk = int(value)
    except ValueError:
        raise Http404 from None
    quote = restrict_to_visible(Quote.objects.select_related("deal", "contact", "company"), user).filter(pk=pk).first()
    if quote is None:
        raise Http404
    return quote


def quote_record(quote: Quote) -> tuple[str, models.Model] | None:
    """The record an e-mail with ``quote`` is written on: its contact, else deal, else company."""
    for entity in ("contact", "deal", "company"):
        record = getattr(quote, entity)
        if record is not None:
            return entity, record
    return None


def quote_defaults(quote: Quote) -> dict[str, str]:
    return {
        "subject": _("Quote %(number)s") % {"number": quote.number},
        "body": _("Hello,\n\nplease find attached our quote %(number)s.\n\nKind regards") % {"number": quote.number},
    }


def quote_pdf_file(quote: Quote) -> SimpleUploadedFile:
    from modules.sales.quote_pdf import render_quote_pdf, workspace_seller

    content = render_quote_pdf(quote, list(quote.lines.order_by("position", "id")), seller=workspace_seller())
    return SimpleUploadedFile(f"{quote.number}.pdf", content, content_type="application/pdf")


def quote_links(quote: Quote, entity: str) -> list[tuple[str, models.Model]]:
    """The other records an e-mail with ``quote`` written on ``entity`` is about."""
    return [("deal", quote.deal)] if quote.deal is not None and entity != "deal" else []


def mark_sent(quote: Quote, user: User) -> None:
    """A draft quote with lines is sent now (inside the caller's transaction)."""
    from modules.sales.services.quotes import set_status

    if quote.status == QuoteStatus.DRAFT and user.has_perm("sales.change") and quote.lines.exists():
        set_status(quote, QuoteStatus.SENT, by=user)
