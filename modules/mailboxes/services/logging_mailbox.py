"""The logging address read as a mailbox: where the workspace's mail server delivers what users
Bcc or forward to the logging address, read over IMAP by the workers (the other way in is the relay
posting to the webhook, ``views_mail_settings.logging_inbound``; a message arriving both ways is
logged once, by its Message-ID).

The reading itself — by UID from where it stopped, read-only, again from the start after a
UIDVALIDITY change, one worker at a time, failures kept in ``last_error`` for the settings page —
is the platform's single-folder reader (``core.mail.imap_folder``), shared with the support
addresses. Each message takes the webhook's path (``receive_logged``): only a user's mail, never
automatic mail, on the records it matches."""

from __future__ import annotations

import logging

from core.mail.imap_folder import read_folder
from modules.mailboxes.models import MailSettings
from modules.mailboxes.services.connection import connect_imap
from modules.mailboxes.services.mail_settings import MAX_MESSAGE_BYTES, receive_logged

logger = logging.getLogger(__name__)

LOCK_KEY = "mail-logging-poll"


def _log(uid: int, raw: bytes) -> bool:
    if len(raw) > MAX_MESSAGE_BYTES:
        logger.info("logging mailbox: UID %s is larger than the allowed size, not logged", uid)
        return False
    outcome = receive_logged(raw)
    logger.debug("logging mailbox: UID %s %s", uid, outcome)
    return True


def poll_logging_mailbox(row: MailSettings) -> int:
    """Read what is new in the logging mailbox; returns how many messages were read. A failure is
    kept on the settings (``last_error``) and raised no further."""
    if not row.polls_imap:
        return 0
    return read_folder(row, folder=row.imap_folder, connect=lambda: connect_imap(row), take=_log, lock=LOCK_KEY)
