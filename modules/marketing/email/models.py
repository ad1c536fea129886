"""How the tenant's marketing e-mail leaves (its sending settings and verified sending domains) and
the reusable e-mail templates of the editor."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.marketing.email.choices import Provider, RecordState, SendingMethod, SmtpSecurity


class SendingSettings(models.Model):
    """One row per tenant (``services.settings.current_settings`` creates it): the platform's
    mail, the tenant's SMTP server, or an e-mail service through django-anymail. Passwords and API
    keys are stored encrypted (``core.encryption``). ``postal_address`` is printed in every
    marketing e-mail's footer, as anti-spam law requires."""

    method = models.CharField(
        _("send through"), max_length=10, choices=SendingMethod.choices, default=SendingMethod.PLATFORM
    )
    smtp_host = models.CharField(_("SMTP server"), max_length=253, blank=True)
    smtp_port = models.PositiveIntegerField(_("SMTP port"), default=587)
    smtp_security = models.CharField(
        _("SMTP security"), max_length=10, choices=SmtpSecurity.choices, default=SmtpSecurity.STARTTLS
    )
    smtp_user = models.CharField(_("SMTP user"), max_length=254, blank=True)
    smtp_password = models.TextField(_("SMTP password"), blank=True)
    provider = models.CharField(_("e-mail service"), max_length=20, choices=Provider.choices, blank=True)
    api_key = models.TextField(_("API key"), blank=True)
    api_secret = models.TextField(_("API secret"), blank=True)
    region = models.CharField(
        _("region"),
        max_length=40,
        blank=True,
        help_text=_("Amazon SES region (eu-west-1…); Mailgun: “eu” for its EU site."),
    )
    sender_domain = models.CharField(_("Mailgun sending domain"), max_length=253, blank=True)
    postal_address = models.TextField(_("postal address"), max_length=500, blank=True)
    default_from_name = models.CharField(_("default sender name"), max_length=120, blank=True)
    default_from_address = models.EmailField(_("default sender address"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("marketing sending settings")
        verbose_name_plural = _("marketing sending settings")

    def __str__(self) -> str:
        return str(self.get_method_display())


class SendingDomain(models.Model):
    """A domain the tenant sends marketing e-mail from. The records it must publish (SPF, DKIM,
    DMARC) follow from the sending settings (``domains.expected_records``); "check" looks them up
    in DNS and keeps each one's state; SPF and DKIM found make the domain verified."""

    domain = models.CharField(_("domain"), max_length=253, unique=True)
    dkim_selector = models.CharField(_("DKIM selector"), max_length=63, default="relata")
    dkim_value = models.TextField(
        _("DKIM record from your e-mail service"), max_length=2000, blank=True,
        help_text=_("The TXT value (v=DKIM1; …; p=…) or the CNAME target your e-mail service gave you."),
    )  # fmt: skip
    spf_include = models.CharField(
        _("SPF include"), max_length=253, blank=True,
        help_text=_("The include: domain of your SMTP server or e-mail service, when it is not a known one."),
    )  # fmt: skip
    spf_state = models.CharField(max_length=10, choices=RecordState.choices, default=RecordState.UNCHECKED)
    dkim_state = models.CharField(max_length=10, choices=RecordState.choices, default=RecordState.UNCHECKED)
    dmarc_state = models.CharField(max_length=10, choices=RecordState.choices, default=RecordState.UNCHECKED)
    # What the last check found per record ({"spf": ["v=spf1 …"], …}), shown beside the states.
    found = models.JSONField(default=dict, blank=True)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("sending domain")
        verbose_name_plural = _("sending domains")

    def __str__(self) -> str:
        return self.domain

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class EmailTemplate(models.Model):
    """A reusable e-mail design: blocks a new marketing e-mail can start from."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    content = models.JSONField(_("content"), default=list, blank=True)
    preheader = models.CharField(_("preview text"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")

    def __str__(self) -> str:
        return self.name
