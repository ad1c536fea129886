"""Sending an e-mail written in the CRM through the writer's Microsoft 365 / Outlook.com mailbox:
Microsoft Graph's ``/me/sendMail`` with the whole message as MIME (base64, ``text/plain``), so the
Message-ID, In-Reply-To and References the CRM made are kept (replies thread) and Exchange saves
it in the user's Sent Items, where the next sync finds it as the message already stored."""

from __future__ import annotations

import base64

from django.core.mail import EmailMessage
from django.utils.translation import gettext as _

from modules.mailboxes.models import Mailbox
from modules.mailboxes.services.connection import MailboxError
from modules.oauth_accounts.choices import AccountState
from modules.oauth_accounts.graph import GraphClient
from modules.oauth_accounts.services.tokens import OAuthError

# Graph refuses a sendMail request over 4 MB (base64 included); larger ones need an upload session.
MAX_MIME_BYTES = 3 * 1024 * 1024


def can_send_through_graph(mailbox: Mailbox) -> bool:
    account = mailbox.oauth_account
    return account is not None and account.state != AccountState.REVOKED


def send_through_graph(mailbox: Mailbox, email: EmailMessage) -> str:
    """Send ``email`` (From the mailbox's address); "" (Exchange keeps the Sent Items copy itself).
    Raises ``MailboxError`` with a message for the sender when it was not sent."""
    if mailbox.oauth_account is None:
        raise MailboxError(_("The mailbox's account is not connected: connect it again."))
    raw = email.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]  # Django's MIME classes take it
    if len(raw) > MAX_MIME_BYTES:
        raise MailboxError(_("The message is too large to send through Microsoft 365 (at most 3 MB)."))
    try:
        GraphClient(mailbox.oauth_account).request(
            "POST", "me/sendMail", data=base64.b64encode(raw), headers={"Content-Type": "text/plain"}
        )
    except OAuthError as error:
        raise MailboxError(str(error)) from error
    return ""
