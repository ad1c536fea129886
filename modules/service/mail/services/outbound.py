"""Case messages out by e-mail: an agent's public reply goes to the customer from the case's
support address (the one its first e-mail came to, else the default address, else the platform's
sender), with a Message-ID kept on the message, In-Reply-To and References of the thread and the
case token in the subject. Internal notes and the customer's own messages are never sent."""

from __future__ import annotations

from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.utils import timezone

from modules.collaboration.models.attachment import attachment_storage
from modules.service.choices import MessageAuthor, MessageKind
from modules.service.hooks import CaseChange
from modules.service.mail.choices import OutboundKind, OutboundState
from modules.service.mail.models import InboundMail, OutboundMail, SupportAddress
from modules.service.mail.services.intake import new_message_id
from modules.service.mail.threads import subject_with_token
from modules.service.models import Case, CaseMessage

MAX_REFERENCES = 20


def address_for_case(case: Case) -> SupportAddress | None:
    first = InboundMail.objects.filter(case=case).select_related("address").order_by("id").first()
    if first is not None and first.address.is_active:
        return first.address
    return SupportAddress.objects.filter(is_default=True).first()


def _thread(case: Case, message: CaseMessage) -> tuple[str, list[str]]:
    """(In-Reply-To, References) for ``message``: the latest customer e-mail it answers and the
    ids of the case's messages before it."""
    earlier = list(
        CaseMessage.objects.filter(case=case, id__lt=message.pk)
        .exclude(message_id="")
        .exclude(kind=MessageKind.NOTE)
        .order_by("id")
        .values_list("message_id", "author_kind")
    )
    references = [message_id for message_id, _author in earlier][-MAX_REFERENCES:]
    customer = [message_id for message_id, author in earlier if author == MessageAuthor.CUSTOMER]
    return (customer[-1] if customer else (references[-1] if references else "")), references


def queue_reply_mail(case: Case, change: CaseChange) -> None:
    """Case hook: an agent's public reply gets its e-mail headers and is sent after the commit."""
    message = change.message
    if change.action != "message" or message is None:
        return
    if message.kind != MessageKind.REPLY or message.author_kind != MessageAuthor.AGENT:
        return
    recipients = list(message.to_addresses or [])
    if not recipients and case.contact_id is not None:
        email = case.contact.email if case.contact else ""
        recipients = [email] if email else []
    if not recipients:
        return
    address = address_for_case(case)
    in_reply_to, references = _thread(case, message)
    values: dict[str, Any] = {
        "message_id": message.message_id or new_message_id(address),
        "in_reply_to": in_reply_to,
        "references": " ".join(references),
        "to_addresses": recipients,
        "from_address": address.email if address else "",
        "subject": subject_with_token(case, message.subject or f"Re: {case.subject}")[:300],
    }
    CaseMessage.objects.filter(pk=message.pk).update(**values)
    for name, value in values.items():
        setattr(message, name, value)
    outbound = OutboundMail.objects.create(message=message, address=address, kind=OutboundKind.REPLY)
    from modules.service.mail.tasks import send_case_mail

    transaction.on_commit(lambda: send_case_mail.apply_async((outbound.pk,), retry=False))


def _sender(address: SupportAddress | None) -> str:
    if address is None:
        return settings.DEFAULT_FROM_EMAIL
    tenant_name = getattr(getattr(connection, "tenant", None), "name", "")
    return formataddr((address.name or tenant_name, address.email))


def build_email(outbound: OutboundMail) -> EmailMultiAlternatives:
    message = outbound.message
    headers = {"Message-ID": message.message_id}
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    if message.references:
        headers["References"] = message.references
    if outbound.kind == OutboundKind.ACKNOWLEDGEMENT:
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    email = EmailMultiAlternatives(
        subject=message.subject, body=message.body_text, from_email=_sender(outbound.address),
        to=message.to_addresses, cc=message.cc_addresses or None, headers=headers,
        reply_to=[outbound.address.email] if outbound.address else None,
    )  # fmt: skip
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    storage = attachment_storage()
    for attachment in message.attachments.all():
        with storage.open(attachment.storage_key, "rb") as handle:
            email.attach(attachment.name, handle.read(), attachment.content_type)
    return email


def send_outbound(outbound_id: int) -> str:
    """Send one queued e-mail (idempotent: one already sent is left alone). Raises the transport's
    error so the task retries."""
    outbound = OutboundMail.objects.select_related("message", "address").filter(pk=outbound_id).first()
    if outbound is None or outbound.state == OutboundState.SENT:
        return "skipped"
    OutboundMail.objects.filter(pk=outbound.pk).update(attempts=outbound.attempts + 1)
    try:
        build_email(outbound).send()
    except Exception as error:
        OutboundMail.objects.filter(pk=outbound.pk).update(last_error=f"{type(error).__name__}: {error}"[:500])
        raise
    OutboundMail.objects.filter(pk=outbound.pk).update(state=OutboundState.SENT, sent_at=timezone.now(), last_error="")
    return "sent"


def give_up(outbound_id: int, error: str) -> None:
    OutboundMail.objects.filter(pk=outbound_id).exclude(state=OutboundState.SENT).update(
        state=OutboundState.FAILED, last_error=error[:500]
    )
