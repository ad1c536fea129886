from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.encryption import UnreadableSecret, decrypt, encrypt
from modules.service.contact_centre.choices import Provider


class TelephonySettings(models.Model):
    """The workspace's telephony and SMS account (one row): which provider, its credentials (the
    auth token encrypted, ``crypto``), the workspace's numbers, and which case events are sent to
    customers by SMS. Without an account SID and token nothing is called or sent."""

    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices, default=Provider.TWILIO)
    account_sid = models.CharField(_("account SID"), max_length=64, blank=True)
    auth_token_encrypted = models.TextField(blank=True)
    # The workspace's numbers in E.164; the first places calls and sends SMS.
    numbers = ArrayField(models.CharField(max_length=20), verbose_name=_("numbers"), default=list, blank=True)
    sms_events = ArrayField(models.CharField(max_length=20), verbose_name=_("SMS on"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("telephony settings")

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.account_sid}"

    @property
    def auth_token(self) -> str:
        """The token ("" when none is stored, or after the secret key changed without a fallback:
        the admin enters it again)."""
        try:
            return decrypt(self.auth_token_encrypted)
        except UnreadableSecret:
            return ""

    def set_auth_token(self, token: str) -> None:
        self.auth_token_encrypted = encrypt(token)

    @property
    def is_configured(self) -> bool:
        return bool(self.account_sid and self.auth_token_encrypted and self.numbers)

    @property
    def caller_id(self) -> str:
        return self.numbers[0] if self.numbers else ""


class AgentPhone(models.Model):
    """The phone that rings for a user: click-to-dial calls it first, inbound calls ring it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_phone")
    number = models.CharField(_("phone"), max_length=20)

    class Meta:
        ordering = ["id"]
        verbose_name = _("agent phone")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.number}"


class SmsConsent(models.Model):
    """A contact's agreement to receive SMS about their cases: present means opted in, with who
    recorded it and when (the proof a regulator asks for)."""

    contact = models.OneToOneField("contacts.Contact", on_delete=models.CASCADE, related_name="sms_consent")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("SMS consent")

    def __str__(self) -> str:
        return f"SMS consent of {self.contact_id}"
