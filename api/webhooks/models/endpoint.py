"""A tenant's webhook endpoints and their signing secrets."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from api.webhooks.choices import DisabledReason


class WebhookEndpoint(models.Model):
    """A URL that receives the tenant's events, signed per Standard Webhooks.

    Filters (empty means "any"): ``event_types`` (``contact.updated`` …), ``entities`` (``deal`` …),
    and ``changed_fields`` ``{entity: [path, …]}``, which lets an ``<entity>.updated`` event
    through only when it changed one of the listed fields. ``failing_since`` is the first failed
    attempt since the last success and ``consecutive_failures`` counts deliveries that failed for
    good since then; both drive the automatic disabling."""

    url = models.URLField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = ArrayField(models.CharField(max_length=60), default=list, blank=True, verbose_name=_("event types"))
    entities = ArrayField(models.CharField(max_length=20), default=list, blank=True, verbose_name=_("record types"))
    changed_fields = models.JSONField(_("changed fields"), default=dict, blank=True)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    disabled_reason = models.CharField(max_length=20, choices=DisabledReason.choices, blank=True)
    disabled_detail = models.CharField(max_length=500, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url


class EndpointSecret(models.Model):
    """A signing secret (``whsec_<base64>``). The current one has no ``expires_at``; after a
    rotation the previous one keeps signing alongside it until it expires."""

    endpoint = models.ForeignKey("webhooks.WebhookEndpoint", on_delete=models.CASCADE, related_name="secrets")
    secret = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook secret")

    def __str__(self) -> str:
        return f"{self.secret[:10]}…"
