from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.sales.choices import QuoteAnswer


class QuoteShare(models.Model):
    """A secret link to a quote's public page, where the customer accepts or declines it without
    signing in. Only the SHA-256 of the link's token is stored; the link ends at ``expires_at``, when
    revoked, or once the quote is answered through it (the answer is kept here)."""

    quote = models.ForeignKey("sales.Quote", on_delete=models.CASCADE, related_name="shares")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answer = models.CharField(_("answer"), max_length=10, choices=QuoteAnswer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by_name = models.CharField(_("name"), max_length=200, blank=True)
    answer_reason = models.TextField(_("reason"), max_length=2000, blank=True)
    answered_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.quote} ({self.created_at:%Y-%m-%d})"
