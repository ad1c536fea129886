from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.service.choices import CasePriority

# A year of round-the-clock minutes: beyond it a target says nothing a person would act on.
MAX_TARGET_MINUTES = 366 * 24 * 60


class TierSource(models.TextChoices):
    COMPANY = "company", _("Company")
    CONTACT = "contact", _("Contact")


class SlaPolicy(models.Model):
    """Targets for the cases it matches. Policies are tried in ``position`` order and the first that
    matches applies: its priorities (none: any) and, when ``tier_field`` is set, the customer's tier,
    the value of that custom field on the case's company or contact being one of ``tier_values``."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    tier_source = models.CharField(
        _("tier of the"), max_length=10, choices=TierSource.choices, default=TierSource.COMPANY
    )
    tier_field = models.CharField(_("tier field"), max_length=40, blank=True)
    tier_values = models.JSONField(_("tier values"), default=list, blank=True)
    warning_percent = models.PositiveSmallIntegerField(
        _("warn at (percent of the target)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """A policy's targets for one priority, in business minutes (empty: no target)."""

    policy = models.ForeignKey("service_sla.SlaPolicy", on_delete=models.CASCADE, related_name="targets")
    priority = models.CharField(_("priority"), max_length=10, choices=CasePriority.choices)
    first_response_minutes = models.PositiveIntegerField(
        _("first response (business minutes)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TARGET_MINUTES)],
    )  # fmt: skip
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (business minutes)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TARGET_MINUTES)],
    )  # fmt: skip

    class Meta:
        ordering = ["policy", "priority", "id"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [models.UniqueConstraint(fields=["policy", "priority"], name="sla_one_target_a_priority")]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.priority}"
