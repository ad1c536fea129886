"""Incremental IMAP sync of a mailbox: the inbox and the Sent folder, each read by UID.

The first read of a folder (or after its UIDVALIDITY changed) asks for the messages of the last
``first_sync_days`` days; later reads ask for UIDs above the last one stored. When the server
offers CONDSTORE and the folder's HIGHESTMODSEQ has not moved, nothing changed and nothing is
searched. Messages are fetched in batches with BODY.PEEK (never marked read, never deleted); each
batch is stored at once (``store_batch``: a few statements per batch, not per message) in one
transaction that also moves the folder's ``last_uid``, so a worker killed
mid-sync resumes after the last committed batch and, the Message-ID being unique per mailbox,
never stores a message twice. One run at a time per mailbox (a PostgreSQL advisory lock)."""

from __future__ import annotations

import imaplib
import logging
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.job_locks import job_runner
from core.mail.imap import quoted, uidvalidity
from modules.mailboxes.choices import FolderRole, MessageDirection
from modules.mailboxes.models import Mailbox, MailFolder
from modules.mailboxes.services.connection import MailboxError, connect_imap
from modules.mailboxes.services.matching import Matcher
from modules.mailboxes.services.store_batch import WrittenFiles, store_messages

logger = logging.getLogger(__name__)

IMAP_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class SyncResult:
    ran: bool = False
    stored: int = 0
    skipped: int = 0


def _since(mailbox: Mailbox) -> str:
    day = (timezone.now() - timedelta(days=mailbox.first_sync_days)).date()
    return f"{day.day:02d}-{IMAP_MONTHS[day.month - 1]}-{day.year}"


def _uids(client: imaplib.IMAP4, mailbox: Mailbox, folder: MailFolder) -> list[int]:
    if folder.last_uid:
        typ, data = client.uid("SEARCH", f"UID {folder.last_uid + 1}:*")
    else:
        typ, data = client.uid("SEARCH", "SINCE", _since(mailbox))
    if typ != "OK":
        raise MailboxError(f"search failed in {folder.name}")
    # "n:*" always matches the newest message, even when its UID is below n.
    return sorted(uid for uid in (int(item) for item in (data[0] or b"").split()) if uid > folder.last_uid)


def _fetch(client: imaplib.IMAP4, uids: list[int]) -> dict[int, bytes]:
    typ, data = client.uid("FETCH", ",".join(str(uid) for uid in uids), "(UID BODY.PEEK[])")
    if typ != "OK":
        raise MailboxError("fetch failed")
    found: dict[int, bytes] = {}
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            head = item[0].decode("ascii", "replace").upper()
            marker = head.find("UID ")
            if marker >= 0:
                digits = head[marker + 4 :].split()[0].strip("()")
                if digits.isdigit():
                    found[int(digits)] = bytes(item[1])
    return found


def _modseq(client: imaplib.IMAP4) -> int | None:
    _typ, data = client.response("HIGHESTMODSEQ")
    if data and data[0]:
        with suppress(ValueError):
            return int(data[0])
    return None


def _sync_folder(
    client: imaplib.IMAP4, mailbox: Mailbox, name: str, role: str, matcher: Matcher, result: SyncResult
) -> None:
    folder, _created = MailFolder.objects.get_or_create(mailbox=mailbox, name=name, defaults={"role": role})
    typ, _data = client.select(quoted(name), readonly=True)
    if typ != "OK":
        if role == FolderRole.SENT:
            return  # a mailbox without that Sent folder: nothing to read there
        raise MailboxError(f"the folder {name} cannot be opened")
    validity = uidvalidity(client, name)
    modseq = _modseq(client)
    if validity != folder.uidvalidity:
        folder.uidvalidity, folder.last_uid, folder.highest_modseq = validity, 0, None
        folder.save(update_fields=["uidvalidity", "last_uid", "highest_modseq"])
    elif modseq is not None and modseq == folder.highest_modseq:
        MailFolder.objects.filter(pk=folder.pk).update(last_synced_at=timezone.now())
        return  # CONDSTORE: nothing changed in the folder since the last read
    direction = MessageDirection.OUTBOUND if role == FolderRole.SENT else MessageDirection.INBOUND
    uids = _uids(client, mailbox, folder)
    size = max(1, int(settings.MAILBOXES_SYNC_BATCH))
    for start in range(0, len(uids), size):
        batch = uids[start : start + size]
        raws = _fetch(client, batch)
        files = WrittenFiles()
        try:
            with transaction.atomic():
                found = [(raws[uid], uid) for uid in batch if uid in raws]  # others were expunged meanwhile
                stored = store_messages(
                    mailbox, found, folder=folder, direction=direction, matcher=matcher, files=files
                )
                for message, new in stored:
                    if message is None:
                        result.skipped += 1
                    elif new:
                        result.stored += 1
                MailFolder.objects.filter(pk=folder.pk).update(last_uid=batch[-1])
        except BaseException:
            files.discard()
            raise
        folder.last_uid = batch[-1]
    MailFolder.objects.filter(pk=folder.pk).update(highest_modseq=modseq, last_synced_at=timezone.now())


def sync_mailbox(mailbox: Mailbox) -> SyncResult:
    """Read what is new in the mailbox. Connection and server errors raise ``MailboxError`` (the
    task records them and backs off); a run that finds another one at work does nothing."""
    result = SyncResult()
    with job_runner("mailbox-sync", mailbox.pk) as held:
        if not held:
            return result
        result.ran = True
        client = connect_imap(mailbox)
        try:
            own = [
                mailbox.email,
                *(m for m in Mailbox.objects.filter(owner=mailbox.owner).values_list("email", flat=True)),
            ]
            matcher = Matcher(own_addresses=own)
            for name, role in ((mailbox.inbox_folder, FolderRole.INBOX), (mailbox.sent_folder, FolderRole.SENT)):
                if name:
                    _sync_folder(client, mailbox, name, role, matcher, result)
        except (OSError, imaplib.IMAP4.error) as error:
            raise MailboxError(f"reading the mailbox failed ({type(error).__name__})") from error
        finally:
            with suppress(Exception):
                client.logout()
    return result
