"""The logging address read as a mailbox: where the workspace's mail server delivers what users
Bcc or forward to the logging address, read over IMAP by the workers (the other way in is the relay
posting to the webhook, ``views_mail_settings.logging_inbound``; a message arriving both ways is
logged once, by its Message-ID).

The folder is read from ``last_uid + 1`` with ``BODY.PEEK`` (nothing is marked read or deleted: the
mailbox's own retention is the administrator's), ``last_uid`` saved after each message so a killed
worker goes on where it stopped; a changed UIDVALIDITY (a rebuilt folder) reads it again from the
start, which logs nothing twice. Each message takes the webhook's path (``receive_logged``): only a
user's mail, never automatic mail, on the records it matches. A cache lock keeps two workers off
the mailbox; failures are kept in ``last_error`` for the settings page."""

from __future__ import annotations

import imaplib
import logging
from contextlib import suppress

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from core.mail.imap import quoted, uidvalidity
from modules.mailboxes.models import MailSettings
from modules.mailboxes.services.connection import MailboxError, connect_imap
from modules.mailboxes.services.mail_settings import MAX_MESSAGE_BYTES, receive_logged

logger = logging.getLogger(__name__)

BATCH = 200
LOCK_KEY = "mail-logging-poll"
LOCK_SECONDS = 15 * 60


def _save_state(row: MailSettings, **values: object) -> None:
    MailSettings.objects.filter(pk=row.pk).update(**values)
    for name, value in values.items():
        setattr(row, name, value)


def _new_uids(client: imaplib.IMAP4, after: int) -> list[int]:
    typ, data = client.uid("SEARCH", f"UID {after + 1}:*")
    if typ != "OK":
        raise MailboxError(_("Searching the folder failed."))
    # "n:*" always matches the newest message, even when its UID is below n.
    return sorted(uid for uid in (int(item) for item in (data[0] or b"").split()) if uid > after)


def _fetch(client: imaplib.IMAP4, uid: int) -> bytes | None:
    typ, data = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
    if typ != "OK":
        raise MailboxError(_("Reading message %(uid)s failed.") % {"uid": uid})
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return bytes(item[1])
    return None  # expunged meanwhile


def poll_logging_mailbox(row: MailSettings) -> int:
    """Read what is new in the logging mailbox; returns how many messages were read. A failure is
    kept on the settings (``last_error``) and raised no further."""
    if not row.polls_imap or not cache.add(LOCK_KEY, 1, LOCK_SECONDS):
        return 0  # not read over IMAP, or another worker is reading it
    try:
        return _poll(row)
    except MailboxError as error:
        logger.info("logging mailbox: %s", error)
        now = timezone.now()
        _save_state(row, last_error=str(error)[:500], last_error_at=now, last_polled_at=now)
        return 0
    finally:
        cache.delete(LOCK_KEY)


def _poll(row: MailSettings) -> int:
    client = connect_imap(row)
    read = 0
    try:
        typ, _data = client.select(quoted(row.imap_folder), readonly=True)
        if typ != "OK":
            raise MailboxError(_("The folder %(folder)s cannot be opened.") % {"folder": row.imap_folder})
        validity = uidvalidity(client, row.imap_folder)
        if validity != row.uidvalidity:
            _save_state(row, uidvalidity=validity, last_uid=0)
        for uid in _new_uids(client, row.last_uid)[:BATCH]:
            raw = _fetch(client, uid)
            if raw is not None and len(raw) > MAX_MESSAGE_BYTES:
                logger.info("logging mailbox: UID %s is larger than the allowed size, not logged", uid)
            elif raw is not None:
                outcome = receive_logged(raw)
                logger.debug("logging mailbox: UID %s %s", uid, outcome)
                read += 1
            _save_state(row, last_uid=uid)
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxError(_("Reading the mailbox failed (%(error)s).") % {"error": type(error).__name__}) from error
    finally:
        with suppress(Exception):
            client.logout()
    _save_state(row, last_polled_at=timezone.now(), last_error="", last_error_at=None)
    return read
