"""One recipient's message: the e-mail rendered for the contact (the email part's ``render_email``),
tracking added, and the headers every marketing message carries — List-Unsubscribe and
List-Unsubscribe-Post (the consent part's), the row's own Message-ID, ``Precedence: bulk`` and a
``Feedback-ID`` that lets mailbox providers report complaints per e-mail."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import connection

from modules.marketing.delivery.models import Recipient
from modules.marketing.delivery.tracking import tenant_base_url, with_tracking
from modules.marketing.models import MarketingEmail


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

    def build(self, row: Recipient, *, connection: Any) -> EmailMultiAlternatives:
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
        message = EmailMultiAlternatives(
            subject=rendered.subject,
            body=rendered.text,
            from_email=self.sender,
            to=[row.address],
            reply_to=[self.email.reply_to] if self.email.reply_to else None,
            headers=headers,
            connection=connection,
        )
        message.attach_alternative(html, "text/html")
        # Providers (through anymail) send this back with their tracking events.
        message.metadata = {"relata_recipient": str(row.pk)}  # type: ignore[attr-defined]
        return message
