"""Subscriptions to a report by e-mail and the deliveries they make."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.analytics.reports.choices import DeliveryFormat, DeliveryStatus, Frequency, Weekday


class ReportSubscription(models.Model):
    """``report`` sent to ``recipients`` every day, week (on ``weekday``) or month (on
    ``day_of_month``, the month's last day when it is shorter) at ``hour`` in the tenant's time
    zone. ``next_run_at`` is the next occurrence, moved on when it is queued."""

    report = models.ForeignKey("analytics_reports.Report", on_delete=models.CASCADE, related_name="subscriptions")
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("recipients"))
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, null=True, blank=True)
    day_of_month = models.PositiveSmallIntegerField(
        _("day of the month"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    hour = models.PositiveSmallIntegerField(_("hour"), default=8, validators=[MaxValueValidator(23)])
    file_format = models.CharField(_("format"), max_length=5, choices=DeliveryFormat.choices, default="pdf")
    next_run_at = models.DateTimeField(_("next delivery"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["report", "id"]
        indexes = [models.Index(fields=["next_run_at"], name="analytics_subscription_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(frequency="weekly") | models.Q(weekday__isnull=False),
                name="analytics_subscription_weekly_has_weekday",
            ),
            models.CheckConstraint(
                condition=~models.Q(frequency="monthly") | models.Q(day_of_month__isnull=False),
                name="analytics_subscription_monthly_has_day",
            ),
            models.CheckConstraint(condition=models.Q(hour__lte=23), name="analytics_subscription_hour_of_day"),
        ]

    def __str__(self) -> str:
        return f"{self.report} ({self.get_frequency_display()})"


class ReportDelivery(models.Model):
    """One recipient's copy of one occurrence of a subscription. ``key`` (subscription, occurrence,
    recipient) is unique, so queuing an occurrence again writes nothing and it is sent once; it is
    also the e-mail's Message-ID. A worker sending it holds ``lease_until``; a failed attempt waits
    until ``next_attempt_at``; after the last attempt it stays ``failed`` with its error."""

    subscription = models.ForeignKey(ReportSubscription, on_delete=models.CASCADE, related_name="deliveries")
    report = models.ForeignKey("analytics_reports.Report", on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    occurrence = models.DateTimeField(_("due at"))
    key = models.CharField(max_length=80, unique=True)
    file_format = models.CharField(_("format"), max_length=5, choices=DeliveryFormat.choices)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurrence", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="analytics_delivery_due_idx"),
            models.Index(fields=["report", "-occurrence"], name="analytics_delivery_report_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "occurrence", "recipient"], name="analytics_delivery_once_per_occurrence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} → {self.recipient} ({self.occurrence:%Y-%m-%d %H:%M})"
