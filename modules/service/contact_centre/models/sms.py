from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.service.contact_centre.choices import SmsEvent, SmsStatus


class SmsMessage(models.Model):
    """An SMS to a customer about a case event. ``dedupe_key`` (case, event, occurrence) makes the
    sending idempotent: a hook or task that runs twice writes and sends one message."""

    dedupe_key = models.CharField(max_length=120, unique=True)
    event = models.CharField(_("event"), max_length=20, choices=SmsEvent.choices)
    case = models.ForeignKey("service.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    to_number = models.CharField(_("to"), max_length=20)
    body = models.CharField(_("message"), max_length=320)
    status = models.CharField(_("status"), max_length=20, choices=SmsStatus.choices, default=SmsStatus.PENDING)
    provider_sid = models.CharField(max_length=64, blank=True)
    error_code = models.CharField(_("error"), max_length=20, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("SMS")
        verbose_name_plural = _("SMS")
        indexes = [
            models.Index(
                fields=["provider_sid"], name="contact_centre_sms_sid_idx", condition=~models.Q(provider_sid="")
            )
        ]

    def __str__(self) -> str:
        return f"{self.to_number}: {self.body[:40]}"
