"""Writing an e-mail on a contact, company, lead or deal: the form (recipients filled from the
record, a workflow template to start from, files — uploaded, or an item of another module's library
such as the sales collateral, as the file or a share link —, an optional send time in the user's zone) and
its submission through ``services.compose``. Only records the user may see are found (else 404);
writing needs ``activities.change``."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from customization.workflows.models import EmailTemplate
from identity.decorators import permission_required
from identity.models import User
from identity.visibility import restrict_to_visible
from modules.collaboration.composer import picked_from_library, picker_choices
from modules.contacts.models import Company, Contact
from modules.mailboxes.models import Mailbox
from modules.mailboxes.quote_mail import (
    mark_sent,
    quote_defaults,
    quote_for,
    quote_links,
    quote_pdf_file,
    quote_record,
)
from modules.mailboxes.services.compose import Draft, compose, split_addresses
from modules.mailboxes.services.mail_settings import tracking_allowed
from modules.mailboxes.services.outgoing import sending_mailboxes
from modules.sales.models import Deal, Lead

RECORDS: dict[str, type[models.Model]] = {"contact": Contact, "company": Company, "lead": Lead, "deal": Deal}
DETAIL_PAGES = {
    "contact": "contacts:contact-detail",
    "company": "contacts:company-detail",
    "lead": "sales:lead-detail",
    "deal": "sales:deal-detail",
}


def _record(user: User, entity: str, pk: int) -> models.Model:
    model = RECORDS.get(entity)
    if model is None:
        raise Http404
    record = restrict_to_visible(model._default_manager.all(), user).filter(pk=pk).first()
    if record is None:
        raise Http404
    return record


def _default_to(record: models.Model) -> str:
    return str(getattr(record, "email", "") or "")


def _send_at(value: str, user: User) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError({"send_at": [_("Enter a date and time.")]}) from None
    if timezone.is_naive(moment):
        zone = getattr(user, "time_zone", "") or timezone.get_current_timezone_name()
        try:
            moment = moment.replace(tzinfo=ZoneInfo(zone))
        except (KeyError, ValueError):
            moment = timezone.make_aware(moment)
    return moment


def _template_id(value: str) -> int | None:
    if not value.strip():
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError({"template": [_("Choose one of the templates.")]}) from None


def _mailbox(value: str, choices: list[Mailbox]) -> Mailbox | None:
    """The chosen sending mailbox among the user's own (blank: the workspace's way of sending)."""
    if not value.strip():
        return None
    for mailbox in choices:
        if str(mailbox.pk) == value.strip():
            return mailbox
    raise ValidationError({"send_from": [_("Choose one of your mailboxes that can send.")]})


@permission_required("activities.change")
def compose_quote(request: HttpRequest, pk: int) -> HttpResponse:
    """The quote page's "Send by e-mail": the compose form on the quote's contact, deal or company."""
    quote = quote_for(request, str(pk))
    target = quote_record(quote) if quote is not None else None
    if target is None:
        messages.error(request, _("Give the quote a contact, deal or company to send it to."))
        return redirect("sales:quote-detail", pk)
    entity, record = target
    return redirect(f"{reverse('mail-compose:compose', args=[entity, record.pk])}?quote={pk}")


@permission_required("activities.change")
def compose_view(request: HttpRequest, entity: str, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    record = _record(user, entity, pk)
    quote = quote_for(request, request.POST.get("quote", "") or request.GET.get("quote", ""))
    errors: dict[str, list[str]] = {}
    mailboxes = sending_mailboxes(user.pk)
    tracking = tracking_allowed()
    values: dict[str, Any] = {
        "track": "on" if tracking else "",
        "send_from": str(mailboxes[0].pk) if mailboxes else "",
        "to": _default_to(record),
        "cc": "",
        "subject": "",
        "body": "",
        "template": "",
        "send_at": "",
        "attach_from": "",
        "attach_as": "file",
        **(quote_defaults(quote) if quote is not None else {}),
    }
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in values}
        files = request.FILES.getlist("attachments")
        try:
            line, library_file = picked_from_library(
                request, values["attach_from"].strip(), values["attach_as"] or "file"
            )
            if library_file is not None:
                name, content, content_type = library_file
                files = [*files, SimpleUploadedFile(name, content, content_type=content_type)]
            draft = Draft(
                to=split_addresses(values["to"]), cc=split_addresses(values["cc"]), subject=values["subject"],
                body=values["body"], template_id=_template_id(values["template"]),
                send_at=_send_at(values["send_at"], user),
                files=[*files, quote_pdf_file(quote)] if quote is not None else files,
                mailbox=_mailbox(values["send_from"], mailboxes),
                also_on=quote_links(quote, entity) if quote is not None else [],
                track=tracking and values["track"] == "on", appendix=line or "",
            )  # fmt: skip
            with transaction.atomic():
                message = compose(record, entity, draft, by=user)
                if quote is not None:
                    mark_sent(quote, user)
        except ValidationError as error:
            errors = error.message_dict
            status = 400
        else:
            if message.send_after is not None:
                messages.success(request, _("Your e-mail is scheduled."))
            else:
                messages.success(request, _("Your e-mail is on its way."))
            return redirect(DETAIL_PAGES[entity], record.pk)
    context = {
        "record": record,
        "record_url": reverse(DETAIL_PAGES[entity], args=[record.pk]),
        "entity": entity,
        "values": values,
        "errors": errors,
        "mailboxes": mailboxes,
        "quote": quote,
        "tracking": tracking,
        "templates": list(EmailTemplate.objects.order_by("name").values_list("pk", "name")),
        # Other modules' libraries (the sales collateral): an item's file or share link.
        "attach_sources": picker_choices(request),
    }
    return render(request, "mailboxes/compose.html", context, status=status)
