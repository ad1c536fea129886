"""The transactional outbox: one row per change to a CRM record, written in the same transaction
as the change, published to consumers (workflows, later webhooks) after commit."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DomainEvent(models.Model):
    """Something that happened to a record (``deal.stage_changed``, ``contact.updated`` …).

    ``depth`` counts how many workflow runs led to it (0: a person or an integration did it), so
    a rule that keeps triggering itself stops at the limit. ``published_at`` is set once every
    consumer has taken it; until then the dispatcher keeps offering it."""

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(_("type"), max_length=60)
    entity = models.CharField(_("record type"), max_length=20)
    record_id = models.BigIntegerField(_("record id"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    depth = models.PositiveSmallIntegerField(default=0)
    caused_by_run_id = models.BigIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("domain event")
        verbose_name_plural = _("domain events")
        indexes = [
            # The dispatcher's work queue: only unpublished rows, oldest first.
            models.Index(fields=["id"], condition=Q(published_at__isnull=True), name="events_unpublished_idx"),
            models.Index(fields=["entity", "record_id", "id"], name="events_record_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.record_id}"
