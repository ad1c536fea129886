"""One recipient's message: the e-mail rendered for the contact (the email part's ``render_email``),
tracking added, and the headers every marketing message carries — List-Unsubscribe and
List-Unsubscribe-Post (the consent part's), the row's own Message-ID, ``Precedence: bulk`` and a
``Feedback-ID`` that lets mailbox providers report complaints per e-mail.

Through SMTP (``smtp_send``) the message's bytes are written by ``mime.py`` and handed to the
batch's open connection; through a provider (anymail) it is an ``EmailMultiAlternatives`` whose
fields the provider's backend reads (``build``). The content is the same either way."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import connection

from modules.marketing.delivery.models import Recipient
from modules.marketing.delivery.services import mime
from modules.marketing.delivery.tracking import tenant_base_url, with_tracking
from modules.marketing.models import MarketingEmail


@dataclass(frozen=True)
class Content:
    """What one recipient's message says, whichever way it leaves."""

    subject: str
    text: str
    html: str
    headers: dict[str, str]


class MessageBuilder:
    def __init__(self, email: MarketingEmail) -> None:
        from modules.marketing.email.rendering import compiled_for
        from modules.marketing.email.sending import sender_for

        self.email = email
        # The content compiled (or found in the cache) once for the whole send.
        self.compiled = compiled_for(email)
        self.base = tenant_base_url()
        self.host = getattr(getattr(connection, "tenant", None), "primary_host", "")
        self.sender = sender_for(email)
        workspace = hashlib.sha256(str(getattr(connection, "schema_name", "")).encode()).hexdigest()[:10]
        # Campaign:Customer:Type:Sender (the layout Gmail's feedback loop reads).
        self.feedback_id = f"{email.pk}:{email.campaign_id or 0}:{workspace}:relata"
        self._smtp_sender = ""
        self._smtp_reply_to = ""

    @contextmanager
    def connection(self) -> Iterator[Any]:
        from modules.marketing.email.sending import outgoing_connection

        mail = outgoing_connection()
        try:
            yield mail
        finally:
            with suppress(Exception):
                mail.close()

    def reset(self, mail: Any) -> None:
        """Drop a connection a failure may have broken; the next message opens a new one."""
        with suppress(Exception):
            mail.close()

    def content(self, row: Recipient) -> Content:
        from modules.marketing.consent.services import list_unsubscribe_headers
        from modules.marketing.email.rendering import render_email

        contact = row.contact
        if contact is None:
            raise LookupError("the contact was deleted before its message went out")
        rendered = render_email(self.email, contact, subject_variant=row.variant, compiled=self.compiled)
        html = with_tracking(
            rendered.html, row.pk, opens=self.email.track_opens, clicks=self.email.track_clicks, base=self.base
        )
        headers = {
            "Message-ID": row.message_id,
            "Precedence": "bulk",
            "Feedback-ID": self.feedback_id,
            **list_unsubscribe_headers(
                contact, topic=self.email.topic, request_host=self.host, send=row.pk, email=row.address
            ),
        }
        return Content(subject=rendered.subject, text=rendered.text, html=html, headers=headers)

    def build(self, row: Recipient, *, connection: Any) -> EmailMultiAlternatives:
        return self.email_message(row, self.content(row), connection=connection)

    def email_message(self, row: Recipient, content: Content, *, connection: Any) -> EmailMultiAlternatives:
        message = EmailMultiAlternatives(
            subject=content.subject,
            body=content.text,
            from_email=self.sender,
            to=[row.address],
            reply_to=[self.email.reply_to] if self.email.reply_to else None,
            headers=content.headers,
            connection=connection,
        )
        message.attach_alternative(content.html, "text/html")
        # Providers (through anymail) send this back with their tracking events.
        message.metadata = {"relata_recipient": str(row.pk)}  # type: ignore[attr-defined]
        return message

    def raw(self, row: Recipient) -> tuple[str, str, bytes]:
        """(envelope sender, envelope recipient, the message's bytes) of the row's message."""
        return self.raw_message(row, self.content(row))

    def raw_message(self, row: Recipient, content: Content) -> tuple[str, str, bytes]:
        """``email_message``'s message as Django's SMTP backend would hand it over: the same headers
        in the same order, the same envelope."""
        if not self._smtp_sender:
            self._smtp_sender = mime.address(self.sender)
            self._smtp_reply_to = mime.address(self.email.reply_to) if self.email.reply_to else ""
        to = mime.address(row.address)
        headers = [("Subject", content.subject), ("From", self._smtp_sender), ("To", to)]
        if self._smtp_reply_to:
            headers.append(("Reply-To", self._smtp_reply_to))
        headers.append(("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)))
        headers += content.headers.items()
        return self._smtp_sender, to, mime.message_bytes(headers=headers, text=content.text, html=content.html)


def takes_bytes(mail: Any) -> bool:
    """Whether the batch's connection is Django's SMTP backend, to which ``smtp_send`` hands bytes."""
    return isinstance(mail, SmtpBackend)


def smtp_send(mail: SmtpBackend, sender: str, to: str, data: bytes) -> None:
    """Hand a message's bytes to the batch's SMTP connection (opened by the first message): what
    ``EmailMessage.send()`` does through that backend, without building the MIME tree. Raises
    what smtplib raises."""
    mail.open()
    if mail.connection is None:  # open() failed silently (a fail_silently connection)
        raise OSError("the SMTP connection could not be opened")
    mail.connection.sendmail(sender, [to], data)
