"""Support addresses (where customers write to), what came in through them and what went out."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from modules.service.mail.choices import ImapSecurity, InboundOutcome, OutboundKind, OutboundState


class SupportAddress(models.Model):
    """An e-mail address of the tenant's service desk (support@…). Mail reaches it by IMAP polling
    of a mailbox and/or by an inbound webhook at a secret URL; new mail opens a case in ``team``.
    The IMAP password and the webhook token are stored encrypted (``core.encryption``); the token's
    SHA-256 finds the address when a webhook call comes in. ``inbound_signing_key`` (the e-mail
    provider's key that signs its inbound calls) and ``inbound_api_key`` (for providers whose call
    names a message to fetch) are encrypted too. ``uidvalidity`` and ``last_uid`` are
    where the incremental IMAP sync stands; ``last_error`` is shown to the administrator."""

    email = models.EmailField(_("address"), max_length=254, unique=True)
    name = models.CharField(_("sender name"), max_length=100, blank=True)
    team = models.ForeignKey(
        "identity.Team", verbose_name=_("queue"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_default = models.BooleanField(_("default sender"), default=False)
    is_active = models.BooleanField(_("receiving"), default=True)
    auto_acknowledge = models.BooleanField(_("acknowledge new cases"), default=False)
    imap_host = models.CharField(_("IMAP server"), max_length=253, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(
        _("IMAP security"), max_length=10, choices=ImapSecurity.choices, default=ImapSecurity.TLS
    )
    imap_user = models.CharField(_("IMAP user"), max_length=254, blank=True)
    imap_password = models.TextField(_("IMAP password"), blank=True)
    imap_folder = models.CharField(_("IMAP folder"), max_length=200, default="INBOX")
    inbound_token = models.TextField(blank=True)
    inbound_token_hash = models.CharField(max_length=64, unique=True)
    inbound_signing_key = models.TextField(_("provider signing key"), blank=True)
    inbound_api_key = models.TextField(_("provider API key"), blank=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["email"]
        verbose_name = _("support address")
        verbose_name_plural = _("support addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="service_mail_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def polls_imap(self) -> bool:
        return bool(self.is_active and self.imap_host and self.imap_user)


class InboundMail(models.Model):
    """One e-mail received through a support address, kept once per Message-ID and address (a
    message without one gets a digest of its bytes), so a re-read mailbox adds nothing twice.
    ``thread_key`` is the conversation part of Outlook's Thread-Index; ``quote_start`` where the
    quoted history begins in the message's text (pages show the text up to it)."""

    address = models.ForeignKey("service_mail.SupportAddress", on_delete=models.CASCADE, related_name="inbound")
    message_id = models.CharField(max_length=998)
    sender = models.EmailField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=10, choices=InboundOutcome.choices)
    reason = models.CharField(max_length=200, blank=True)
    case = models.ForeignKey("service.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    case_message = models.ForeignKey(
        "service.CaseMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    thread_key = models.CharField(max_length=40, blank=True)
    quote_start = models.PositiveIntegerField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("received e-mail")
        verbose_name_plural = _("received e-mails")
        constraints = [
            models.UniqueConstraint(fields=["address", "message_id"], name="service_mail_inbound_once"),
        ]
        indexes = [
            models.Index(fields=["thread_key"], name="service_mail_thread_idx", condition=~Q(thread_key="")),
            models.Index(fields=["sender", "acknowledged_at"], name="service_mail_ack_idx"),
            models.Index(fields=["case", "id"], name="service_mail_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.outcome})"


class OutboundMail(models.Model):
    """A case message to be e-mailed to the customer (an agent's reply or an acknowledgement),
    sent after the commit by ``tasks.send_case_mail``, retried until it is sent or gives up."""

    message = models.OneToOneField("service.CaseMessage", on_delete=models.CASCADE, related_name="outbound_mail")
    address = models.ForeignKey(
        "service_mail.SupportAddress", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=5, choices=OutboundKind.choices, default=OutboundKind.REPLY)
    state = models.CharField(max_length=10, choices=OutboundState.choices, default=OutboundState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sent e-mail")
        verbose_name_plural = _("sent e-mails")

    def __str__(self) -> str:
        return f"{self.message_id} {self.state}"
