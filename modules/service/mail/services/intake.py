"""E-mail to case: one path for every way mail arrives (IMAP polling, the inbound webhook).

``receive(address, raw)`` reads the message (``parsing``), keeps it once per Message-ID and
address, ignores what a machine wrote (``loops``), finds the case it continues (``threads``) or
opens one in the address's queue for the sender's contact (``senders``), adds the message with its
attachments through ``services.cases`` and, for a new case, queues the acknowledgement. All of it in
one transaction: a message is taken in whole or not at all (files written before a failure are
removed), and bad input is recorded as rejected, never raised."""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.mail.parsing import ParsedMail, clean, content_language, parse_mail
from core.mail.quoting import quote_start, visible_text
from modules.collaboration.models.attachment import attachment_storage, new_storage_key
from modules.service.choices import CaseChannel, MessageAuthor, StatusCategory
from modules.service.mail.choices import InboundOutcome, OutboundKind
from modules.service.mail.loops import automatic_reason
from modules.service.mail.models import InboundMail, OutboundMail, SupportAddress
from modules.service.mail.services.senders import contact_for_sender
from modules.service.mail.threads import find_case, subject_with_token
from modules.service.models import Case, CaseAttachment, CaseMessage
from modules.service.services.cases import add_message, create_case

logger = logging.getLogger(__name__)


def max_attachment_bytes() -> int:
    return int(getattr(settings, "SERVICE_MAIL_MAX_ATTACHMENT_BYTES", 25 * 1024 * 1024))


def max_message_bytes() -> int:
    return int(getattr(settings, "SERVICE_MAIL_MAX_MESSAGE_BYTES", 40 * 1024 * 1024))


def acks_per_sender_per_hour() -> int:
    return int(getattr(settings, "SERVICE_MAIL_ACKS_PER_SENDER_PER_HOUR", 3))


def own_addresses() -> set[str]:
    return {email.lower() for email in SupportAddress.objects.values_list("email", flat=True)}


def new_message_id(address: SupportAddress | None) -> str:
    domain = address.email.rsplit("@", 1)[-1] if address else settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1]
    return make_msgid(idstring="case", domain=domain.strip(">").strip() or "relata.invalid")


def _record(address: SupportAddress, mail: ParsedMail, outcome: str, reason: str = "", **values: object) -> InboundMail:
    """The intake's note of ``mail``; a concurrent reader that kept it first wins."""
    try:
        with transaction.atomic():
            return InboundMail.objects.create(
                address=address, message_id=mail.message_id, sender=mail.from_address, subject=mail.subject,
                outcome=outcome, reason=clean(reason, 200), thread_key=mail.thread_key, **values,
            )  # fmt: skip
    except IntegrityError:
        return InboundMail.objects.get(address=address, message_id=mail.message_id)


def _store_files(mail: ParsedMail, written: list[str]) -> list[CaseAttachment]:
    storage = attachment_storage()
    rows = []
    for attachment in mail.attachments:
        key = storage.save(new_storage_key(attachment.name), ContentFile(attachment.content))
        written.append(key)
        rows.append(
            CaseAttachment(
                storage_key=key, name=attachment.name, content_type=attachment.content_type,
                size=len(attachment.content),
            )
        )  # fmt: skip
    return rows


def _body(mail: ParsedMail) -> str:
    text = mail.text
    if mail.oversized_attachments:
        names = ", ".join(mail.oversized_attachments)
        text += "\n\n" + _("Attachments left out as too large: %(names)s") % {"names": names}
    if not text.strip() and not mail.html.strip():
        text = _("(This e-mail has no text.)")
    return text


