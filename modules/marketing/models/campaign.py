"""Campaigns of any kind and their members (contacts or leads), the hub that e-mails, forms,
surveys and attribution hang from."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from modules.contacts.money import CURRENCY_CHOICES
from modules.marketing.choices import CampaignKind, CampaignStatus, MemberStatus


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=CampaignKind.choices, default=CampaignKind.EMAIL)
    status = models.CharField(
        _("status"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent campaign"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="children",
    )  # fmt: skip
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    actual_cost = models.DecimalField(
        _("actual cost"), max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    expected_revenue = models.DecimalField(
        _("expected revenue"), max_digits=14, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )  # fmt: skip
    description = models.TextField(_("description"), blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, db_default={}, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "name", "id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        indexes = [
            models.Index(fields=["status", "id"], name="marketing_campaign_status_idx"),
            models.Index(fields=["owner", "id"], name="marketing_campaign_owner_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="marketing_campaign_dates_in_order",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0) & Q(actual_cost__gte=0) & Q(expected_revenue__gte=0),
                name="marketing_campaign_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignMember(models.Model):
    """A contact or a lead in a campaign, and how far they came (sent, responded, attended…)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="campaign_memberships"
    )
    lead = models.ForeignKey(
        "sales.Lead", on_delete=models.CASCADE, null=True, blank=True, related_name="campaign_memberships"
    )
    status = models.CharField(_("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.TARGETED)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["campaign", "id"]
        verbose_name = _("campaign member")
        verbose_name_plural = _("campaign members")
        constraints = [
            models.CheckConstraint(
                condition=Q(contact__isnull=False, lead__isnull=True) | Q(contact__isnull=True, lead__isnull=False),
                name="marketing_member_contact_or_lead",
                violation_error_message=_("A member is either a contact or a lead."),
            ),
            models.UniqueConstraint(
                fields=["campaign", "contact"],
                condition=Q(contact__isnull=False),
                name="marketing_member_unique_contact",
            ),
            models.UniqueConstraint(
                fields=["campaign", "lead"], condition=Q(lead__isnull=False), name="marketing_member_unique_lead"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="marketing_member_status_idx")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.contact_id or self.lead_id}"
