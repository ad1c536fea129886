"""One row per recipient of a send: who, which subject, where the message is, and what they did."""

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from modules.marketing.delivery.choices import RecipientState, SkipReason, Variant


class Recipient(models.Model):
    email = models.ForeignKey(
        "marketing.MarketingEmail", verbose_name=_("marketing e-mail"), on_delete=models.CASCADE,
        related_name="recipients",
    )  # fmt: skip
    contact = models.ForeignKey(
        "contacts.Contact", verbose_name=_("contact"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    address = models.EmailField(_("address"), max_length=254)
    variant = models.CharField(_("subject"), max_length=1, choices=Variant.choices, default=Variant.A)
    state = models.CharField(_("state"), max_length=20, choices=RecipientState.choices, default=RecipientState.QUEUED)
    skip_reason = models.CharField(_("skipped because"), max_length=20, choices=SkipReason.choices, blank=True)
    # The Message-ID header, fixed when the row is made: a message handed over again after a
    # worker died carries the same one, so the receiving side can tell it is the same message.
    message_id = models.CharField(_("Message-ID"), max_length=250)
    provider_message_id = models.CharField(max_length=250, blank=True)
    # The worker's claim: a token per claimed batch and when it was taken (a lease; the batch's
    # hand-overs are journaled in Redis under the token, see services/engine.py).
    claim = models.CharField(max_length=40, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    first_click_at = models.DateTimeField(_("first clicked at"), null=True, blank=True)
    opens = models.PositiveIntegerField(_("opens"), default=0)
    clicks = models.PositiveIntegerField(_("clicks"), default=0)
    soft_bounces = models.PositiveSmallIntegerField(_("soft bounces"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [
            models.UniqueConstraint(fields=["email", "contact"], name="mkdelivery_recipient_unique_contact"),
            models.UniqueConstraint(
                "email", Lower("address"), condition=~models.Q(address=""), name="mkdelivery_recipient_unique_address"
            ),
        ]
        indexes = [
            models.Index(fields=["email", "state"], name="mkdelivery_recipient_state_idx"),
            models.Index(fields=["message_id"], name="mkdelivery_recipient_msgid_idx"),
        ]

    def __str__(self) -> str:
        return self.address


class Click(models.Model):
    """A recipient's clicks on one link of the e-mail: one row per (recipient, link), so the report
    counts unique and total clicks per link."""

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="link_clicks")
    email = models.ForeignKey("marketing.MarketingEmail", on_delete=models.CASCADE, related_name="+")
    url = models.URLField(_("link"), max_length=2000)
    url_hash = models.CharField(max_length=64)
    count = models.PositiveIntegerField(_("clicks"), default=1)
    first_at = models.DateTimeField(_("first clicked at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("link click")
        verbose_name_plural = _("link clicks")
        constraints = [models.UniqueConstraint(fields=["recipient", "url_hash"], name="mkdelivery_click_unique")]
        indexes = [models.Index(fields=["email", "url_hash"], name="mkdelivery_click_link_idx")]

    def __str__(self) -> str:
        return self.url
