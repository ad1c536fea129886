"""Incremental IMAP intake: a support address's folder read by the platform's single-folder reader
(``core.mail.imap_folder``, shared with the workspace's logging mailbox): by UID from where it
stopped, read-only (messages are never marked read or deleted: the mailbox stays the customer
mail's archive), again from the start after a UIDVALIDITY change — which adds nothing twice, as the
intake keeps each Message-ID once per address — one worker at a time, a failure kept in
``last_error`` for the settings page."""

from __future__ import annotations

import imaplib

from core.mail.imap_folder import FolderError, log_in, read_folder
from customization import outbound_http
from modules.service.mail.models import SupportAddress
from modules.service.mail.services.intake import receive


def _connect(address: SupportAddress) -> imaplib.IMAP4:
    """A logged-in client. The host must resolve to public addresses (as webhook URLs must), so a
    workspace cannot point the workers at the platform's own network."""
    try:
        pinned = outbound_http.resolve(address.imap_host, address.imap_port)
    except outbound_http.OutboundError as error:
        raise FolderError(str(error)) from error
    return log_in(address, pinned)


def poll_address(address: SupportAddress) -> int:
    """Read what is new in the address's folder; returns how many messages were taken in. Errors
    are kept on the address (``last_error``) for the settings page, and raised no further."""

    def take(_uid: int, raw: bytes) -> bool:
        receive(address, raw)
        return True

    return read_folder(
        address,
        folder=address.imap_folder,
        connect=lambda: _connect(address),
        take=take,
        lock=f"service-mail-poll:{address.pk}",
    )
