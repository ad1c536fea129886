"""Gmail mailboxes: read through the Gmail API (``services.gmail_sync``) and sent through it
(``users.messages.send``, so the mail is in the owner's Sent), with the OAuth2 token of the
mailbox's connected Google account (``modules.oauth_accounts``): refreshed before it expires,
and once more when Gmail refuses it (``401``). A refresh refused with ``invalid_grant`` marks the
account revoked (its owner is told) and stops the mailbox's sync; other Gmail or token errors are
the mailbox's failures (backoff, the owner told once)."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.utils.translation import gettext as _

from modules.mailboxes.choices import MailboxKind
from modules.mailboxes.models import Mailbox
from modules.mailboxes.services.connection import MailboxError
from modules.mailboxes.services.gmail_client import GmailClient, GmailError
from modules.mailboxes.services.gmail_sync import send_by_gmail, sync_gmail
from modules.mailboxes.services.outgoing import register_sender
from modules.mailboxes.services.sync import SyncResult
from modules.oauth_accounts.choices import AccountState
from modules.oauth_accounts.google import token_source
from modules.oauth_accounts.services.tokens import AccountRevoked, OAuthError


def client_for(mailbox: Mailbox) -> GmailClient:
    account = mailbox.oauth_account
    if account is None:
        raise MailboxError(_("The mailbox's Google account is not connected: connect it again."))
    return GmailClient(token_source(account))


def sync_gmail_mailbox(mailbox: Mailbox) -> SyncResult:
    """One sync run; ``AccountRevoked`` goes up (the task stops), other failures are ``MailboxError``."""
    try:
        return sync_gmail(mailbox, client_for(mailbox))
    except AccountRevoked:
        raise
    except (GmailError, OAuthError) as error:
        raise MailboxError(str(error)) from error


def can_send_through_gmail(mailbox: Mailbox) -> bool:
    account = mailbox.oauth_account
    return account is not None and account.state != AccountState.REVOKED


def send_through_gmail(mailbox: Mailbox, email: EmailMessage) -> str:
    """Send ``email`` (From the mailbox's address) through Gmail; "" (Gmail keeps the Sent copy
    itself). Raises ``MailboxError`` with a message for the sender when it was not sent."""
    raw = email.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]  # Django's MIME classes take it
    try:
        send_by_gmail(client_for(mailbox), raw, in_reply_to=str(email.extra_headers.get("In-Reply-To", "")))
    except (GmailError, OAuthError) as error:
        raise MailboxError(str(error)) from error
    return ""


def register() -> None:
    """Composed mail written from a Gmail mailbox leaves through Gmail."""
    register_sender(MailboxKind.GOOGLE, send_through_gmail, ready=can_send_through_gmail)
