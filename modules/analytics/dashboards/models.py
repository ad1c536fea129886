"""Dashboards: a grid of widgets, each a saved report or a registered widget kind, shared like a
saved report and read under one period and owner filter."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.analytics.dashboards.periods import Period
from modules.analytics.reports.choices import Sharing

GRID_COLUMNS = 12
MAX_HEIGHT = 12
MAX_ROW = 1000


class Dashboard(models.Model):
    """A dashboard of ``owner``'s, opened by whoever it is shared with (``selectors.dashboards_for``);
    every reader sees the figures of their own visible records."""

    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboards")
    sharing = models.CharField(_("shared with"), max_length=10, choices=Sharing.choices, default=Sharing.PRIVATE)
    shared_role = models.ForeignKey(
        "identity.Role", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("role")
    )
    shared_team = models.ForeignKey(
        "identity.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    period = models.CharField(_("default period"), max_length=20, choices=Period.choices, default=Period.THIS_QUARTER)
    # The ready-made dashboard it was created from ("": built from a blank one).
    ready_made = models.CharField(_("ready-made"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(sharing="role") & models.Q(shared_role__isnull=False))
                | (~models.Q(sharing="role") & models.Q(shared_role__isnull=True)),
                name="analytics_dashboard_role_when_shared_with_a_role",
            ),
            models.CheckConstraint(
                condition=(models.Q(sharing="team") & models.Q(shared_team__isnull=False))
                | (~models.Q(sharing="team") & models.Q(shared_team__isnull=True)),
                name="analytics_dashboard_team_when_shared_with_a_team",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Widget(models.Model):
    """One tile of a dashboard: a saved report or a registered kind (``widgets.WidgetKind``), at
    ``x``/``y`` with ``width``/``height`` on the 12-column grid. ``options`` holds what a widget
    may choose (a report widget's ``date_field`` for the period filter)."""

    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="widgets")
    report = models.ForeignKey(
        "analytics_reports.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    x = models.PositiveSmallIntegerField(default=0)
    y = models.PositiveSmallIntegerField(default=0)
    width = models.PositiveSmallIntegerField(_("width"), default=4)
    height = models.PositiveSmallIntegerField(_("height"), default=2)
    options = models.JSONField(_("options"), default=dict, blank=True)

    class Meta:
        ordering = ["dashboard", "y", "x", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(report__isnull=False) & models.Q(kind=""))
                | (models.Q(report__isnull=True) & ~models.Q(kind="")),
                name="analytics_widget_a_report_or_a_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(width__gte=1, height__gte=1, height__lte=MAX_HEIGHT, y__lte=MAX_ROW)
                & models.Q(x__lte=GRID_COLUMNS - models.F("width")),
                name="analytics_widget_on_the_grid",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.kind or f"#{self.pk}"
