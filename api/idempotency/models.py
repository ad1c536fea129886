"""What the API answered to a request sent with an ``Idempotency-Key``, so a retry gets the same."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """One key of one credential: the request it was first used for and the response it got.

    Written in the same transaction as the request's own changes, so either both exist or neither.
    """

    credential_id = models.CharField(_("credential"), max_length=200)
    key = models.CharField(_("key"), max_length=255)
    method = models.CharField(_("method"), max_length=10)
    path = models.TextField(_("path"))
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True)
    response_body = models.BinaryField(_("response body"), default=b"")
    response_content_type = models.CharField(_("response content type"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["credential_id", "key"], name="idempotency_credential_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"
