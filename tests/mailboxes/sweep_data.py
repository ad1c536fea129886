"""A stored e-mail for the sweeps that need one of each record."""

from __future__ import annotations

from uuid import uuid4

from identity.models import User
from modules.mailboxes.models import MailMessage
from modules.mailboxes.services.mailboxes import connect_mailbox
from modules.mailboxes.services.matching import Matcher
from modules.mailboxes.services.store_batch import WrittenFiles, store_messages
from tests.mailboxes.conftest import message


def sweep_mail_message(owner: User) -> MailMessage:
    """A received message with a file, in a new mailbox of ``owner`` (call inside the tenant)."""
    mailbox = connect_mailbox(
        owner=owner,
        email=f"sweep-{uuid4().hex[:12]}@mailbox.example",
        imap_host="imap.mailbox.example",
        imap_password="pw",
    )
    _id, raw = message(sender="sweep.sender@people.example", to=mailbox.email, attachment=b"%PDF-1.4")
    [(stored, _new)] = store_messages(
        mailbox, [(raw, None)], folder=None, direction="in", matcher=Matcher(own_addresses=[mailbox.email]),
        files=WrittenFiles(),
    )  # fmt: skip
    assert stored is not None
    return stored
