"""E-mail messages stored by the CRM, grouped in threads, linked to the records they are about.

One model holds every e-mail, whatever its way in: synced from a connected mailbox (``origin``
sync), written and sent from the CRM (composed) or logged by forwarding, BCC or a dropped file
(logged). Timelines, visibility and matching read them all the same way."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from modules.mailboxes.choices import MessageDirection, MessageOrigin, SendState


class MailThread(models.Model):
    """A conversation: messages that answer each other (In-Reply-To / References), within one
    mailbox (``mailbox`` null for mail that belongs to no user's mailbox: sent through the
    workspace's own SMTP, or logged). ``last_at`` orders threads; ``message_count`` and ``subject``
    (of its first message) are what a timeline shows of it."""

    mailbox = models.ForeignKey(
        "mailboxes.Mailbox", on_delete=models.CASCADE, null=True, blank=True, related_name="threads"
    )
    subject = models.CharField(max_length=300, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-last_at", "-id"]
        verbose_name = _("e-mail thread")
        verbose_name_plural = _("e-mail threads")
        indexes = [models.Index(fields=["mailbox", "-last_at"], name="mailboxes_thread_recent_idx")]

    def __str__(self) -> str:
        return self.subject or f"#{self.pk}"


class MailMessage(models.Model):
    """One e-mail, kept once per (mailbox, Message-ID).

    Received and synced mail: ``direction`` in (or out, for the owner's own mail found in the Sent
    folder), ``origin`` sync, ``folder`` and ``uid`` where it was read. ``html`` is stored already
    sanitised (nh3); ``text`` is the plain text part (or the HTML's text); ``participants`` holds
    every lower-cased address of From, To and Cc, which the matching to records reads.

    Outbound mail written in the CRM is stored here too, before it is sent: ``origin`` composed,
    ``direction`` out, ``sender`` the user who wrote it, ``mailbox`` the user's connected mailbox it
    leaves through (null: the workspace's SMTP), ``message_id`` generated when the row is made (so
    replies synced later thread onto it), ``in_reply_to``/``references`` set from the message it
    answers and ``thread`` that message's thread (or a new one), ``send_state`` scheduled (with
    ``send_after``) or queued, then sent (``sent_at``) or failed (``send_error``, ``send_attempts``).
    When the mailbox's Sent folder is synced later, the same Message-ID finds this row: the copy is
    not stored twice. Its links to records are made when it is written, as for synced mail.

    Logged mail (BCC/forward address, dropped .eml/.msg files): ``origin`` logged, ``mailbox`` the
    sender's mailbox when known, else null."""

    mailbox = models.ForeignKey(
        "mailboxes.Mailbox", on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    thread = models.ForeignKey("mailboxes.MailThread", on_delete=models.CASCADE, related_name="messages")
    folder = models.ForeignKey(
        "mailboxes.MailFolder", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uid = models.BigIntegerField(null=True, blank=True)
    direction = models.CharField(max_length=3, choices=MessageDirection.choices)
    origin = models.CharField(max_length=10, choices=MessageOrigin.choices, default=MessageOrigin.SYNC)
    message_id = models.CharField(max_length=998)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    from_address = models.EmailField(max_length=254, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    to_addresses = ArrayField(models.CharField(max_length=254), default=list, blank=True)
    cc_addresses = ArrayField(models.CharField(max_length=254), default=list, blank=True)
    bcc_addresses = ArrayField(models.CharField(max_length=254), default=list, blank=True)
    participants = ArrayField(models.CharField(max_length=254), default=list, blank=True)
    date = models.DateTimeField(db_index=False)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    snippet = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField(default=0)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    send_state = models.CharField(max_length=10, choices=SendState.choices, blank=True)
    send_after = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_attempts = models.PositiveSmallIntegerField(default=0)
    send_error = models.CharField(max_length=500, blank=True)
    # Composed mail sent with open and click tracking (``services.tracking``): what came back.
    tracked = models.BooleanField(default=False)
    open_count = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    click_count = models.PositiveIntegerField(default=0)
    clicked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "message_id"],
                condition=Q(mailbox__isnull=False),
                name="mailboxes_message_once_per_mailbox",
            ),
        ]
        indexes = [
            models.Index(fields=["message_id"], name="mailboxes_message_id_idx"),
            models.Index(fields=["thread", "date", "id"], name="mailboxes_message_thread_idx"),
            models.Index(
                fields=["send_state", "send_after"], name="mailboxes_message_outbox_idx", condition=~Q(send_state="")
            ),
            GinIndex(fields=["participants"], name="mailboxes_participants_gin"),
            # A message arriving before the one it answers finds its replies (``services.store``).
            models.Index(
                fields=["mailbox", "in_reply_to"], name="mailboxes_message_reply_idx", condition=~Q(in_reply_to="")
            ),
            GinIndex(fields=["references"], name="mailboxes_references_gin", opclasses=["jsonb_path_ops"]),
        ]

    def __str__(self) -> str:
        return self.subject or self.message_id


class MailLink(models.Model):
    """A message is about a record: one of ``contact``, ``company``, ``lead`` or ``deal`` per row.
    Made by the matching (addresses to contacts and leads, domains to companies, open deals of
    those) or by hand; the record's timeline shows the message's thread."""

    message = models.ForeignKey("mailboxes.MailMessage", on_delete=models.CASCADE, related_name="links")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    company = models.ForeignKey("contacts.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    lead = models.ForeignKey("sales.Lead", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    deal = models.ForeignKey("sales.Deal", on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["message", "id"]
        verbose_name = _("e-mail link")
        verbose_name_plural = _("e-mail links")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(contact__isnull=False, company__isnull=True, lead__isnull=True, deal__isnull=True)
                    | Q(contact__isnull=True, company__isnull=False, lead__isnull=True, deal__isnull=True)
                    | Q(contact__isnull=True, company__isnull=True, lead__isnull=False, deal__isnull=True)
                    | Q(contact__isnull=True, company__isnull=True, lead__isnull=True, deal__isnull=False)
                ),
                name="mailboxes_link_one_record",
            ),
            *(
                models.UniqueConstraint(
                    fields=["message", field],
                    condition=Q(**{f"{field}__isnull": False}),
                    name=f"mailboxes_link_{field}_once",
                )
                for field in ("contact", "company", "lead", "deal")
            ),
        ]
        indexes = [
            models.Index(fields=[field], name=f"mailboxes_link_{field}_idx", condition=Q(**{f"{field}__isnull": False}))
            for field in ("contact", "company", "lead", "deal")
        ]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.contact_id or self.company_id or self.lead_id or self.deal_id}"


class MailAttachment(models.Model):
    """A file of a message, its bytes in the private attachment storage under ``storage_key``
    (``attachments/<schema>/…``, served only through an authorising view). ``content_id`` is set
    for inline parts an HTML body refers to."""

    message = models.ForeignKey("mailboxes.MailMessage", on_delete=models.CASCADE, related_name="attachments")
    storage_key = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    content_id = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["message", "id"]
        verbose_name = _("e-mail attachment")
        verbose_name_plural = _("e-mail attachments")

    def __str__(self) -> str:
        return self.name
