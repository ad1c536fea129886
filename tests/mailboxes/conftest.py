"""Mailbox test helpers: a real Dovecot (``tests.imap_server``), messages as a correspondent's
server would deliver them, and mailboxes connected through the service."""

from __future__ import annotations

import imaplib
import time
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

from identity.models import User
from modules.mailboxes.choices import MailboxVisibility, MailSecurity
from modules.mailboxes.models import Mailbox
from modules.mailboxes.services.mailboxes import connect_mailbox
from tests.imap_server import (
    HOST,
    ImapServer,
    imap_server,  # noqa: F401 - the fixture of these tests
)

OWNER_ADDRESS = "rita@alpha-sales.example"


def message(
    *,
    sender: str,
    to: str = OWNER_ADDRESS,
    subject: str = "Pricing for next year",
    body: str = "Could you send the new price list?",
    in_reply_to: str = "",
    attachment: bytes | None = None,
) -> tuple[str, bytes]:
    """(Message-ID, bytes) of a plain e-mail, dated now."""
    mail = EmailMessage()
    message_id = make_msgid(domain="mail.example")
    mail["Message-ID"] = message_id
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.now())
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
        mail["References"] = in_reply_to
    mail.set_content(body)
    if attachment is not None:
        mail.add_attachment(attachment, maintype="application", subtype="pdf", filename="prices.pdf")
    return message_id, mail.as_bytes()


def append_many(server: ImapServer, raws: list[bytes], folder: str = "INBOX") -> None:
    """Deliver many messages in one IMAP session."""
    client = server.client()
    try:
        for raw in raws:
            typ, data = client.append(folder, "", imaplib.Time2Internaldate(time.time()), raw)
            assert typ == "OK", data
    finally:
        client.logout()


def connect(
    owner: User, server: ImapServer, *, visibility: str = MailboxVisibility.SUBJECT, **values: object
) -> Mailbox:
    """The owner's mailbox on the test Dovecot (call inside the tenant)."""
    return connect_mailbox(
        owner=owner,
        email=OWNER_ADDRESS,
        imap_host=HOST,
        imap_port=server.port,
        imap_security=MailSecurity.NONE,
        imap_user=server.user,
        imap_password=server.password,
        visibility=visibility,
        **values,
    )
