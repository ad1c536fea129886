"""Incremental sync of a Microsoft 365 / Outlook.com mailbox through Microsoft Graph.

Each of the Inbox and Sent Items is read with a delta query
(``/me/mailFolders/{inbox,sentitems}/messages/delta``): the first one asks for the messages
received in the last ``first_sync_days`` days (``$filter=receivedDateTime ge …``, which the delta
query allows with ``$orderby=receivedDateTime desc``) with a small ``$select``; later ones follow
the stored ``@odata.deltaLink`` and see only what changed. Each message's MIME content
(``/messages/{id}/$value``) is read, and the page is stored at once through
``services.store_batch`` (a fixed number of statements per page), so matching, threading,
timelines, visibility and excluded addresses apply as for IMAP. A page is stored in one transaction that also
moves the folder's link (the page's ``@odata.nextLink``, the final ``@odata.deltaLink``): a worker
killed mid-sync goes on from the last committed page and, the Message-ID being unique per
mailbox, never stores a message twice. Messages removed from the mailbox stay logged in the CRM
(as with IMAP). One run at a time per mailbox (the same advisory lock as IMAP)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.job_locks import job_runner
from modules.mailboxes.choices import FolderRole, MessageDirection
from modules.mailboxes.models import Mailbox, MailFolder
from modules.mailboxes.services.connection import MailboxError
from modules.mailboxes.services.matching import Matcher
from modules.mailboxes.services.store_batch import WrittenFiles, store_messages
from modules.mailboxes.services.sync import SyncResult
from modules.oauth_accounts.graph import GraphClient
from modules.oauth_accounts.services.tokens import AccountRevoked, OAuthError

FOLDERS = (("inbox", FolderRole.INBOX), ("sentitems", FolderRole.SENT))
MAX_MIME_BYTES = 40 * 1024 * 1024


def _first_query(mailbox: Mailbox) -> dict[str, str]:
    since = (timezone.now() - timedelta(days=mailbox.first_sync_days)).replace(microsecond=0)
    return {
        "$select": "id,internetMessageId,receivedDateTime",
        "$filter": f"receivedDateTime ge {since.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "$orderby": "receivedDateTime desc",
    }


def _sync_folder(
    client: GraphClient, mailbox: Mailbox, name: str, role: str, matcher: Matcher, result: SyncResult
) -> None:
    folder, _created = MailFolder.objects.get_or_create(mailbox=mailbox, name=name, defaults={"role": role})
    direction = MessageDirection.OUTBOUND if role == FolderRole.SENT else MessageDirection.INBOUND
    start = folder.delta_link or f"me/mailFolders/{name}/messages/delta"
    params = None if folder.delta_link else _first_query(mailbox)
    for page in client.pages(start, params=params):
        raws: list[tuple[bytes, int | None]] = []
        for item in page.items:
            if "@removed" in item or not item.get("id"):
                continue
            response = client.request("GET", f"me/messages/{item['id']}/$value", headers={"Accept": "*/*"})
            if len(response.content) <= MAX_MIME_BYTES:
                raws.append((response.content, None))
            else:
                result.skipped += 1
        files = WrittenFiles()
        try:
            with transaction.atomic():
                stored_page = store_messages(
                    mailbox, raws, folder=folder, direction=direction, matcher=matcher, files=files
                )
                for stored, new in stored_page:
                    if stored is None:
                        result.skipped += 1
                    elif new:
                        result.stored += 1
                MailFolder.objects.filter(pk=folder.pk).update(
                    delta_link=page.next_link or page.delta_link or folder.delta_link, last_synced_at=timezone.now()
                )
        except BaseException:
            files.discard()
            raise


def sync_graph_mailbox(mailbox: Mailbox) -> SyncResult:
    """Read what is new in the mailbox. Graph and token errors raise ``MailboxError`` (the task
    records them and backs off); an account whose access was withdrawn raises ``AccountRevoked``
    (its owner was told already, and the mailbox is not synced again until it is reconnected)."""
    result = SyncResult()
    account = mailbox.oauth_account
    if account is None:
        raise MailboxError(_("The mailbox's account is not connected: connect it again."))
    with job_runner("mailbox-sync", mailbox.pk) as held:
        if not held:
            return result
        result.ran = True
        try:
            client = GraphClient(account)
            own = [mailbox.email, *Mailbox.objects.filter(owner=mailbox.owner).values_list("email", flat=True)]
            matcher = Matcher(own_addresses=own)
            for name, role in FOLDERS:
                _sync_folder(client, mailbox, name, role, matcher, result)
        except AccountRevoked:
            raise
        except OAuthError as error:
            raise MailboxError(str(error)) from error
    return result
