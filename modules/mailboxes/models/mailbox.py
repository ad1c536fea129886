"""A user's connected mailbox and where its incremental sync stands per folder."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.mailboxes.choices import FolderRole, MailboxKind, MailboxState, MailboxVisibility, MailSecurity


class Mailbox(models.Model):
    """One user's mailbox connected to the CRM (``owner``). ``kind`` says how it is reached: IMAP
    reading plus SMTP sending with a password (``imap``), or a provider's API through OAuth2
    (``microsoft``, ``google``: ``oauth_account`` holds the tokens, see ``modules.oauth_accounts``;
    a mailbox whose account's access was withdrawn is not synced). Every secret (``imap_password``,
    ``smtp_password``, the account's tokens) is stored encrypted with ``core.encryption``; nothing
    here is ever written to a log, and ``email`` is not either.

    ``visibility`` is what colleagues see of its messages on the records they may open (private:
    nothing; subject: subject, date and participants; full: everything). ``excluded_addresses``
    are addresses and ``@domains`` whose mail is never stored. The first sync reads the last
    ``first_sync_days`` days; later syncs read what is new (``MailFolder``). ``state`` is active,
    paused by the owner, or failing (``last_error`` shown to the owner, ``failures`` drives the
    backoff until ``next_sync_at``).

    Sending from the CRM through this mailbox uses its SMTP settings (``smtp_*``, the password
    falling back to the IMAP one when blank) and then appends the sent bytes to ``sent_folder`` so
    the message is in the owner's Sent folder, as any mail client does."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mailboxes")
    kind = models.CharField(_("kind"), max_length=10, choices=MailboxKind.choices, default=MailboxKind.IMAP)
    email = models.EmailField(_("e-mail address"), max_length=254)
    display_name = models.CharField(_("sender name"), max_length=100, blank=True)
    visibility = models.CharField(
        _("colleagues see"), max_length=10, choices=MailboxVisibility.choices, default=MailboxVisibility.SUBJECT
    )
    excluded_addresses = models.JSONField(_("addresses never to log"), default=list, blank=True)
    first_sync_days = models.PositiveSmallIntegerField(_("first sync reads the last (days)"), default=30)
    imap_host = models.CharField(_("IMAP server"), max_length=253, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(
        _("IMAP security"), max_length=10, choices=MailSecurity.choices, default=MailSecurity.TLS
    )
    imap_user = models.CharField(_("IMAP user"), max_length=254, blank=True)
    imap_password = models.TextField(_("IMAP password"), blank=True)
    smtp_host = models.CharField(_("SMTP server"), max_length=253, blank=True)
    smtp_port = models.PositiveIntegerField(_("SMTP port"), default=587)
    smtp_security = models.CharField(
        _("SMTP security"), max_length=10, choices=MailSecurity.choices, default=MailSecurity.STARTTLS
    )
    smtp_user = models.CharField(_("SMTP user"), max_length=254, blank=True)
    smtp_password = models.TextField(_("SMTP password"), blank=True)
    inbox_folder = models.CharField(_("inbox folder"), max_length=200, default="INBOX")
    sent_folder = models.CharField(_("sent folder"), max_length=200, default="Sent")
    oauth_account = models.ForeignKey(
        "oauth_accounts.OAuthAccount", on_delete=models.SET_NULL, null=True, blank=True, related_name="mailboxes"
    )
    state = models.CharField(_("state"), max_length=10, choices=MailboxState.choices, default=MailboxState.ACTIVE)
    last_synced_at = models.DateTimeField(_("last synced"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    next_sync_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["email", "id"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        constraints = [models.UniqueConstraint(fields=["owner", "email"], name="mailboxes_one_per_owner_address")]
        indexes = [models.Index(fields=["state", "next_sync_at"], name="mailboxes_due_idx")]

    def __str__(self) -> str:
        return self.email

    @property
    def is_paused(self) -> bool:
        return self.state == MailboxState.PAUSED


class MailFolder(models.Model):
    """Where the sync of one IMAP folder stands: the folder's ``uidvalidity`` and the highest UID
    stored (``last_uid``), and ``highest_modseq`` when the server offers CONDSTORE. A changed
    UIDVALIDITY makes the folder read again from the first-sync period; messages are kept once per
    Message-ID and mailbox, so nothing is stored twice. ``last_uid`` only moves after the messages
    up to it are committed: a worker killed mid-sync resumes after the last committed one.

    A mailbox read through Microsoft Graph keeps, per folder, ``delta_link``: the link to go on
    from (an ``@odata.nextLink`` while a first sync is under way, then the ``@odata.deltaLink``),
    moved only once the page before it is committed."""

    mailbox = models.ForeignKey("mailboxes.Mailbox", on_delete=models.CASCADE, related_name="folders")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=10, choices=FolderRole.choices)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    highest_modseq = models.BigIntegerField(null=True, blank=True)
    delta_link = models.TextField(blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["mailbox", "name"]
        verbose_name = _("mailbox folder")
        verbose_name_plural = _("mailbox folders")
        constraints = [models.UniqueConstraint(fields=["mailbox", "name"], name="mailboxes_folder_once")]

    def __str__(self) -> str:
        return f"{self.mailbox} {self.name}"
