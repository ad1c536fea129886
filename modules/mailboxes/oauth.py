"""Mailboxes reached through a provider's API: connecting a Microsoft 365 / Outlook.com or Gmail
account for the ``mailbox`` purpose creates the user's mailbox of that kind (or mends it when it
was connected before and its access was withdrawn); a Microsoft mailbox sends through Graph
(``services.graph_send``)."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from modules.mailboxes.choices import MailboxKind, MailboxState
from modules.mailboxes.models import Mailbox
from modules.mailboxes.services.mailboxes import connect_mailbox
from modules.oauth_accounts.models import OAuthAccount
from modules.oauth_accounts.purposes import Purpose, register_purpose


def complete(account: OAuthAccount) -> str:
    with transaction.atomic():
        mailbox = Mailbox.objects.select_for_update().filter(owner=account.user, email__iexact=account.email).first()
        if mailbox is None:
            connect_mailbox(
                owner=account.user, kind=MailboxKind(account.provider), email=account.email, oauth_account=account
            )
        else:
            Mailbox.objects.filter(pk=mailbox.pk).update(
                kind=MailboxKind(account.provider), oauth_account=account, state=MailboxState.ACTIVE, failures=0,
                next_sync_at=None, last_error="",
            )  # fmt: skip
    return reverse("mailboxes:list")


def register() -> None:
    from modules.mailboxes.services.graph_send import can_send_through_graph, send_through_graph
    from modules.mailboxes.services.outgoing import register_sender

    register_purpose(
        Purpose(
            name="mailbox", complete=complete, back_url=lambda: reverse("mailboxes:list"), label=_("Mailbox"),
            accounts_in_use=lambda user: Mailbox.objects.filter(owner=user, oauth_account__isnull=False)
            .values_list("oauth_account_id", flat=True),
        )
    )  # fmt: skip
    # Mail written in the CRM leaves through the writer's Microsoft mailbox when they choose it.
    register_sender(MailboxKind.MICROSOFT, send_through_graph, ready=can_send_through_graph)