def _acknowledge(case: Case, address: SupportAddress, mail: ParsedMail, inbound: InboundMail) -> None:
    """The automatic answer to a new case (at most N per sender and hour; RFC 3834's
    ``Auto-Submitted: auto-replied`` goes on it when sent)."""
    since = timezone.now() - timedelta(hours=1)
    recent = InboundMail.objects.filter(sender=mail.from_address, acknowledged_at__gte=since).count()
    if recent >= acks_per_sender_per_hour():
        return
    text = _(
        "Thank you for your message. We opened case %(number)s for it and will answer soon.\n\n"
        "To add to it, reply to this e-mail and keep %(token)s in the subject."
    ) % {"number": case.number, "token": f"[{case.number}]"}
    message = add_message(
        case, by=None, author_kind=MessageAuthor.SYSTEM, body_text=text, channel=CaseChannel.EMAIL,
        from_address=address.email, to_addresses=[mail.from_address],
        subject=subject_with_token(case, f"Re: {mail.subject}" if mail.subject else case.subject),
        message_id=new_message_id(address), in_reply_to=mail.message_id,
        references=" ".join([*mail.references[-20:], mail.message_id]),
    )  # fmt: skip
    outbound = OutboundMail.objects.create(message=message, address=address, kind=OutboundKind.ACKNOWLEDGEMENT)
    inbound.acknowledged_at = timezone.now()
    inbound.save(update_fields=["acknowledged_at"])
    from modules.service.mail.tasks import send_case_mail

    transaction.on_commit(lambda: send_case_mail.apply_async((outbound.pk,), retry=False))


def _take_in(address: SupportAddress, mail: ParsedMail, written: list[str]) -> InboundMail:
    case = find_case(mail)
    previous = None
    if case is not None and case.status.category == StatusCategory.CLOSED:
        previous, case = case, None  # a closed case stays closed: its follow-up is a new case
    contact = contact_for_sender(mail.from_address, mail.from_name)
    text = _body(mail)
    start = quote_start(text)
    opened = case is None
    if case is None:
        description = visible_text(text, start)[:10_000]
        if previous is not None:
            description = _("Follows up closed case %(number)s.") % {"number": previous.number} + "\n\n" + description
        case = create_case(
            by=None, subject=mail.subject or _("(no subject)"), description=description, contact=contact,
            channel=CaseChannel.EMAIL, team=address.team, language=content_language(mail),
        )  # fmt: skip
    message: CaseMessage = add_message(
        case, by=None, author_kind=MessageAuthor.CUSTOMER, body_text=text, body_html=mail.html, contact=contact,
        channel=CaseChannel.EMAIL, attachments=_store_files(mail, written),
        from_address=mail.from_address, to_addresses=mail.to, cc_addresses=mail.cc, subject=mail.subject,
        message_id=mail.message_id, in_reply_to=" ".join(mail.in_reply_to)[:998],
        references=" ".join(mail.references),
    )  # fmt: skip
    inbound = InboundMail.objects.create(
        address=address, message_id=mail.message_id, sender=mail.from_address, subject=mail.subject,
        outcome=InboundOutcome.OPENED if opened else InboundOutcome.THREADED, case=case, case_message=message,
        thread_key=mail.thread_key, quote_start=start,
    )  # fmt: skip
    if opened and address.auto_acknowledge:
        _acknowledge(case, address, mail, inbound)
    return inbound


def receive(address: SupportAddress, raw: bytes) -> InboundMail:
    """Take in one e-mail received through ``address`` (idempotent per Message-ID and address)."""
    if len(raw) > max_message_bytes():
        mail = parse_mail(raw[:65536], max_attachment=0)
        return _record(address, mail, InboundOutcome.REJECTED, "message too large")
    mail = parse_mail(raw, max_attachment=max_attachment_bytes())
    existing = InboundMail.objects.filter(address=address, message_id=mail.message_id).first()
    if existing is not None:
        return existing
    reason = automatic_reason(mail, own_addresses())
    if reason:
        return _record(address, mail, InboundOutcome.IGNORED, reason)
    try:
        validate_email(mail.from_address)
    except ValidationError:
        return _record(address, mail, InboundOutcome.REJECTED, "no valid sender address")
    written: list[str] = []
    try:
        with transaction.atomic():
            return _take_in(address, mail, written)
    except IntegrityError:
        # Another reader took the same message in meanwhile: its record stands.
        _remove(written)
        existing = InboundMail.objects.filter(address=address, message_id=mail.message_id).first()
        if existing is not None:
            return existing
        raise
    except ValidationError as error:
        _remove(written)
        logger.info("e-mail %s rejected: %s", mail.message_id, error)
        return _record(address, mail, InboundOutcome.REJECTED, "; ".join(error.messages))
    except BaseException:
        _remove(written)
        raise


def _remove(keys: list[str]) -> None:
    storage = attachment_storage()
    for key in keys:
        try:
            storage.delete(key)
        except OSError:  # a file that cannot be removed is only litter; the row is gone
            logger.warning("attachment %s of a rolled back e-mail could not be removed", key)
