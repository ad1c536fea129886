"""Microsoft 365 mailbox and calendar tests: the fake identity platform and Graph
(``tests.msgraph_server``) and an account connected through the real flow."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

from modules.mailboxes.models import Mailbox
from modules.oauth_accounts.models import OAuthAccount
from tests.msgraph_server import (
    FakeMicrosoft,
    fake_microsoft,  # noqa: F401 - the fixture of these tests
)
from tests.oauth_accounts.conftest import connect_through_flow
from tests.tenancy import REP_EMAIL, TenantFixture


def connected_mailbox(alpha: TenantFixture, fake: FakeMicrosoft, **values: object) -> Mailbox:
    """The rep's Microsoft mailbox, connected through the authorization-code flow."""
    connect_through_flow(alpha.client(REP_EMAIL), fake)
    with alpha.active():
        if values:
            Mailbox.objects.update(**values)
        return Mailbox.objects.select_related("oauth_account", "owner").get()


def account_of(alpha: TenantFixture) -> OAuthAccount:
    with alpha.active():
        return OAuthAccount.objects.get()


def mail(
    *, sender: str, to: str, subject: str = "Order of spare parts", in_reply_to: str = "", days_ago: int = 0
) -> tuple[str, bytes]:
    message = EmailMessage()
    message_id = make_msgid(domain="mail.example")
    message["Message-ID"] = message_id
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now() - timedelta(days=days_ago))
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content("Could you confirm the delivery date?")
    message.add_attachment(b"%PDF-1.4 order", maintype="application", subtype="pdf", filename="order.pdf")
    return message_id, message.as_bytes()
