"""What a customer does in the portal: open a case, reply to one, accept or decline a quote.
Each calls the service that owns the record (``modules.service.services.cases``,
``modules.sales.services.quote_sharing``), so the portal behaves as every other channel does, and
each is written to the tenant's audit log under the customer's address."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.input_bounds import check_value
from modules.collaboration.models.attachment import attachment_storage, new_storage_key
from modules.collaboration.services.attachments import SNIFF_BYTES, clean_filename, sniff_content_type
from modules.sales.models import Order, Quote
from modules.sales.services.quote_sharing import (
    ShareGone,
    accept_shared_quote,
    active_share,
    decline_shared_quote,
)
from modules.service.choices import CaseChannel, MessageAuthor
from modules.service.models import Case, CaseAttachment, CaseMessage
from modules.service.portal.models import PortalUser
from modules.service.portal.services.sign_in import audit_portal
from modules.service.services.cases import add_message, create_case

SUBJECT_MAX_LENGTH = 300
BODY_MAX_LENGTH = 20_000
FILES_PER_MESSAGE = 5


def _text(value: str, *, field: str, limit: int, required: bool, message: str) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: [message]})
    if len(text) > limit:
        raise ValidationError({field: [_("At most %(count)d characters.") % {"count": limit}]})
    check_value(text, field=field)
    return text


def _checked_files(uploads: Sequence[Any]) -> list[tuple[Any, str, str]]:
    if len(uploads) > FILES_PER_MESSAGE:
        raise ValidationError(
            {
                "attachments": [
                    ngettext("Attach at most %(count)d file.", "Attach at most %(count)d files.", FILES_PER_MESSAGE)
                    % {"count": FILES_PER_MESSAGE}
                ]
            }
        )
    checked = []
    for upload in uploads:
        if not isinstance(upload, UploadedFile) or not upload.size:
            raise ValidationError({"attachments": [_("A file is empty.")]})
        if upload.size > settings.ATTACHMENT_MAX_BYTES:
            raise ValidationError(
                {
                    "attachments": [
                        _("A file is larger than %(limit)s.") % {"limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}
                    ]
                }
            )
        name = clean_filename(upload.name or "")
        upload.seek(0)
        head = upload.read(SNIFF_BYTES)
        upload.seek(0)
        try:
            content_type = sniff_content_type(head, name)
        except ValidationError as error:
            raise ValidationError({"attachments": error.messages}) from error
        checked.append((upload, name, content_type))
    return checked


def _customer_message(case: Case, portal_user: PortalUser, body: str, uploads: Sequence[Any]) -> CaseMessage:
    """The customer's public message with its files: stored before the row commits, removed again
    when the transaction fails."""
    files = _checked_files(uploads)
    storage = attachment_storage()
    stored: list[str] = []
    try:
        rows = []
        for upload, name, content_type in files:
            key = storage.save(new_storage_key(name), upload)
            stored.append(key)
            rows.append(CaseAttachment(storage_key=key, name=name, content_type=content_type[:100], size=upload.size))
        return add_message(
            case, by=None, author_kind=MessageAuthor.CUSTOMER, body_text=body, contact=portal_user.contact,
            channel=CaseChannel.PORTAL, from_address=portal_user.email, attachments=rows,
        )  # fmt: skip
    except BaseException:
        for key in stored:
            storage.delete(key)
        raise


def open_case(portal_user: PortalUser, *, subject: str, description: str, attachments: Sequence[Any] = (),
              order: Order | None = None, ip_address: str | None = None) -> Case:  # fmt: skip
    """A new case of the customer (channel portal), about one of their orders if ``order`` (the
    caller found it through ``portal_orders``); the description is also its first message, so its
    files have a message to belong to."""
    subject = _text(subject, field="subject", limit=SUBJECT_MAX_LENGTH, required=True,
                    message=_("Say in a few words what it is about."))  # fmt: skip
    description = _text(description, field="description", limit=BODY_MAX_LENGTH, required=True,
                        message=_("Describe what happened."))  # fmt: skip
    _checked_files(attachments)
    contact = portal_user.contact
    with transaction.atomic():
        case = create_case(
            by=None, subject=subject, description=description, contact=contact, company=contact.company,
            channel=CaseChannel.PORTAL, order=order, language=translation.get_language() or "",
        )  # fmt: skip
        _customer_message(case, portal_user, description, attachments)
        audit_portal(
            "portal.case_opened", _("%(email)s opened case %(number)s in the portal")
            % {"email": portal_user.email, "number": case.number},
            portal_user.email, ip_address=ip_address, case=case.pk,
        )  # fmt: skip
    return case


def reply(portal_user: PortalUser, case: Case, *, body: str, attachments: Sequence[Any] = (),
          ip_address: str | None = None) -> CaseMessage:  # fmt: skip
    """The customer's reply on one of their cases (the caller found it through ``portal_cases``)."""
    body = _text(body, field="body", limit=BODY_MAX_LENGTH, required=True, message=_("Write a message."))
    with transaction.atomic():
        message = _customer_message(case, portal_user, body, attachments)
        audit_portal(
            "portal.replied", _("%(email)s replied on case %(number)s in the portal")
            % {"email": portal_user.email, "number": case.number},
            portal_user.email, ip_address=ip_address, case=case.pk,
        )  # fmt: skip
    return message


def answer_quote(portal_user: PortalUser, quote: Quote, *, accept: bool, name: str = "", reason: str = "",
                 ip_address: str | None = None) -> Order | None:  # fmt: skip
    """Accept (typing a name) or decline a quote the seller shared, through the quote's link
    service; the order made on acceptance is returned. A quote without a working link cannot be
    answered here (the seller has not offered it, or took it back)."""
    share = active_share(quote)
    if share is None:
        raise ValidationError({"quote": [_("This quote cannot be answered online: ask your contact.")]})
    try:
        with transaction.atomic():
            if accept:
                answer = accept_shared_quote(share, name=name, ip_address=ip_address)
            else:
                answer = decline_shared_quote(share, reason=reason, ip_address=ip_address)
            audit_portal(
                "portal.quote_answered", _("%(email)s answered quote %(number)s in the portal")
                % {"email": portal_user.email, "number": quote.number},
                portal_user.email, ip_address=ip_address, quote=quote.pk, accepted=accept,
            )  # fmt: skip
    except ShareGone as gone:
        raise ValidationError({"quote": [str(gone)]}) from gone
    return answer.order
