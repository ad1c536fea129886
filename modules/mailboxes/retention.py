"""Synced e-mail a tenant may keep for a limited time: messages read from connected mailboxes
older than the period (by their date) go with their files and links; a thread left without
messages goes with its timeline entries, one that keeps some gets its count, dates and entries
brought up to date. E-mail written in the CRM or logged by hand is not synced mail and stays."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils.translation import gettext_lazy as _

from modules.collaboration.models.attachment import attachment_storage
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.mailboxes.choices import MessageOrigin
from modules.mailboxes.models import MailAttachment, MailMessage, MailThread
from modules.privacy.registry import RetentionTarget, register_retention


def delete_before(cutoff: datetime, limit: int) -> int:
    ids = list(
        MailMessage.objects.filter(origin=MessageOrigin.SYNC, date__lt=cutoff)
        .order_by("date", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    threads = set(MailMessage.objects.filter(pk__in=ids).values_list("thread_id", flat=True))
    keys = list(MailAttachment.objects.filter(message_id__in=ids).values_list("storage_key", flat=True))
    MailMessage.objects.filter(pk__in=ids).delete()
    left = {
        row["thread"]: row
        for row in MailMessage.objects.filter(thread_id__in=threads)
        .values("thread")
        .annotate(count=Count("pk"), first=Min("date"), last=Max("date"))
    }
    emptied = sorted(threads - left.keys())
    TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, data__thread__in=emptied).delete()
    MailThread.objects.filter(pk__in=emptied).delete()
    kept = list(MailThread.objects.filter(pk__in=list(left)))
    for thread in kept:
        row = left[thread.pk]
        thread.message_count, thread.first_at, thread.last_at = row["count"], row["first"], row["last"]
    MailThread.objects.bulk_update(kept, ["message_count", "first_at", "last_at"])
    entries = list(TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, data__thread__in=list(left)))
    for entry in entries:
        entry.data = {**entry.data, "count": left[entry.data["thread"]]["count"]}
    TimelineEntry.objects.bulk_update(entries, ["data"])
    # The files go once the deletion commits: a rolled-back run keeps its messages and their files.
    transaction.on_commit(lambda: _delete_files(keys), robust=True)
    return len(ids)


def _delete_files(keys: list[str]) -> None:
    storage = attachment_storage()
    for key in keys:
        storage.delete(key)


def register() -> None:
    register_retention(
        RetentionTarget(
            key="synced_mail",
            label=_("E-mail synced from mailboxes"),
            help_text=_(
                "Messages read from users' connected mailboxes, with their attachments, counted from their date. "
                "E-mail written in the CRM stays."
            ),
            delete_before=delete_before,
        )
    )
