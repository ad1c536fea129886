"""E-mail to case test helpers: support addresses, messages as a customer's mail program writes
them, and the real IMAP (Dovecot) and SMTP (aiosmtpd) servers."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from django.utils import timezone

from modules.service.mail.models import SupportAddress
from modules.service.mail.services.addresses import create_address
from tests.imap_server import imap_server  # noqa: F401
from tests.mail_server import smtp_server  # noqa: F401
from tests.tenancy import TenantFixture


def make_address(tenant: TenantFixture, email: str = "help@acme-support.example", **values: Any) -> SupportAddress:
    with tenant.active():
        return create_address(by=None, email=email, **values)


def customer_mail(
    *,
    sender: str = "Carla Customer <carla@customer-co.example>",
    to: str = "help@acme-support.example",
    subject: str = "The printer does not print",
    body: str = "It blinks red since Monday.",
    **headers: str,
) -> EmailMessage:
    """An e-mail as a customer's mail program sends it (Message-ID and Date set)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = make_msgid(domain="customer-co.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def reply_to(original: Any, *, sender: str = "Carla Customer <carla@customer-co.example>", body: str = "Still broken.",
             subject: str | None = None, **headers: str) -> EmailMessage:  # fmt: skip
    """A reply to ``original`` (an e-mail.message.Message): Re: subject, In-Reply-To, References."""
    references = " ".join(filter(None, [str(original.get("References", "")), str(original["Message-ID"])]))
    return customer_mail(
        sender=sender, to=str(original["From"]), subject=subject or f"Re: {original['Subject']}", body=body,
        In_Reply_To=str(original["Message-ID"]), References=references, **headers,
    )  # fmt: skip
