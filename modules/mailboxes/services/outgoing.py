"""Sending an e-mail written in the CRM through the writer's own connected mailbox, so it leaves
from their address and is in their Sent folder as if their mail client had sent it.

Each mailbox kind registers how it sends (``register_sender``): an IMAP mailbox sends through its
SMTP server, then appends the very bytes sent to its Sent folder (IMAP APPEND, flagged seen); the
OAuth kinds register their provider's API beside it. ``send_through_mailbox`` is the one entry
point the composed-mail task calls. With ``EMAIL_CATCH_ALL`` on (``make run``) the message goes to
the platform's connection, the local sink, and nothing is appended: no real mailbox is touched.

Failing to reach or use the SMTP server raises (``MailboxError``, ``smtplib.SMTPException``,
``OSError``) so the task retries; a failed APPEND after a successful send does not — the mail is
gone and sending it again would duplicate it — and is returned as a note for the sender."""

from __future__ import annotations

import imaplib
import time
from collections.abc import Callable
from contextlib import suppress

from django.core.mail import EmailMessage
from django.utils.translation import gettext as _

from core import mail_catch
from core.mail.imap import quoted
from modules.mailboxes.choices import MailboxKind
from modules.mailboxes.models import Mailbox
from modules.mailboxes.services.connection import MailboxError, connect_imap, open_smtp

# How a kind of mailbox sends one message: returns a note for the sender ("" when all went well).
Sender = Callable[[Mailbox, EmailMessage], str]
# Whether a mailbox of that kind is set up to send (an IMAP mailbox needs its SMTP server).
Ready = Callable[[Mailbox], bool]

_SENDERS: dict[str, tuple[Sender, Ready]] = {}


def register_sender(kind: str, sender: Sender, *, ready: Ready | None = None) -> None:
    _SENDERS[kind] = (sender, ready or (lambda mailbox: True))


def can_send(mailbox: Mailbox) -> bool:
    entry = _SENDERS.get(mailbox.kind)
    return entry is not None and entry[1](mailbox)


def sending_mailboxes(user_id: int) -> list[Mailbox]:
    """The user's own mailboxes that can send, in the settings page's order."""
    return [mailbox for mailbox in Mailbox.objects.filter(owner_id=user_id) if can_send(mailbox)]


def send_through_mailbox(mailbox: Mailbox, email: EmailMessage) -> str:
    """Send ``email`` (From already the mailbox's address) through ``mailbox``; the note for the
    sender, or raise when it was not sent."""
    if mail_catch.caught():
        email.connection = mail_catch.connection()
        email.send()
        return ""
    entry = _SENDERS.get(mailbox.kind)
    if entry is None or not entry[1](mailbox):
        raise MailboxError(_("This mailbox cannot send e-mail."))
    return entry[0](mailbox, email)


def _send_by_smtp(mailbox: Mailbox, email: EmailMessage) -> str:
    raw = email.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]  # Django's MIME classes take it
    smtp = open_smtp(mailbox)
    try:
        smtp.sendmail(mailbox.email, email.recipients(), raw)
    finally:
        with suppress(Exception):
            smtp.quit()
    return append_to_sent(mailbox, raw)


def append_to_sent(mailbox: Mailbox, raw: bytes) -> str:
    """Put ``raw`` in the mailbox's Sent folder (created when the server says it is missing); the
    problem as a note, never raised."""
    try:
        client = connect_imap(mailbox)
    except MailboxError as error:
        return _("Sent, but not copied to your Sent folder: %(error)s") % {"error": error}
    try:
        folder = quoted(mailbox.sent_folder)
        when = imaplib.Time2Internaldate(time.time())
        typ, _data = client.append(folder, r"(\Seen)", when, raw)
        if typ != "OK":
            client.create(folder)
            typ, _data = client.append(folder, r"(\Seen)", when, raw)
        if typ != "OK":
            return _("Sent, but the folder %(folder)s refused the copy.") % {"folder": mailbox.sent_folder}
    except (OSError, imaplib.IMAP4.error) as error:
        return _("Sent, but not copied to your Sent folder (%(error)s).") % {"error": type(error).__name__}
    finally:
        with suppress(Exception):
            client.logout()
    return ""


register_sender(MailboxKind.IMAP, _send_by_smtp, ready=lambda mailbox: bool(mailbox.smtp_host))
