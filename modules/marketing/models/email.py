"""A marketing e-mail: its content (blocks compiled to MJML and HTML on the server), who it goes
to (a segment, a topic's subscribers), when, and its A/B subject test."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.marketing.choices import EmailStatus


class MarketingEmail(models.Model):
    name = models.CharField(_("name"), max_length=200)
    campaign = models.ForeignKey(
        "marketing.Campaign", verbose_name=_("campaign"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="emails",
    )  # fmt: skip
    segment = models.ForeignKey(
        "marketing.Segment", verbose_name=_("segment"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="emails",
    )  # fmt: skip
    topic = models.ForeignKey(
        "marketing.Topic", verbose_name=_("subscription topic"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="emails",
    )  # fmt: skip
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    preheader = models.CharField(_("preview text"), max_length=200, blank=True)
    from_name = models.CharField(_("sender name"), max_length=120, blank=True)
    from_address = models.EmailField(_("sender address"), blank=True)
    reply_to = models.EmailField(_("reply-to address"), blank=True)
    # The editor's blocks (heading, text, image, button, divider, columns…) in order.
    content = models.JSONField(_("content"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=EmailStatus.choices, default=EmailStatus.DRAFT)
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # A/B subject test: ``subject_b`` to ``ab_percent`` % of the recipients (half each way), the
    # winner by opens after ``ab_wait_hours`` goes to the rest.
    subject_b = models.CharField(_("subject B"), max_length=200, blank=True)
    ab_percent = models.PositiveSmallIntegerField(
        _("test group (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(50)]
    )
    ab_wait_hours = models.PositiveSmallIntegerField(
        _("hours before the winner is chosen"), default=4, validators=[MinValueValidator(1), MaxValueValidator(168)]
    )
    ab_winner = models.CharField(_("winning subject"), max_length=1, blank=True)
    track_opens = models.BooleanField(_("track opens"), default=True)
    track_clicks = models.BooleanField(_("track clicks"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("marketing e-mail")
        verbose_name_plural = _("marketing e-mails")
        indexes = [models.Index(fields=["status", "scheduled_at"], name="marketing_email_due_idx")]

    def __str__(self) -> str:
        return self.name
