from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.service.contact_centre.choices import CallDirection, CallStatus


class Call(models.Model):
    """One phone call through the provider, in or out. ``provider_sid`` is the provider's id (status
    callbacks find the call by it); once the call ends it is logged as an activity of kind call on
    the record it is about (``activity``)."""

    provider_sid = models.CharField(max_length=64, unique=True)
    direction = models.CharField(_("direction"), max_length=10, choices=CallDirection.choices)
    status = models.CharField(_("status"), max_length=20, choices=CallStatus.choices, default=CallStatus.QUEUED)
    # The customer's number and the workspace's number, E.164.
    customer_number = models.CharField(_("customer's number"), max_length=20)
    workspace_number = models.CharField(_("our number"), max_length=20)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    contact = models.ForeignKey("contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    company = models.ForeignKey("contacts.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    lead = models.ForeignKey("sales.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    duration = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    activity = models.OneToOneField(
        "activities.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")

    def __str__(self) -> str:
        return f"{self.direction} {self.customer_number}"
