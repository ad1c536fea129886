"""Incremental sync of a Gmail mailbox through the Gmail API.

The first run notes the mailbox's current ``historyId``, then lists the messages of the last
``first_sync_days`` days (``users.messages.list`` with ``q=after:<epoch seconds>``, page by page)
and stores each one. Later runs ask ``users.history.list`` for the messages added since the
``historyId`` reached. When Gmail no longer keeps history that old (``404``), the run falls back
to a full read of the first-sync period; nothing is stored twice, because messages are kept once
per (mailbox, Message-ID) and ids already stored are not even fetched.

Messages are fetched with ``format=raw`` (their RFC 5322 bytes) through Gmail's batch endpoint,
``MAILBOXES_SYNC_BATCH`` at a time, and each such batch is stored in one transaction through
``services.store_batch`` (a fixed number of statements), so exclusion, threading, matching,
visibility and timelines are those of the IMAP path. Drafts, spam, trash and chats are not
kept; a message labelled ``SENT`` is the owner's own (outbound). The two ``MailFolder`` rows
``INBOX`` and ``SENT`` hold where the messages came from; ``uid`` is Gmail's message id read as
a number, and the ``INBOX`` row's ``highest_modseq`` holds the ``historyId`` reached (Gmail's
history id is the mailbox's modification sequence, as an IMAP HIGHESTMODSEQ is). It only moves
once every message up to it is committed: a worker killed mid-run starts again from the previous
one and skips what it had stored. One run at a time per mailbox (the advisory lock of the IMAP
sync)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.job_locks import job_runner
from modules.mailboxes.choices import FolderRole, MessageDirection
from modules.mailboxes.models import Mailbox, MailFolder, MailMessage
from modules.mailboxes.services.gmail_client import GmailClient, GmailMessage, NotFound
from modules.mailboxes.services.matching import Matcher
from modules.mailboxes.services.store_batch import WrittenFiles, store_messages
from modules.mailboxes.services.sync import SyncResult

SKIPPED_LABELS = frozenset({"DRAFT", "SPAM", "TRASH", "CHAT"})
MAX_MODSEQ = 2**63 - 1


def gmail_uid(message_id: str) -> int | None:
    """Gmail's message id (hexadecimal) as the folder UID, when it fits a signed 64-bit column."""
    try:
        value = int(message_id, 16)
    except ValueError:
        return None
    return value if 0 < value <= MAX_MODSEQ else None


def _history_id(text: str) -> int | None:
    return int(text) if text.isdigit() and int(text) <= MAX_MODSEQ else None


def first_sync_query(mailbox: Mailbox) -> str:
    since = timezone.now() - timedelta(days=mailbox.first_sync_days)
    return f"after:{int(since.timestamp())}"


def _folders(mailbox: Mailbox) -> dict[str, MailFolder]:
    return {
        role: MailFolder.objects.get_or_create(mailbox=mailbox, name=name, defaults={"role": role})[0]
        for name, role in (("INBOX", FolderRole.INBOX), ("SENT", FolderRole.SENT))
    }


def _unknown(mailbox: Mailbox, ids: list[str]) -> list[str]:
    """The ids not stored yet, oldest first as given."""
    uids = {gid: gmail_uid(gid) for gid in ids}
    known = set(
        MailMessage.objects.filter(mailbox=mailbox, uid__in=[uid for uid in uids.values() if uid is not None])
        .values_list("uid", flat=True)
    )  # fmt: skip
    return [gid for gid in ids if uids[gid] is None or uids[gid] not in known]


def _store_batch(
    mailbox: Mailbox, fetched: list[GmailMessage], folders: dict[str, MailFolder], matcher: Matcher,
    result: SyncResult,
) -> None:  # fmt: skip
    kept = [item for item in fetched if not SKIPPED_LABELS.intersection(item.label_ids)]
    result.skipped += len(fetched) - len(kept)
    places = [
        (folders[FolderRole.SENT], MessageDirection.OUTBOUND)
        if "SENT" in item.label_ids
        else (folders[FolderRole.INBOX], MessageDirection.INBOUND)
        for item in kept
    ]
    files = WrittenFiles()
    try:
        with transaction.atomic():
            stored_batch = store_messages(
                mailbox, [(item.raw, gmail_uid(item.id)) for item in kept], folder=None,
                direction=MessageDirection.INBOUND, placements=places, matcher=matcher, files=files,
            )  # fmt: skip
            for stored, new in stored_batch:
                if stored is None:
                    result.skipped += 1
                elif new:
                    result.stored += 1
    except BaseException:
        files.discard()
        raise


def _read(client: GmailClient, mailbox: Mailbox, ids: list[str], folders: dict[str, MailFolder],
          matcher: Matcher, result: SyncResult) -> None:  # fmt: skip
    size = max(1, int(settings.MAILBOXES_SYNC_BATCH))
    todo = _unknown(mailbox, ids)
    for start in range(0, len(todo), size):
        fetched = client.messages(todo[start : start + size])  # those deleted since listed are left out
        _store_batch(mailbox, fetched, folders, matcher, result)


def sync_gmail(mailbox: Mailbox, client: GmailClient) -> SyncResult:
    """Read what is new in the Gmail mailbox; API errors raise ``GmailError`` (the caller records
    them); a run that finds another one at work does nothing."""
    result = SyncResult()
    with job_runner("mailbox-sync", mailbox.pk) as held:
        if not held:
            return result
        result.ran = True
        folders = _folders(mailbox)
        own = [mailbox.email, *Mailbox.objects.filter(owner=mailbox.owner).values_list("email", flat=True)]
        matcher = Matcher(own_addresses=own)
        cursor = folders[FolderRole.INBOX].highest_modseq
        reached: int | None = None
        if cursor is not None:
            try:
                ids, latest = client.history(str(cursor))
            except NotFound:
                cursor = None  # Gmail no longer keeps history that old: read the period again
            else:
                _read(client, mailbox, ids, folders, matcher, result)
                reached = _history_id(latest)
        if cursor is None:
            reached = _history_id(str(client.profile().get("historyId", "")))
            listed = [gid for gid, _thread in client.message_ids(first_sync_query(mailbox)) if gid]
            _read(client, mailbox, list(reversed(listed)), folders, matcher, result)
        now = timezone.now()
        MailFolder.objects.filter(pk__in=[folder.pk for folder in folders.values()]).update(last_synced_at=now)
        if reached is not None:
            MailFolder.objects.filter(pk=folders[FolderRole.INBOX].pk).update(highest_modseq=reached)
    return result


def send_by_gmail(client: GmailClient, raw: bytes, *, in_reply_to: str) -> GmailMessage:
    """Send ``raw`` through Gmail's ``users.messages.send`` (so it is in the owner's Sent); a reply
    goes into the Gmail conversation of the message it answers, found by its Message-ID (Gmail
    also needs the In-Reply-To and References headers and the same subject, which ``raw`` has)."""
    thread_id = client.thread_of(in_reply_to) if in_reply_to.strip() else ""
    return client.send(raw, thread_id=thread_id)
