"""Mailbox sync tasks (IMAP mailboxes by ``services.sync``, Microsoft ones by ``services.graph_sync``,
Gmail ones by ``gmail``). Beat's ``sync_all_mailboxes`` (every minute) queues ``sync_mailboxes`` per
served tenant, which queues ``sync_mailbox`` for each mailbox that is active (or failing and past
its backoff). A tenant runs at most ``MAILBOXES_SYNC_PER_TENANT`` syncs at once (slots in the cache,
freed when a run ends or, for a killed worker, when the slot expires); a mailbox runs one sync at a
time (``services.sync``'s advisory lock). Beat's ``poll_all_logging_mailboxes`` (every minute)
queues ``poll_logging_mailbox`` per served tenant, which reads the logging address's mailbox when
the workspace has one (``services.logging_mailbox``)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from modules.mailboxes.choices import MailboxKind, MailboxState
from modules.mailboxes.gmail import sync_gmail_mailbox
from modules.mailboxes.models import Mailbox, MailSettings
from modules.mailboxes.services.connection import MailboxError
from modules.mailboxes.services.graph_sync import sync_graph_mailbox
from modules.mailboxes.services.logging_mailbox import poll_logging_mailbox as run_logging_poll
from modules.mailboxes.services.mailboxes import record_failure, record_success
from modules.mailboxes.services.sync import SyncResult
from modules.mailboxes.services.sync import sync_mailbox as run_sync
from modules.oauth_accounts.choices import AccountState
from modules.oauth_accounts.services.tokens import AccountRevoked
from tenants.services.fleet import queue_for_each_served_tenant, runs_in_a_tenant

logger = logging.getLogger(__name__)
SLOT_SECONDS = 30 * 60


def per_tenant_limit() -> int:
    return max(1, int(settings.MAILBOXES_SYNC_PER_TENANT))


@contextmanager
def tenant_slot() -> Iterator[bool]:
    """One of the tenant's sync slots, if one is free (cache keys carry the tenant)."""
    for index in range(per_tenant_limit()):
        key = f"mailboxes-sync-slot:{index}"
        if cache.add(key, 1, SLOT_SECONDS):
            try:
                yield True
            finally:
                cache.delete(key)
            return
    yield False


# How each kind of mailbox is read (a provider's module adds its kind).
SYNCERS: dict[str, Callable[[Mailbox], SyncResult]] = {
    MailboxKind.IMAP: run_sync,
    MailboxKind.MICROSOFT: sync_graph_mailbox,
    MailboxKind.GOOGLE: sync_gmail_mailbox,
}


def can_sync(mailbox: Mailbox) -> bool:
    if mailbox.kind == MailboxKind.IMAP:
        return bool(mailbox.imap_host)
    account = mailbox.oauth_account
    return account is not None and account.state != AccountState.REVOKED


def due_mailboxes() -> Q:
    """Mailboxes to sync now: active, or failing and past their backoff; of a kind the platform
    reads; never one whose account's access was withdrawn (only its owner can mend that)."""
    now = timezone.now()
    return (
        Q(kind__in=list(SYNCERS))
        & (Q(kind=MailboxKind.IMAP) | Q(oauth_account__isnull=False))
        & ~Q(oauth_account__state=AccountState.REVOKED)
        & (
            Q(state=MailboxState.ACTIVE, next_sync_at__isnull=True)
            | Q(state__in=[MailboxState.ACTIVE, MailboxState.FAILING], next_sync_at__lte=now)
        )
    )


@shared_task(acks_late=True)
def sync_mailbox(mailbox_id: int) -> int:
    """Sync one mailbox; returns how many messages were stored (0 when paused, gone, not due
    by its slot, or already being synced)."""
    if not runs_in_a_tenant("sync_mailbox"):
        return 0
    mailbox = Mailbox.objects.filter(pk=mailbox_id).select_related("owner", "oauth_account").first()
    if mailbox is None or mailbox.state == MailboxState.PAUSED or mailbox.kind not in SYNCERS or not can_sync(mailbox):
        return 0
    with tenant_slot() as free:
        if not free:
            return 0  # the tenant's other mailboxes are syncing; the next round takes this one
        try:
            result = SYNCERS[mailbox.kind](mailbox)
        except AccountRevoked:
            return 0  # the account is marked revoked and its owner told; not synced until reconnected
        except MailboxError as error:
            logger.info("mailbox %s: sync failed (%s)", mailbox.pk, type(error.__cause__ or error).__name__)
            record_failure(mailbox, str(error))
            return 0
    if result.ran:
        record_success(mailbox)
    return result.stored


@shared_task(acks_late=True)
def sync_mailboxes() -> int:
    if not runs_in_a_tenant("sync_mailboxes"):
        return 0
    ids = list(Mailbox.objects.filter(due_mailboxes()).order_by("last_synced_at", "pk").values_list("pk", flat=True))
    for mailbox_id in ids:
        sync_mailbox.apply_async((mailbox_id,), expires=55, retry=False)
    return len(ids)


@shared_task
def sync_all_mailboxes() -> int:
    return queue_for_each_served_tenant(sync_mailboxes, expires=55)


@shared_task(acks_late=True)
def poll_logging_mailbox() -> int:
    """Read the workspace's logging mailbox (a no-op without one, or with logging switched off)."""
    if not runs_in_a_tenant("poll_logging_mailbox"):
        return 0
    row = MailSettings.objects.first()
    return run_logging_poll(row) if row is not None else 0


@shared_task
def poll_all_logging_mailboxes() -> int:
    return queue_for_each_served_tenant(poll_logging_mailbox, expires=55)
