"""One IMAP folder read as it grows, for the platform's readers that each watch a single folder: a
support address's mailbox (customer mail becomes cases) and the workspace's logging mailbox (what
users Bcc is logged on records). Both keep the same state on their own row — ``uidvalidity``,
``last_uid``, ``last_polled_at``, ``last_error``, ``last_error_at`` — and differ only in how they
reach the server and what they do with a message, which they pass in.

The folder is selected read-only and read from ``last_uid + 1`` with ``BODY.PEEK`` (nothing is
marked read or deleted: the mailbox stays the mail's archive), ``last_uid`` saved after each
message so a killed worker goes on where it stopped. When the server changes the folder's
UIDVALIDITY (a rebuilt mailbox) UIDs mean nothing any more and the folder is read again from the
start: the callers keep each Message-ID once, so this adds nothing twice. A cache lock keeps a
second worker off the folder; a failure is kept in ``last_error`` for the settings page and
raised no further."""

from __future__ import annotations

import imaplib
import logging
import ssl
from collections.abc import Callable
from contextlib import suppress
from typing import Any, Protocol

from django.core.cache import cache
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from core.encryption import UnreadableSecret, decrypt
from core.mail.imap import TIMEOUT, PinnedIMAP4, PinnedIMAP4SSL, quoted, uidvalidity

logger = logging.getLogger(__name__)

BATCH = 200  # messages per read; the next read goes on from there
LOCK_SECONDS = 15 * 60
TLS, STARTTLS = "tls", "starttls"  # the security values of the callers' choices ("none" otherwise)


class FolderError(Exception):
    """The folder could not be reached or read (connection, login, folder, a refused command). The
    message names the server, never the mailbox's user or password: it is shown to administrators
    and may be logged."""


class ImapLogin(Protocol):
    """What logging in takes: a row with the server's settings and the encrypted password."""

    imap_host: str
    imap_port: int
    imap_security: str
    imap_user: str
    imap_password: str


def log_in(account: ImapLogin, address: str) -> imaplib.IMAP4:
    """A logged-in client for ``account``, connected to ``address`` — the resolution of its host the
    caller checked (public addresses only), so no second DNS answer comes between."""
    host, port = account.imap_host, account.imap_port
    try:
        client: imaplib.IMAP4
        if account.imap_security == TLS:
            client = PinnedIMAP4SSL(host, port, address, timeout=TIMEOUT)
        else:
            client = PinnedIMAP4(host, port, address, timeout=TIMEOUT)
            if account.imap_security == STARTTLS:
                client.starttls(ssl.create_default_context())
    except (OSError, imaplib.IMAP4.error) as error:
        raise FolderError(
            _("Cannot connect to %(host)s:%(port)s (%(error)s).")
            % {"host": host, "port": port, "error": type(error).__name__}
        ) from error
    try:
        client.login(account.imap_user, decrypt(account.imap_password))
    except UnreadableSecret as error:
        with suppress(Exception):
            client.logout()
        raise FolderError(_("The stored password cannot be read: enter it again.")) from error
    except (OSError, imaplib.IMAP4.error) as error:
        with suppress(Exception):
            client.logout()
        raise FolderError(_("The IMAP server %(host)s refused the login.") % {"host": host}) from error
    return client


class FolderState(Protocol):
    """The reader's row (a model instance): where the reading stands and how it last went."""

    @property
    def pk(self) -> Any: ...

    @property
    def uidvalidity(self) -> int | None: ...

    @property
    def last_uid(self) -> int: ...


def _save_state(row: FolderState, **values: object) -> None:
    model: type[models.Model] = type(row)  # type: ignore[assignment]
    model._default_manager.filter(pk=row.pk).update(**values)
    for name, value in values.items():
        setattr(row, name, value)


def new_uids(client: imaplib.IMAP4, after: int) -> list[int]:
    typ, data = client.uid("SEARCH", f"UID {after + 1}:*")
    if typ != "OK":
        raise FolderError(_("Searching the folder failed."))
    # "n:*" always matches the newest message, even when its UID is below n.
    return sorted(uid for uid in (int(item) for item in (data[0] or b"").split()) if uid > after)


def fetch(client: imaplib.IMAP4, uid: int) -> bytes | None:
    """The message's bytes, unmarked (``BODY.PEEK``); None when it was expunged meanwhile."""
    typ, data = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
    if typ != "OK":
        raise FolderError(_("Reading message %(uid)s failed.") % {"uid": uid})
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return bytes(item[1])
    return None


def read_folder(
    row: FolderState,
    *,
    folder: str,
    connect: Callable[[], imaplib.IMAP4],
    take: Callable[[int, bytes], bool],
    lock: str,
    batch: int = BATCH,
) -> int:
    """Read what is new in ``folder`` and hand each message to ``take(uid, raw)``, which says
    whether it counts as read; returns how many did. ``connect`` gives a logged-in client or raises
    ``FolderError``; another worker holding ``lock`` makes this a no-op."""
    if not cache.add(lock, 1, LOCK_SECONDS):
        return 0
    try:
        return _read(row, folder, connect, take, batch)
    except FolderError as error:
        logger.info("IMAP folder of %s %s: %s", type(row).__name__, row.pk, error)
        now = timezone.now()
        _save_state(row, last_error=str(error)[:500], last_error_at=now, last_polled_at=now)
        return 0
    finally:
        cache.delete(lock)


def _read(
    row: FolderState, folder: str, connect: Callable[[], imaplib.IMAP4], take: Callable[[int, bytes], bool], batch: int
) -> int:
    client = connect()
    read = 0
    try:
        typ, _data = client.select(quoted(folder), readonly=True)
        if typ != "OK":
            raise FolderError(_("The folder %(folder)s cannot be opened.") % {"folder": folder})
        validity = uidvalidity(client, folder)
        if validity != row.uidvalidity:
            _save_state(row, uidvalidity=validity, last_uid=0)
        for uid in new_uids(client, row.last_uid)[:batch]:
            raw = fetch(client, uid)
            if raw is not None and take(uid, raw):
                read += 1
            _save_state(row, last_uid=uid)
    except (OSError, imaplib.IMAP4.error) as error:
        raise FolderError(_("Reading the mailbox failed (%(error)s).") % {"error": type(error).__name__}) from error
    finally:
        with suppress(Exception):
            client.logout()
    _save_state(row, last_polled_at=timezone.now(), last_error="", last_error_at=None)
    return read
