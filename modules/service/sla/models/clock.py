from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CaseClock(models.Model):
    """A case's SLA clock: the policy and calendar that apply, when the first response and the
    resolution are due, how long it was paused, and what was met, warned and breached.

    Written by ``services.clock`` only. ``pauses`` keeps the real instants of every pause
    (``[[start, end or null], …]`` in ISO 8601) so the paused business time can be counted again in
    another calendar. ``next_check_at`` is the earliest warning or due time still to announce while
    the clock runs (null otherwise): the sweep finds due clocks by it alone."""

    case = models.OneToOneField("service.Case", on_delete=models.CASCADE, primary_key=True, related_name="sla_clock")
    policy = models.ForeignKey("service_sla.SlaPolicy", on_delete=models.SET_NULL, null=True, blank=True)
    calendar = models.ForeignKey("service_sla.BusinessCalendar", on_delete=models.SET_NULL, null=True, blank=True)
    started_at = models.DateTimeField()
    pauses = models.JSONField(default=list, blank=True)
    paused_seconds = models.PositiveBigIntegerField(default=0)
    is_paused = models.BooleanField(default=False)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    first_response_warn_at = models.DateTimeField(null=True, blank=True)
    first_response_met_at = models.DateTimeField(null=True, blank=True)
    first_response_warned_at = models.DateTimeField(null=True, blank=True)
    first_response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True)
    resolution_met_at = models.DateTimeField(null=True, blank=True)
    resolution_warned_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case"]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        indexes = [
            models.Index(
                fields=["next_check_at"], name="sla_clock_next_check_idx", condition=Q(next_check_at__isnull=False)
            ),
            models.Index(fields=["resolution_due_at"], name="sla_clock_resolution_due_idx"),
        ]

    def __str__(self) -> str:
        return f"SLA {self.case_id}"
