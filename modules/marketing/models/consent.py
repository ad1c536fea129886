"""Subscription topics and the suppression list every marketing send honours."""

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from modules.marketing.choices import SuppressionReason


class Topic(models.Model):
    """What a contact subscribes to (newsletter, product news, events…)."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("subscription topic")
        verbose_name_plural = _("subscription topics")

    def __str__(self) -> str:
        return self.name


class Suppression(models.Model):
    """An address no marketing message goes to: it unsubscribed from everything, bounced hard, or
    complained. Stored lower-cased; one row per address."""

    email = models.EmailField(_("e-mail"), max_length=254)
    reason = models.CharField(_("reason"), max_length=20, choices=SuppressionReason.choices)
    # Where it came from: "unsubscribe link", "postmark webhook", a user's name…
    source = models.CharField(_("source"), max_length=200, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        constraints = [models.UniqueConstraint(Lower("email"), name="marketing_suppression_unique_email")]

    def __str__(self) -> str:
        return self.email
