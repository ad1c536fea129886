"""Writers of connected mailboxes: connect, change, pause, resume, disconnect, and the sync's
outcome (success, or a failure that backs off and tells the owner once). Secrets are encrypted
before they are stored; events carry no address or secret."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.encryption import encrypt
from customization.events.outbox import emit
from identity.models import User
from modules.activities.choices import NotificationKind
from modules.activities.services.notifications import notify
from modules.mailboxes.choices import MailboxState
from modules.mailboxes.models import Mailbox
from modules.mailboxes.services.timeline import forget_mailbox, refresh_visibility
from modules.oauth_accounts.services.accounts import release_account

SECRET_FIELDS = ("imap_password", "smtp_password")
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)


def with_encrypted_secrets(values: dict[str, Any]) -> dict[str, Any]:
    """Secrets encrypted; a blank one left out (a blank password on the form keeps the stored one)."""
    out = dict(values)
    for name in SECRET_FIELDS:
        if name in out:
            plain = out.pop(name)
            if plain:
                out[name] = encrypt(plain)
    return out


def connect_mailbox(*, owner: User, **values: Any) -> Mailbox:
    """A new mailbox of ``owner`` (the caller tested the connection), synced from the next round."""
    if Mailbox.objects.filter(owner=owner, email__iexact=values.get("email", "")).exists():
        raise ValidationError({"email": _("You have connected this mailbox already.")})
    with transaction.atomic():
        mailbox = Mailbox.objects.create(owner=owner, **with_encrypted_secrets(values))
        emit("mailbox.connected", mailbox, entity="mailbox", actor=owner, data={"kind": mailbox.kind})
    return mailbox


def update_mailbox(mailbox: Mailbox, *, by: User, **values: Any) -> Mailbox:
    """Change settings; a changed visibility reaches the threads already on timelines, and a
    repaired connection syncs again at once."""
    values = with_encrypted_secrets(values)
    with transaction.atomic():
        old_visibility = mailbox.visibility
        for name, value in values.items():
            setattr(mailbox, name, value)
        if mailbox.state == MailboxState.FAILING:
            mailbox.state, mailbox.failures, mailbox.next_sync_at = MailboxState.ACTIVE, 0, None
        mailbox.save()
        if mailbox.visibility != old_visibility:
            refresh_visibility(mailbox)
        emit("mailbox.updated", mailbox, entity="mailbox", actor=by, data={"fields": sorted(values)})
    return mailbox


def pause_mailbox(mailbox: Mailbox, *, by: User) -> None:
    with transaction.atomic():
        Mailbox.objects.filter(pk=mailbox.pk).update(state=MailboxState.PAUSED)
        mailbox.state = MailboxState.PAUSED
        emit("mailbox.paused", mailbox, entity="mailbox", actor=by)


def resume_mailbox(mailbox: Mailbox, *, by: User) -> None:
    with transaction.atomic():
        Mailbox.objects.filter(pk=mailbox.pk).update(state=MailboxState.ACTIVE, failures=0, next_sync_at=None)
        mailbox.state = MailboxState.ACTIVE
        emit("mailbox.resumed", mailbox, entity="mailbox", actor=by)


def disconnect_mailbox(mailbox: Mailbox, *, by: User) -> None:
    """The mailbox, its credentials, messages, attachments and timeline threads are gone (and its
    OAuth account when nothing else uses it)."""
    from modules.collaboration.models.attachment import attachment_storage
    from modules.mailboxes.models import MailAttachment

    keys = list(MailAttachment.objects.filter(message__mailbox=mailbox).values_list("storage_key", flat=True))
    account = mailbox.oauth_account
    with transaction.atomic():
        emit("mailbox.disconnected", mailbox, entity="mailbox", actor=by)
        forget_mailbox(mailbox)
        mailbox.delete()
    if account is not None:  # its tokens go too unless the calendar still uses the account
        release_account(account, by=by)
    storage = attachment_storage()
    for key in keys:  # after the commit: the rows are gone, the files follow
        storage.delete(key)


def record_success(mailbox: Mailbox) -> None:
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_synced_at=timezone.now(), last_error="", last_error_at=None, failures=0, next_sync_at=None,
        state=MailboxState.ACTIVE,
    )  # fmt: skip


def record_failure(mailbox: Mailbox, error: str) -> None:
    """Back off (1, 2, 4 … minutes, at most 6 hours) and tell the owner when the mailbox breaks."""
    now = timezone.now()
    failures = mailbox.failures + 1
    delay = min(BACKOFF_BASE * 2 ** min(failures - 1, 20), BACKOFF_MAX)
    was_broken = mailbox.state == MailboxState.FAILING
    with transaction.atomic():
        Mailbox.objects.filter(pk=mailbox.pk).exclude(state=MailboxState.PAUSED).update(
            state=MailboxState.FAILING, last_error=error[:500], last_error_at=now, failures=failures,
            next_sync_at=now + delay,
        )  # fmt: skip
        if not was_broken:
            notify(
                [mailbox.owner],
                kind=NotificationKind.MAILBOX_BROKEN,
                entity="mailbox",
                record_id=mailbox.pk,
                title=lambda: _("Your mailbox stopped syncing: %(error)s") % {"error": error[:150]},
                dedupe_prefix=f"mailbox-broken:{mailbox.pk}:{now:%Y%m%d%H%M%S}",
            )
    mailbox.refresh_from_db()
