"""Consent per contact and topic, and its append-only history (the record GDPR asks for).

``Consent`` is the current state (one row per contact × topic); ``ConsentEvent`` is every change
with its proof and is never updated. ``OptInRequest`` is a pending double opt-in: its id is the
proof a confirmation cites. Only ``services`` write any of them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.marketing.consent.choices import ConsentAction, ConsentSource, ConsentStatus


class Consent(models.Model):
    """Whether a contact may be sent a topic's e-mails now, and since when, from where."""

    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="consents")
    topic = models.ForeignKey("marketing.Topic", on_delete=models.PROTECT, related_name="consents")
    status = models.CharField(_("status"), max_length=20, choices=ConsentStatus.choices)
    source = models.CharField(_("source"), max_length=20, choices=ConsentSource.choices)
    # The language the contact used when consenting (a form's page, a preference page): the
    # confirmation e-mail and the preference page speak it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        ordering = ["contact_id", "topic_id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(fields=["contact", "topic"], name="marketing_consent_one_per_topic"),
        ]
        indexes = [models.Index(fields=["topic", "status", "contact"], name="marketing_consent_topic_idx")]

    def __str__(self) -> str:
        return f"{self.contact_id}/{self.topic_id}: {self.status}"


class ConsentEvent(models.Model):
    """One change of a contact's consent with its proof. Append-only: kept when consent changes
    again; removed only with the contact (erasure)."""

    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="consent_events")
    # Null: the change was about every topic (an unsubscribe from everything, a suppression).
    topic = models.ForeignKey(
        "marketing.Topic", on_delete=models.PROTECT, null=True, blank=True, related_name="consent_events"
    )
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=ConsentAction.choices)
    source = models.CharField(_("source"), max_length=20, choices=ConsentSource.choices)
    # form id, ip, user_agent, opt_in (request id), staff user id, note, send id, detail.
    proof = models.JSONField(_("proof"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField(_("occurred at"))

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        indexes = [models.Index(fields=["contact", "-occurred_at", "-id"], name="marketing_consent_event_idx")]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.action}"


class OptInRequest(models.Model):
    """A double opt-in awaiting the contact's click. Only the SHA-256 of the link's random part
    is stored."""

    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="opt_in_requests")
    topic = models.ForeignKey("marketing.Topic", on_delete=models.PROTECT, related_name="+")
    email = models.EmailField(_("e-mail"), max_length=254)
    nonce_hash = models.CharField(max_length=64, unique=True)
    source = models.CharField(_("source"), max_length=20, choices=ConsentSource.choices)
    proof = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("double opt-in request")
        verbose_name_plural = _("double opt-in requests")

    def __str__(self) -> str:
        return f"{self.email} → {self.topic_id}"
