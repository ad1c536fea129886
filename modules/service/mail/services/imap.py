"""Incremental IMAP intake: a support address's folder is read by UID from ``last_uid + 1``.

The folder's UIDVALIDITY is kept; when the server changes it (a rebuilt mailbox), UIDs mean
nothing any more and the whole folder is read again, which adds nothing twice because the intake
keeps each Message-ID once per address. Messages are fetched with BODY.PEEK (not marked read) and
never deleted: the mailbox stays the customer mail's archive."""

from __future__ import annotations

import imaplib
import logging
import ssl
from contextlib import suppress

from django.core.cache import cache
from django.utils import timezone

from core.encryption import UnreadableSecret, decrypt
from core.mail.imap import PinnedIMAP4, PinnedIMAP4SSL, quoted, uidvalidity
from customization import outbound_http
from modules.service.mail.choices import ImapSecurity
from modules.service.mail.models import SupportAddress
from modules.service.mail.services.intake import receive

logger = logging.getLogger(__name__)

BATCH = 200
LOCK_SECONDS = 15 * 60


class MailboxError(Exception):
    """The mailbox could not be read (connection, login, folder); the message is for the admin."""


def _connect(address: SupportAddress) -> imaplib.IMAP4:
    """A logged-in client. The host must resolve to public addresses (as webhook URLs must), so a
    workspace cannot point the workers at the platform's own network."""
    try:
        pinned = outbound_http.resolve(address.imap_host, address.imap_port)
        client: imaplib.IMAP4
        if address.imap_security == ImapSecurity.TLS:
            client = PinnedIMAP4SSL(address.imap_host, address.imap_port, pinned)
        else:
            client = PinnedIMAP4(address.imap_host, address.imap_port, pinned)
            if address.imap_security == ImapSecurity.STARTTLS:
                client.starttls(ssl.create_default_context())
    except outbound_http.OutboundError as error:
        raise MailboxError(str(error)) from error
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxError(f"cannot connect to {address.imap_host}:{address.imap_port}: {error}") from error
    try:
        client.login(address.imap_user, decrypt(address.imap_password))
    except UnreadableSecret as error:
        raise MailboxError("the stored password cannot be read: enter it again") from error
    except (OSError, imaplib.IMAP4.error) as error:
        with suppress(Exception):
            client.logout()
        raise MailboxError(f"login refused: {error}") from error
    return client


def _new_uids(client: imaplib.IMAP4, after: int) -> list[int]:
    typ, data = client.uid("SEARCH", f"UID {after + 1}:*")
    if typ != "OK":
        raise MailboxError(f"search failed: {data!r}")
    # "n:*" always matches the newest message, even when its UID is below n.
    return sorted(uid for uid in (int(item) for item in (data[0] or b"").split()) if uid > after)


def _fetch(client: imaplib.IMAP4, uid: int) -> bytes | None:
    typ, data = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
    if typ != "OK":
        raise MailboxError(f"fetch of UID {uid} failed")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return bytes(item[1])
    return None  # expunged meanwhile


def _save_state(address: SupportAddress, **values: object) -> None:
    SupportAddress.objects.filter(pk=address.pk).update(**values)
    for name, value in values.items():
        setattr(address, name, value)


def poll_address(address: SupportAddress) -> int:
    """Read what is new in the address's folder; returns how many messages were taken in. Errors
    are kept on the address (``last_error``) for the settings page, and raised no further."""
    lock = f"service-mail-poll:{address.pk}"
    if not cache.add(lock, 1, LOCK_SECONDS):
        return 0  # another worker is reading this mailbox
    try:
        return _poll(address)
    except MailboxError as error:
        logger.info("support address %s: %s", address.pk, error)
        _save_state(address, last_error=str(error)[:500], last_error_at=timezone.now(), last_polled_at=timezone.now())
        return 0
    finally:
        cache.delete(lock)


def _poll(address: SupportAddress) -> int:
    client = _connect(address)
    taken = 0
    try:
        typ, data = client.select(quoted(address.imap_folder), readonly=True)
        if typ != "OK":
            raise MailboxError(f"folder {address.imap_folder} cannot be opened: {data!r}")
        validity = uidvalidity(client, address.imap_folder)
        if validity != address.uidvalidity:
            _save_state(address, uidvalidity=validity, last_uid=0)
        for uid in _new_uids(client, address.last_uid)[:BATCH]:
            raw = _fetch(client, uid)
            if raw is not None:
                receive(address, raw)
                taken += 1
            _save_state(address, last_uid=uid)
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxError(f"reading failed: {error}") from error
    finally:
        with suppress(Exception):
            client.logout()
    _save_state(address, last_polled_at=timezone.now(), last_error="", last_error_at=None)
    return taken
