"""Reaching a mailbox's servers: a logged-in IMAP client, and the connection test the settings page
runs before a mailbox is saved (IMAP login and folder, SMTP login). Hosts must resolve to public
addresses (as webhook URLs must, ``customization.outbound_http``), so a workspace cannot point the
workers at the platform's own network. Error texts name the server, never the mailbox address or a
password: they are shown to the owner and may be logged."""

from __future__ import annotations

import imaplib
import smtplib
import ssl
from contextlib import suppress

from django.utils.translation import gettext as _

from core.encryption import UnreadableSecret, decrypt
from core.mail.imap import quoted
from core.mail.imap_folder import FolderError, ImapLogin, log_in
from core.mail.smtp import PinnedSMTP, PinnedSMTPSSL
from customization import outbound_http
from modules.mailboxes.choices import MailSecurity
from modules.mailboxes.models import Mailbox

TIMEOUT = 30


class MailboxError(FolderError):
    """The mailbox could not be reached or read; the message is for its owner."""


def _secret(stored: str) -> str:
    try:
        return decrypt(stored)
    except UnreadableSecret as error:
        raise MailboxError(_("The stored password cannot be read: enter it again.")) from error


def connect_imap(mailbox: ImapLogin) -> imaplib.IMAP4:
    """A logged-in IMAP client for ``mailbox`` — a user's mailbox or the workspace's logging mailbox —
    connected to its host's checked public address (``core.mail.imap_folder.log_in``)."""
    try:
        pinned = outbound_http.resolve(mailbox.imap_host, mailbox.imap_port)
    except outbound_http.OutboundError as error:
        raise MailboxError(str(error)) from error
    try:
        return log_in(mailbox, pinned)
    except FolderError as error:
        raise MailboxError(str(error)) from error


def open_smtp(mailbox: Mailbox) -> smtplib.SMTP:
    """A connected SMTP client for ``mailbox``, logged in when the server offers AUTH (the password
    falls back to the IMAP one). The caller quits it."""
    try:
        pinned = outbound_http.resolve(mailbox.smtp_host, mailbox.smtp_port)
    except outbound_http.OutboundError as error:
        raise MailboxError(str(error)) from error
    password = _secret(mailbox.smtp_password or mailbox.imap_password)
    smtp: smtplib.SMTP | None = None
    try:
        if mailbox.smtp_security == MailSecurity.TLS:
            smtp = PinnedSMTPSSL(mailbox.smtp_host, mailbox.smtp_port, pinned, timeout=TIMEOUT)
        else:
            smtp = PinnedSMTP(mailbox.smtp_host, mailbox.smtp_port, pinned, timeout=TIMEOUT)
            if mailbox.smtp_security == MailSecurity.STARTTLS:
                smtp.starttls(context=ssl.create_default_context())
        smtp.ehlo_or_helo_if_needed()
        if smtp.has_extn("auth"):
            smtp.login(mailbox.smtp_user or mailbox.imap_user, password)
    except smtplib.SMTPAuthenticationError as error:
        _quit(smtp)
        raise MailboxError(_("The SMTP server %(host)s refused the login.") % {"host": mailbox.smtp_host}) from error
    except (OSError, smtplib.SMTPException) as error:
        _quit(smtp)
        raise MailboxError(
            _("Cannot connect to %(host)s:%(port)s (%(error)s).")
            % {"host": mailbox.smtp_host, "port": mailbox.smtp_port, "error": type(error).__name__}
        ) from error
    return smtp


def _quit(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        with suppress(Exception):
            smtp.quit()


def _smtp_login(mailbox: Mailbox) -> None:
    _quit(open_smtp(mailbox))


def test_connection(mailbox: Mailbox) -> None:
    """Raise ``MailboxError`` unless the IMAP login works, the inbox opens and (when an SMTP server
    is given) the SMTP login works."""
    client = connect_imap(mailbox)
    try:
        typ, _data = client.select(quoted(mailbox.inbox_folder), readonly=True)
        if typ != "OK":
            raise MailboxError(_("The folder %(folder)s cannot be opened.") % {"folder": mailbox.inbox_folder})
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxError(_("Reading the mailbox failed (%(error)s).") % {"error": type(error).__name__}) from error
    finally:
        with suppress(Exception):
            client.logout()
    if mailbox.smtp_host:
        _smtp_login(mailbox)
