"""One send of a marketing e-mail (its progress, A/B test and figures) and the workspace's delivery
settings (rate, concurrency, provider webhook secrets)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.marketing.delivery.choices import SendStatus, Variant


class Send(models.Model):
    """The send of one marketing e-mail: made when it starts, with its recipients' rows. An e-mail is
    sent once; its report reads this row and the recipients."""

    email = models.OneToOneField(
        "marketing.MarketingEmail", verbose_name=_("marketing e-mail"), on_delete=models.CASCADE, related_name="send"
    )
    status = models.CharField(_("status"), max_length=20, choices=SendStatus.choices, default=SendStatus.SENDING)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # How many rows the audience gave, and how many of them were skipped at once.
    total = models.PositiveIntegerField(_("recipients"), default=0)
    # A/B subject test: when its winner is chosen, and which it was.
    ab_decide_at = models.DateTimeField(_("A/B winner chosen at"), null=True, blank=True)
    ab_winner = models.CharField(_("winning subject"), max_length=1, choices=Variant.choices, blank=True)

    class Meta:
        ordering = ["-started_at", "id"]
        verbose_name = _("send")
        verbose_name_plural = _("sends")
        indexes = [models.Index(fields=["status", "ab_decide_at"], name="mkdelivery_send_status_idx")]

    def __str__(self) -> str:
        return str(self.email_id)


class DeliverySettings(models.Model):
    """The workspace's sending limits and provider webhook secrets (one row; secrets stored with
    ``core.encryption``)."""

    messages_per_minute = models.PositiveIntegerField(
        _("messages per minute"), default=600, validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    max_concurrency = models.PositiveSmallIntegerField(
        _("parallel sending workers"), default=2, validators=[MinValueValidator(1), MaxValueValidator(16)]
    )
    # Postmark, Amazon SES (through SNS), SendGrid, Brevo and Mailjet call their webhook URLs with
    # basic auth ``user:password`` written into the URL; Mailgun signs with a key; SendGrid may also
    # sign each call (ECDSA), checked with its public key (not a secret: stored as SendGrid shows it).
    webhook_user = models.CharField(_("webhook user"), max_length=100, blank=True)
    webhook_password = models.TextField(_("webhook password"), blank=True)
    mailgun_signing_key = models.TextField(_("Mailgun webhook signing key"), blank=True)
    sendgrid_verification_key = models.TextField(_("SendGrid verification key"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("delivery settings")
        verbose_name_plural = _("delivery settings")

    def __str__(self) -> str:
        return "delivery settings"
