"""Saved reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.analytics.reports.choices import ChartType, Sharing


class Report(models.Model):
    """A saved report: a source, its definition (``definition.read_definition`` reads it), the chart
    it is drawn as, and who it is shared with. Running it always counts the runner's own visible
    records, whoever saved it."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    source = models.CharField(_("records"), max_length=40)
    definition = models.JSONField(_("definition"), default=dict)
    chart = models.CharField(_("chart"), max_length=10, choices=ChartType.choices, default=ChartType.BAR)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports")
    sharing = models.CharField(_("shared with"), max_length=10, choices=Sharing.choices, default=Sharing.PRIVATE)
    shared_role = models.ForeignKey(
        "identity.Role", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("role")
    )
    shared_team = models.ForeignKey(
        "identity.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(sharing="role") & models.Q(shared_role__isnull=False))
                | (~models.Q(sharing="role") & models.Q(shared_role__isnull=True)),
                name="analytics_report_role_when_shared_with_a_role",
            ),
            models.CheckConstraint(
                condition=(models.Q(sharing="team") & models.Q(shared_team__isnull=False))
                | (~models.Q(sharing="team") & models.Q(shared_team__isnull=True)),
                name="analytics_report_team_when_shared_with_a_team",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# The delivery models live with the code that sends them; imported here so the app registers them.
from modules.analytics.reports.delivery.models import ReportDelivery, ReportSubscription  # noqa: E402

__all__ = ["Report", "ReportDelivery", "ReportSubscription"]
