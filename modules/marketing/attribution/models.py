"""Touches: a campaign reaching a contact, a lead or a deal (a response, a form submitted, an
e-mail link clicked), and each record's source campaign, the campaign of its first touch."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.marketing.attribution.choices import TouchKind

ONE_RECORD = (
    Q(contact__isnull=False, lead__isnull=True, deal__isnull=True)
    | Q(contact__isnull=True, lead__isnull=False, deal__isnull=True)
    | Q(contact__isnull=True, lead__isnull=True, deal__isnull=False)
)


class Touch(models.Model):
    campaign = models.ForeignKey(
        "marketing.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="touches"
    )
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    lead = models.ForeignKey("sales.Lead", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    deal = models.ForeignKey("sales.Deal", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=TouchKind.choices, default=TouchKind.OTHER)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("campaign touch")
        verbose_name_plural = _("campaign touches")
        constraints = [models.CheckConstraint(condition=ONE_RECORD, name="attribution_touch_one_record")]
        indexes = [
            models.Index(fields=["contact", "occurred_at"], name="attribution_touch_contact_idx"),
            models.Index(fields=["lead", "occurred_at"], name="attribution_touch_lead_idx"),
            models.Index(fields=["deal", "occurred_at"], name="attribution_touch_deal_idx"),
            models.Index(fields=["campaign", "occurred_at"], name="attribution_touch_campaign_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.kind}"


class SourceCampaign(models.Model):
    """A record's source campaign: its earliest touch's (kept by ``services.record_touch``)."""

    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="source_campaign"
    )
    lead = models.OneToOneField(
        "sales.Lead", on_delete=models.CASCADE, null=True, blank=True, related_name="source_campaign"
    )
    deal = models.OneToOneField(
        "sales.Deal", on_delete=models.CASCADE, null=True, blank=True, related_name="source_campaign"
    )
    campaign = models.ForeignKey(
        "marketing.Campaign", verbose_name=_("source campaign"), on_delete=models.CASCADE, related_name="+"
    )
    occurred_at = models.DateTimeField()

    class Meta:
        verbose_name = _("source campaign")
        verbose_name_plural = _("source campaigns")
        constraints = [models.CheckConstraint(condition=ONE_RECORD, name="attribution_source_one_record")]

    def __str__(self) -> str:
        return str(self.campaign_id)
