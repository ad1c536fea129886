"""Taking one e-mail into the CRM: parsed (``core.mail.parsing``, which never raises), skipped when
it involves an address the owner never wants logged, kept once per (mailbox, Message-ID), put in
its thread, its HTML sanitised, its attachments saved in the private storage, linked to the
records it is about and shown on their timelines. The caller holds the transaction. Storing is done
by ``store_batch.store_messages`` (one message here is a batch of one), which the sync uses for a
whole fetched batch."""

from __future__ import annotations

from modules.mailboxes.models import Mailbox, MailFolder, MailMessage
from modules.mailboxes.services.matching import Matcher
from modules.mailboxes.services.store_batch import (
    MAX_ATTACHMENT_BYTES,
    SNIPPET,
    WrittenFiles,
    is_excluded,
    store_messages,
)

__all__ = ["MAX_ATTACHMENT_BYTES", "SNIPPET", "WrittenFiles", "is_excluded", "store_message"]


def store_message(
    mailbox: Mailbox,
    raw: bytes,
    *,
    folder: MailFolder | None,
    uid: int | None,
    direction: str,
    matcher: Matcher,
    files: WrittenFiles,
) -> tuple[MailMessage | None, bool]:
    """Keep ``raw`` (an RFC 5322 message) read from ``mailbox``: (the message, whether it is new);
    (None, False) when it is excluded. A message already kept (same Message-ID) is returned as it
    is, so reading a folder again adds nothing."""
    [result] = store_messages(mailbox, [(raw, uid)], folder=folder, direction=direction, matcher=matcher, files=files)
    return result
