"""The workspace's e-mail settings: tracking of composed mail and the logging address."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.mailboxes.choices import MailSecurity


class MailSettings(models.Model):
    """One row per workspace (``singleton``), made when an administrator first saves the page.

    ``tracking`` allows open and click tracking on e-mail written in the CRM (the writer still
    chooses per message): a signed 1×1 image and signed redirects for the links.

    The logging address: users put ``logging_address`` in Bcc (or forward a message to it) and the
    message is logged on the records it is about. The workspace's mail relay delivers what reaches
    it to the inbound webhook, whose URL carries the secret token (stored encrypted with
    ``core.encryption``, found by its SHA-256 ``logging_token_hash``); ``logging_active`` off makes
    the webhook answer 404."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    tracking = models.BooleanField(_("track opens and clicks of e-mail written in the CRM"), default=True)
    logging_address = models.EmailField(_("logging address"), max_length=254, blank=True)
    logging_token = models.TextField(blank=True)
    logging_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    logging_active = models.BooleanField(_("log mail sent to the logging address"), default=False)
    imap_host = models.CharField(_("IMAP server"), max_length=253, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(
        _("IMAP security"), max_length=10, choices=MailSecurity.choices, default=MailSecurity.TLS
    )
    imap_user = models.CharField(_("IMAP user"), max_length=254, blank=True)
    imap_password = models.TextField(_("IMAP password"), blank=True)
    imap_folder = models.CharField(_("IMAP folder"), max_length=200, default="INBOX")
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("e-mail settings")
        verbose_name_plural = _("e-mail settings")

    def __str__(self) -> str:
        return self.logging_address or "e-mail settings"

    @property
    def polls_imap(self) -> bool:
        return bool(self.logging_active and self.imap_host and self.imap_user)
