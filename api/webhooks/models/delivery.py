"""Deliveries of events to endpoints, and the log of each attempt."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from api.webhooks.choices import AttemptTrigger, DeliveryState


class Delivery(models.Model):
    """One event (or test message) for one endpoint. ``webhook_id`` and ``payload`` (the exact
    body) stay the same across retries and replays, so receivers can drop repeats.

    ``round_attempts`` counts the attempts of the current retry schedule (a replay starts a new
    one); ``attempt_count`` counts them all. A worker sending it holds ``lease_until``."""

    endpoint = models.ForeignKey("webhooks.WebhookEndpoint", on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey("events.DomainEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    event_type = models.CharField(_("event type"), max_length=60)
    webhook_id = models.CharField(max_length=64)
    payload = models.TextField()
    state = models.CharField(max_length=20, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    round_attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # What the next attempt is recorded as: a replay asked for by an admin, or the schedule.
    next_trigger = models.CharField(max_length=20, choices=AttemptTrigger.choices, default=AttemptTrigger.SCHEDULED)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            # The outbox may offer an event again; it is delivered once per endpoint.
            models.UniqueConstraint(
                fields=["event", "endpoint"], condition=Q(event__isnull=False), name="webhooks_delivery_once"
            )
        ]
        indexes = [
            models.Index(fields=["endpoint", "-id"], name="webhooks_delivery_log_idx"),
            # The sweeper's work queue: only pending rows, by due time.
            models.Index(fields=["next_attempt_at"], condition=Q(state="pending"), name="webhooks_delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id} ({self.state})"


class DeliveryAttempt(models.Model):
    """One HTTP request of a delivery: the headers sent (the body is the delivery's payload),
    the answer's status and start of its body, or the error; and how long it took."""

    delivery = models.ForeignKey("webhooks.Delivery", on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    trigger = models.CharField(max_length=20, choices=AttemptTrigger.choices, default=AttemptTrigger.SCHEDULED)
    url = models.CharField(max_length=2000)
    request_headers = models.JSONField(default=dict)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    succeeded = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("webhook delivery attempt")
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhooks_attempt_number")]

    def __str__(self) -> str:
        return f"#{self.number} of delivery {self.delivery_id}"
